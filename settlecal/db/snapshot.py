"""Reading the database: one request reads one revision.

Radicale calls the storage several times per request (discover, then sync, then get_multi …), some of
them after it released its lock. Each call opening its own transaction could see an import commit
in between and answer with half of the old and half of the new revision. So the WSGI entry opens a
*request snapshot*: one read transaction, started lazily at the first read and kept until the
response is built. Storage calls made inside it share that transaction; calls made outside one
(Radicale's own server, tests driving the storage directly) get a short transaction of their own.

SQLite in WAL mode gives a read transaction a stable snapshot; PostgreSQL does with REPEATABLE READ.
The session lives in a ContextVar, so every thread (Radicale's server, gunicorn's gthread workers)
has its own.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from sqlalchemy import Engine
from sqlalchemy.orm import Session

_current: contextvars.ContextVar[tuple[Engine, Session] | None] = contextvars.ContextVar(
    "settlecal_request_snapshot", default=None
)


def _session(engine: Engine) -> Session:
    if engine.dialect.name == "postgresql":
        # READ COMMITTED (the default) would let each statement see a newer revision.
        engine = engine.execution_options(isolation_level="REPEATABLE READ")
    # autoflush off: nothing is ever written, so there is nothing to flush before each query.
    return Session(engine, autoflush=False, expire_on_commit=False)


@contextlib.contextmanager
def request_snapshot(engine: Engine) -> Iterator[None]:
    """Makes every `reading(engine)` inside the block share one read transaction."""
    if _current.get() is not None:  # nested: the outer snapshot already covers the request
        yield
        return
    session = _session(engine)
    token = _current.set((engine, session))
    try:
        yield
    finally:
        _current.reset(token)
        session.close()  # rolls the read transaction back and returns the connection


@contextlib.contextmanager
def reading(engine: Engine) -> Iterator[Session]:
    """The request's snapshot session if one is open on this engine, else a short one for this call."""
    current = _current.get()
    if current is not None and current[0] is engine:
        yield current[1]
        return
    session = _session(engine)
    try:
        yield session
    finally:
        session.close()
