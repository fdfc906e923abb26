"""Throwaway PostgreSQL databases for tests and benchmarks: created on a server, dropped after."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator

from sqlalchemy import create_engine, text

from settlecal.db.engine import dispose_engines


@contextlib.contextmanager
def scratch_postgresql(server_url: str, prefix: str = "settlecal_scratch") -> Iterator[str]:
    """The URL of a new, empty database on `server_url`'s server, dropped when the block ends.

    Raises sqlalchemy.exc.OperationalError when the server does not answer.
    """
    admin = create_engine(server_url.replace("postgresql://", "postgresql+psycopg://", 1),
                          isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = admin.url.set(database=name).render_as_string(hide_password=False)
        try:
            yield url
        finally:
            dispose_engines(url)
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()
