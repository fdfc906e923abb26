"""The production tier: real server processes (`settlecal serve`, gunicorn) on loopback, over the
databases of tests/conftest.py, loaded with the sample release."""

from __future__ import annotations

import pytest

from tests.protocol.conftest import loaded, reimport  # noqa: F401  (fixtures for this tier too)


@pytest.fixture
def postgresql_url(database_url: str) -> str:
    """The database URL, for tests that only mean something on PostgreSQL."""
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (set TEST_DATABASE_URL)")
    return database_url
