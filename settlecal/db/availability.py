"""Opening a database for a command or a server, and telling an outage from a bug.

`open_database` is the one way in for everything but the tests: it refuses a SQLite file that does not
exist unless the caller may create it (`mode="rwc"`: import and migrate), connects once, and checks the
schema. Driver and connection errors become the typed errors of settlecal.db.errors, with the URL
shown without its password.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Final

from sqlalchemy import Engine, make_url, text
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session

from settlecal.config import PoolSettings
from settlecal.db.engine import Mode, make_engine, shown, sqlite_path
from settlecal.db.errors import DatabaseMissing, DatabaseUnreachable
from settlecal.db.schema import require_current, status

OUTAGES: Final = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)
# SQLSTATE read_only_sql_transaction: a write reached a hot standby (or a read-only role or database).
_READ_ONLY: Final = "25006"


def is_outage(error: BaseException) -> bool:
    """Whether an exception means the database cannot be reached or written (not a bug in a query)."""
    if isinstance(error, OUTAGES):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    return bool(error.connection_invalidated) or getattr(error.orig, "sqlstate", None) == _READ_ONLY


def describe(error: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """One line about a database error: its driver error's class and first line.

    No SQL, no parameters, and none of `secrets` (e.g. the database password).
    """
    original = getattr(error, "orig", None) or error
    first = (str(original).strip().splitlines() or [""])[0][:200]
    for secret in secrets:
        if secret:
            first = first.replace(secret, "***")
    return f"{type(original).__name__}: {first}"


def secrets_of(engine: Engine) -> tuple[str, ...]:
    password = engine.url.password
    return (str(password),) if password else ()


@contextlib.contextmanager
def outages_reported(url: str) -> Iterator[None]:
    """Turns a connection failure inside the block into DatabaseUnreachable (one line, no SQL)."""
    try:
        yield
    except sa_exc.SQLAlchemyError as error:
        if not is_outage(error):
            raise
        raise DatabaseUnreachable(shown(url), describe(error, url_secrets(url))) from error


def url_secrets(url: str) -> tuple[str, ...]:
    """The password in a database URL, to keep out of messages."""
    try:
        password = make_url(url).password
    except sa_exc.ArgumentError:
        return ()
    return (str(password),) if password else ()


def open_database(url: str, *, mode: Mode, pool: PoolSettings = PoolSettings(),
                  require_schema: bool = True) -> Engine:
    """An engine on the database at `url`, checked: it exists (or `mode` creates it), it answers, and
    (with `require_schema`) its schema is the one this code needs.

    Raises DatabaseMissing, DatabaseUnreachable, DriverMissing, SchemaNotCurrent or SchemaNewer.
    """
    path = sqlite_path(url)
    if mode != "rwc" and path is not None and not path.is_file():
        raise DatabaseMissing(str(path))
    engine = make_engine(url, mode=mode, pool=pool)
    with outages_reported(url):
        if require_schema:
            require_current(engine)
        else:
            status(engine)
    return engine


def writable(engine: Engine) -> str:
    """"ok" when writes can go to `engine`, "read-only" (a hot standby, a read-only role or database),
    or "unreachable"."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            if connection.execute(text("SHOW transaction_read_only")).scalar() == "on":
                return "read-only"
        else:
            connection.execute(text("SELECT 1"))
    return "ok"


def is_replica(session: Session) -> bool:
    """Whether the session reads a PostgreSQL hot standby (a streaming replica still replaying)."""
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.execute(text("SELECT pg_is_in_recovery()")).scalar())
