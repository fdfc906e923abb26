"""The database's schema: where it stands against the migrations shipped in the package, and bringing
it up to date.

An upgrade holds the same database-wide lock as an import (SQLite `BEGIN IMMEDIATE`, PostgreSQL the
importers' advisory lock) and looks again once it has it, so commands started together on an empty
database migrate it once: the others wait, then find it current.
"""

from __future__ import annotations

import dataclasses
import functools

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

from settlecal.db.engine import lock_database, shown
from settlecal.db.errors import SchemaNewer, SchemaNotCurrent

SCRIPT_LOCATION = "settlecal.db:migrations"


@dataclasses.dataclass(frozen=True, slots=True)
class SchemaStatus:
    """The database's migration (None: no settlecal schema) and the newest this code ships."""

    current: str | None
    head: str
    known: bool  # whether this code ships the database's migration (False: a newer settlecal made it)

    @property
    def is_current(self) -> bool:
        return self.current == self.head


@dataclasses.dataclass(frozen=True, slots=True)
class SchemaChange:
    """What `upgrade` did: the migration before and after (equal when there was nothing to do)."""

    before: str | None
    after: str
    applied: tuple[str, ...]  # the migrations run, oldest first


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["engine"] = engine
    return config


@functools.cache
def _scripts() -> ScriptDirectory:
    """The migrations shipped in the package (read once: /.web/health asks for them on every check)."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return ScriptDirectory.from_config(config)


def head() -> str:
    """The newest migration this code ships."""
    found = _scripts().get_current_head()
    assert found is not None
    return found


def _status(connection: Connection) -> SchemaStatus:
    scripts = _scripts()
    current = MigrationContext.configure(connection).get_current_revision()
    known = current is None or any(script.revision == current for script in scripts.walk_revisions())
    return SchemaStatus(current, head(), known)


def status(engine: Engine) -> SchemaStatus:
    with engine.connect() as connection:
        return _status(connection)


def is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    return status(engine).is_current


def require_current(engine: Engine) -> SchemaStatus:
    """The status, when current; else SchemaNotCurrent (behind, or none) or SchemaNewer."""
    found = status(engine)
    if found.is_current:
        return found
    where = shown(engine.url.render_as_string(hide_password=False))
    if not found.known:
        raise SchemaNewer(where, found.current, found.head)
    raise SchemaNotCurrent(where, found.current, found.head)


def upgrade(engine: Engine) -> SchemaChange:
    """Creates or migrates the schema to the newest migration, under the write lock."""
    found = status(engine)
    if found.is_current:
        return SchemaChange(found.current, found.head, ())
    if not found.known:
        raise SchemaNewer(shown(engine.url.render_as_string(hide_password=False)), found.current, found.head)
    if engine.dialect.name == "sqlite":
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    with engine.connect() as connection, connection.begin():
        if connection.dialect.name != "sqlite":
            lock_database(connection)
        found = _status(connection)  # again: another process may have migrated while we waited
        if found.is_current:
            return SchemaChange(found.current, found.head, ())
        config = alembic_config(engine)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    return SchemaChange(found.current, found.head, _between(found.current, found.head))


def _between(before: str | None, after: str) -> tuple[str, ...]:
    scripts = _scripts()
    return tuple(reversed([script.revision for script in scripts.iterate_revisions(after, before or "base")]))
