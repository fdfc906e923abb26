"""Engines and sessions: one engine per database URL, short sessions opened at the edge.

SQLite runs in WAL mode so that readers keep reading the last committed revision while an import
writes; writers start with `BEGIN IMMEDIATE`, so two imports queue up on the database's own write
lock instead of interleaving. PostgreSQL writers take a transaction-scoped advisory lock instead (see
`writing`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import pathlib
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

DATABASE_URL_ENV = "SETTLECAL_DATABASE_URL"
PROJECT_ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = f"sqlite:///{PROJECT_ROOT / 'var' / 'settlecal.sqlite3'}"

# SQLite's page cache for a writer, in KiB: a million-row import maintains several indexes at once,
# and the default 2 MiB makes it re-read their pages. Readers keep the default.
_SQLITE_WRITER_CACHE_KIB = 65536
# How long a writer waits for another import to finish before giving up, in seconds.
WRITE_LOCK_TIMEOUT = 600
# An arbitrary constant that names the importers' advisory lock on PostgreSQL.
_PG_WRITE_LOCK_KEY = 0x5E771E


def database_url(url: str | None = None) -> str:
    """The URL given, else `$SETTLECAL_DATABASE_URL`, else the SQLite file under `var/`."""
    return url or os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL


@functools.cache
def make_engine(url: str) -> Engine:
    """The engine for `url`; cached, because Radicale builds its storage more than once per process."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    engine = create_engine(url, connect_args={"timeout": WRITE_LOCK_TIMEOUT})
    database = engine.url.database
    if database and database != ":memory:":
        pathlib.Path(database).parent.mkdir(parents=True, exist_ok=True)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would BEGIN late and never IMMEDIATE; take it over.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


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
            session.execute(text(f"SET LOCAL lock_timeout = '{WRITE_LOCK_TIMEOUT}s'"))
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_WRITE_LOCK_KEY})
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
