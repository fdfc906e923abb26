"""The loopback streaming read replica (.ci/replica) seen from tests: where a primary database's copy
is, and waiting, bounded, until the replica has replayed what the primary wrote.

A physical replica copies the primary's whole cluster, so a scratch database created on the primary
(bench/databases.py) appears on the replica under the same name once its CREATE DATABASE is
replayed, and disappears once its DROP DATABASE is. TEST_REPLICA_URL names the replica's server
(any database on it; .ci/run sets `postgresql://postgres@127.0.0.1:5433/test`).
"""

from __future__ import annotations

import time
from typing import Final

import psycopg
from sqlalchemy.engine import make_url

REPLICA_URL_ENV: Final = "TEST_REPLICA_URL"
# Replay of a sample import on loopback takes milliseconds; this only bounds a broken replica.
REPLAY_TIMEOUT: Final = 30.0
_POLL: Final = 0.01


class ReplayTimeout(AssertionError):
    """The replica did not replay up to the primary's position in time."""


def same_database(server_url: str, database_url: str) -> str:
    """`database_url`'s database on `server_url`'s server: a primary database's copy on the replica."""
    database = make_url(database_url).database
    return make_url(server_url).set(database=database).render_as_string(hide_password=False)


def _maintenance(url: str) -> str:
    # LSNs are the cluster's, and a database the replica has not replayed yet cannot be connected
    # to: ask the `postgres` database, through plain libpq (no SQLAlchemy driver suffix).
    return make_url(url).set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)


def _scalar(url: str, sql: str, *params: object) -> object:
    with psycopg.connect(_maintenance(url), autocommit=True, connect_timeout=5) as connection:
        row = connection.execute(sql, params).fetchone()
    assert row is not None
    return row[0]


def primary_position(primary_url: str) -> str:
    """The primary's current WAL position (an LSN such as `0/3000148`)."""
    return str(_scalar(primary_url, "SELECT pg_current_wal_lsn()::text"))


def wait_for_replay(primary_url: str, replica_url: str, *, timeout: float = REPLAY_TIMEOUT) -> str:
    """Waits until the replica has replayed everything the primary had written when called.

    Polls pg_last_wal_replay_lsn() on the replica against the primary's pg_current_wal_lsn(); returns
    that LSN. Raises ReplayTimeout after `timeout` seconds, at once if replay is paused.
    """
    target = primary_position(primary_url)
    deadline = time.monotonic() + timeout
    with psycopg.connect(_maintenance(replica_url), autocommit=True, connect_timeout=5) as replica:
        while True:
            row = replica.execute(
                "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn, pg_last_wal_replay_lsn()::text,"
                " pg_get_wal_replay_pause_state()", (target,)).fetchone()
            assert row is not None
            caught_up, replayed, pause = row
            if caught_up:
                return target
            if pause != "not paused":
                raise ReplayTimeout(f"replay on the replica is {pause} at {replayed}; the primary is at {target}")
            if time.monotonic() >= deadline:
                raise ReplayTimeout(f"the replica replayed up to {replayed} only, the primary is at {target}, "
                                    f"after {timeout:.0f} s: is it streaming? (bash .ci/replica)")
            time.sleep(_POLL)


def pause_replay(replica_url: str) -> None:
    """Stops the replica before the next WAL record it has not replayed: it keeps serving what it has."""
    _scalar(replica_url, "SELECT pg_wal_replay_pause()")
    state = _scalar(replica_url, "SELECT pg_get_wal_replay_pause_state()")
    assert state in ("pause requested", "paused"), state


def resume_replay(replica_url: str) -> None:
    _scalar(replica_url, "SELECT pg_wal_replay_resume()")


def database_exists(server_url: str, name: str) -> bool:
    return bool(_scalar(server_url, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = %s)", name))
