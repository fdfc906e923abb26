"""Engines and sessions: one engine per database URL and access mode, short sessions opened at the edge.

SQLite runs in WAL mode so that readers keep reading the last committed revision while an import
writes; writers start with `BEGIN IMMEDIATE`, so two imports queue up on the database's own write
lock instead of interleaving. PostgreSQL writers take a transaction-scoped advisory lock instead (see
`writing`).

A SQLite file is opened in one of three modes (SQLite's own URI modes): `rwc` creates it (only
`settlecal import` and `migrate` do), `rw` writes to an existing one, `ro` only reads it. The server
reads with `ro` and so can never create a file, nor delete the WAL of a file that replaced the one it
had open. Each connection remembers which file (inode) it opened; a connection whose file was
removed or replaced is discarded when it is next taken from the pool, so the server follows the file
by its path: 503 while it is missing, the new file once it is there.
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import threading
import urllib.parse
from collections.abc import Iterator
from typing import Any, Literal

from sqlalchemy import Engine, create_engine, event, exc, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from settlecal.config import PoolSettings, default_database_path
from settlecal.db.errors import DriverMissing

DATABASE_URL_ENV = "SETTLECAL_DATABASE_URL"
Mode = Literal["ro", "rw", "rwc"]

# SQLite's page cache for a writer, in KiB: a million-row import maintains several indexes at once,
# and the default 2 MiB makes it re-read their pages. Readers keep the default.
_SQLITE_WRITER_CACHE_KIB = 65536
# How long a writer waits for another import to finish before giving up, in seconds.
WRITE_LOCK_TIMEOUT = 600
# An arbitrary constant that names the importers' advisory lock on PostgreSQL.
_PG_WRITE_LOCK_KEY = 0x5E771E
_FILE_IDENTITY = "settlecal_file"


def database_url(url: str | None = None) -> str:
    """The URL given, else `$SETTLECAL_DATABASE_URL`, else the SQLite file in the user's data directory."""
    return url or os.environ.get(DATABASE_URL_ENV) or f"sqlite:///{default_database_path()}"


def shown(url: str) -> str:
    """The URL for messages and logs: no password; a SQLite database as its file's path."""
    path = sqlite_path(url)
    if path is not None:
        return str(path)
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "(an unreadable database URL)"


def sqlite_path(url: str) -> pathlib.Path | None:
    """The file of a SQLite URL (absolute), else None (another database, or in memory)."""
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    if database and database.startswith("file:"):  # the URI form this module opens readers with
        database = urllib.parse.unquote(database.removeprefix("file:"))
    if not database or database == ":memory:":
        return None
    return pathlib.Path(database).expanduser().resolve()


_engines: dict[tuple[str, str, PoolSettings], Engine] = {}
_engines_lock = threading.Lock()


def make_engine(url: str, *, mode: Mode = "rwc", pool: PoolSettings = PoolSettings()) -> Engine:
    """The engine for `url`; one per (url, mode, pool) for the process, because Radicale builds its
    storage more than once per process and each engine holds a pool of connections.

    `mode` matters for SQLite only (see the module's docstring); PostgreSQL databases are made by
    their administrator. Raises DriverMissing when the URL's driver is not installed.
    """
    key = (url, mode, pool)
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = _new_engine(url, mode, pool)
        return engine


def dispose_engines(url: str) -> None:
    """Closes every pooled connection to `url` and forgets its engines: for a database that goes away
    (a test's, a benchmark's), whose connections would otherwise stay open for the process's life."""
    with _engines_lock:
        gone = [key for key in _engines if key[0] == url]
        engines = [_engines.pop(key) for key in gone]
    for engine in engines:
        engine.dispose()


def _new_engine(url: str, mode: Mode, pool: PoolSettings) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    try:
        if url.startswith("sqlite"):
            return _sqlite_engine(url, mode, pool)
        return create_engine(url, pool_pre_ping=True, pool_size=pool.size, max_overflow=pool.max_overflow,
                             pool_timeout=pool.timeout)
    except ImportError as error:
        dialect = url.split(":", 1)[0].split("+", 1)[0]
        raise DriverMissing(dialect, "postgresql" if dialect == "postgresql" else dialect) from error


def _sqlite_engine(url: str, mode: Mode, pool: PoolSettings) -> Engine:
    path = sqlite_path(url)
    options: dict[str, Any] = {"connect_args": {"timeout": WRITE_LOCK_TIMEOUT}}
    if path is not None:
        options.update(pool_size=pool.size, max_overflow=pool.max_overflow, pool_timeout=pool.timeout)
        if mode == "rwc":
            path.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_wal(path)
        else:
            url = f"sqlite+pysqlite:///file:{urllib.parse.quote(str(path))}?mode={mode}&uri=true"
    engine = create_engine(url, **options)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        # pysqlite's own transaction handling would BEGIN late and never IMMEDIATE; take it over.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        if mode != "ro":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
        if path is not None:
            record.info[_FILE_IDENTITY] = _identity(path)

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if path is not None and record.info.get(_FILE_IDENTITY) != _identity(path):
            # The pool discards this connection and opens a new one, on whatever is at the path now.
            raise exc.DisconnectionError(f"{path} was removed or replaced")

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        begin = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {begin}")

    return engine


def _identity(path: pathlib.Path) -> tuple[int, int] | None:
    try:
        status = path.stat()
    except FileNotFoundError:
        return None
    return status.st_dev, status.st_ino


def _remove_stale_wal(path: pathlib.Path) -> None:
    """A new database must not start from the WAL a deleted one left behind: SQLite would replay it."""
    if path.exists():
        return
    for suffix in ("-wal", "-shm"):
        with contextlib.suppress(FileNotFoundError):
            path.with_name(path.name + suffix).unlink()


@contextlib.contextmanager
def writing(engine: Engine) -> Iterator[Session]:
    """One write transaction holding the database-wide write lock; commits on success.

    Everything in it is atomic: a crash or `kill -9` part-way leaves the previous revision intact.
    """
    sqlite = engine.dialect.name == "sqlite"
    if sqlite:
        engine = engine.execution_options(sqlite_begin="IMMEDIATE")
    with sessionmaker(engine, expire_on_commit=False).begin() as session:
        if not sqlite:
            lock_database(session.connection())
            yield session
            return
        driver = session.connection().connection.driver_connection
        assert driver is not None
        cache = driver.execute("PRAGMA cache_size").fetchone()[0]
        driver.execute(f"PRAGMA cache_size = -{_SQLITE_WRITER_CACHE_KIB}")
        try:
            yield session
        finally:
            # The connection goes back to the pool, where readers should not inherit the cache, even
            # when the write failed (the driver answers a PRAGMA whatever the transaction's state).
            driver.execute(f"PRAGMA cache_size = {cache}")


def lock_database(connection: Any) -> None:
    """Takes the database-wide write lock in the connection's PostgreSQL transaction, till it ends.

    (On SQLite the lock is the transaction's own `BEGIN IMMEDIATE`.)
    """
    connection.execute(text(f"SET LOCAL lock_timeout = '{WRITE_LOCK_TIMEOUT}s'"))
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK_KEY})
