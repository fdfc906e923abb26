"""The global options of `settlecal` and what every command gets from them: the settings and the database.

Errors about the configuration or the database as a whole are said here, once, in one line: the
commands never see a traceback of an unreachable server or a missing driver.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

import click
from sqlalchemy import Engine
from sqlalchemy import exc as sa_exc

from importer import report
from importer.terminal import visible_lines
from settlecal import config
from settlecal.db.availability import describe, is_outage, open_database, url_secrets
from settlecal.db.engine import Mode, shown, sqlite_path
from settlecal.db.errors import DatabaseError, DatabaseUnreachable
from settlecal.db.schema import SchemaChange, upgrade
from settlecal.errors import ReleaseInvalid, SettlecalError
from settlecal.releases.removals import RemovalsRefused

# `notify` found messages due and could not hand them over: they stay queued, cron should hear of it.
EXIT_DEFERRED = 75  # EX_TEMPFAIL


@dataclasses.dataclass
class Invocation:
    """What the global options asked for; the settings are read on first use."""

    config_path: pathlib.Path | None
    database: str | None

    @functools.cached_property
    def settings(self) -> config.Settings:
        return config.load(self.config_path, database_url=self.database)

    def use_config(self, path: pathlib.Path) -> None:
        """Reads `path` from now on (a command's own --config option)."""
        _export(path)
        self.config_path = path
        self.__dict__.pop("settings", None)

    def database_engine(self, mode: Mode) -> Engine:
        """The database, which must exist with the current schema (`rw`: written, `ro`: only read)."""
        return open_database(self.settings.database_url, mode=mode, pool=self.settings.pool)

    def created_or_migrated(self) -> tuple[Engine, SchemaChange, bool]:
        """For `import` and `migrate`: the database, created if need be and migrated to the newest schema.

        Returns the engine, what the migration did, and whether this command created the SQLite database:
        the file was absent and this process laid down its schema (several commands started together
        may each see no file, but only one of them migrates from no schema at all).
        """
        url = self.settings.database_url
        path = sqlite_path(url)
        absent = path is not None and not path.exists()
        engine = open_database(url, mode="rwc", pool=self.settings.pool, require_schema=False)
        change = upgrade(engine)
        return engine, change, absent and change.before is None and bool(change.applied)


def invocation() -> Invocation:
    obj = click.get_current_context().find_root().obj
    assert isinstance(obj, Invocation)
    return obj


class SettlecalGroup(click.Group):
    """The root group: turns configuration and database errors into `Error: …` and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return self._invoke(ctx)
        except click.ClickException as error:  # its message may quote a file's cells: never raw escapes
            if type(error) is not click.ClickException or visible_lines(error.message) == error.message:
                raise
            raise click.ClickException(visible_lines(error.message)) from error

    def _invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (DatabaseError, config.ConfigInvalid) as error:
            raise click.ClickException(str(error)) from error
        except MemoryError as error:  # a release's reading is bounded, but the machine may have less memory still
            raise click.ClickException("ran out of memory; nothing was changed (every import and rollback is one "
                                       "transaction): free memory, or split the release") from error
        except sa_exc.SQLAlchemyError as error:
            if not is_outage(error) or not isinstance(ctx.obj, Invocation):
                raise
            url = ctx.obj.settings.database_url
            unreachable = DatabaseUnreachable(shown(url), describe(error, url_secrets(url)))
            raise click.ClickException(str(unreachable)) from error


def global_options(ctx: click.Context, config_path: pathlib.Path | None, database: str | None) -> None:
    """Keeps the global options for the commands. `--config FILE` is exported as $SETTLECAL_CONFIG, so
    that the libraries and the server process the command starts read the same file."""
    if config_path is not None:
        _export(config_path)
    ctx.obj = Invocation(config_path, database)


def _export(path: pathlib.Path) -> None:
    os.environ[config.CONFIG_ENV] = str(path.resolve())


@contextlib.contextmanager
def translated_errors(as_json: bool = False) -> Iterator[None]:
    """The core's typed errors as click errors (with `as_json`, a refused release as its JSON document)."""
    try:
        yield
    except ReleaseInvalid as error:
        if as_json:
            click.echo(report.to_json(report.problems_json(error)))
            sys.exit(1)
        raise click.ClickException(str(error)) from error
    except RemovalsRefused as error:
        if as_json:
            click.echo(report.to_json(report.refusal_json(error.removals)))
            sys.exit(1)
        raise click.ClickException(str(error)) from error
    except SettlecalError as error:
        raise click.ClickException(str(error)) from error
