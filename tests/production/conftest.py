"""The production tier: real server processes (`settlecal serve`, gunicorn) on loopback, over the
databases of tests/conftest.py, loaded with the sample release; and a primary database with its copy
on the loopback streaming replica (.ci/replica) for the read-replica tests."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator

import pytest
from sqlalchemy.engine import make_url

from bench.databases import scratch_postgresql
from settlecal.db.engine import make_engine
from tests.protocol.conftest import loaded, reimport  # noqa: F401  (fixtures for this tier too)
from tests.replica import REPLICA_URL_ENV, database_exists, resume_replay, same_database, wait_for_replay


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    """The database URL, for tests that only mean something on PostgreSQL."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    return database_url


@dataclasses.dataclass(frozen=True)
class Replicated:
    """One scratch database: its URL on the primary, and the URL of its copy on the replica."""

    primary_url: str
    replica_url: str


@pytest.fixture
def replicated() -> Iterator[Replicated]:
    """An empty scratch database on the primary, already replayed on the replica; replay is running
    again when the test ends (whatever it paused), and the copy is gone from the replica after."""
    primary_server = os.environ.get("TEST_DATABASE_URL")
    replica_server = os.environ.get(REPLICA_URL_ENV)
    if not primary_server or not replica_server:
        pytest.skip(f"needs a streaming replica: set TEST_DATABASE_URL and {REPLICA_URL_ENV} "
                    "(bash .ci/replica creates one on port 5433 and prints the URL)")
    with scratch_postgresql(primary_server, "settlecal_replica_test") as primary_url:
        replica_url = same_database(replica_server, primary_url)
        try:
            wait_for_replay(primary_url, replica_url)
            yield Replicated(primary_url, replica_url)
        finally:
            resume_replay(replica_url)
            make_engine(replica_url).dispose()
    # The primary dropped it; the replica must follow, or scratch databases would pile up there.
    wait_for_replay(primary_server, replica_server)
    name = make_url(primary_url).database
    assert name and not database_exists(replica_server, name), f"{name} is still on the replica"
