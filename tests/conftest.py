"""Fixtures shared by every tier: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
release files looked up by name, and the admin command run through click's test runner."""

from __future__ import annotations

import os
import pathlib
import uuid
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, create_engine, text

from caldav_plugin.db.engine import make_engine
from caldav_plugin.db.schema import upgrade
from importer.cli import cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "importer" / "samples"
DATA = pathlib.Path(__file__).resolve().parent / "data"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _postgresql_database() -> Iterator[str]:
    """A database of its own for one test, created from TEST_DATABASE_URL's server and dropped after."""
    admin_url = os.environ["TEST_DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"settlecal_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        make_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    """An empty database's URL, on each backend the machine has."""
    if request.param == "postgresql":
        yield from _postgresql_database()
    else:
        url = f"sqlite:///{tmp_path / 'settlecal.sqlite3'}"
        yield url
        make_engine(url).dispose()


@pytest.fixture
def engine(database_url: str) -> Engine:
    """An engine on an empty, migrated database."""
    engine = make_engine(database_url)
    upgrade(engine)
    return engine


@pytest.fixture
def sample() -> pathlib.Path:
    return SAMPLES / "sample-release.csv"


@pytest.fixture
def amendment() -> pathlib.Path:
    return SAMPLES / "amendment.csv"


class Settlecal:
    """Runs `settlecal` in-process against one database."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    def __call__(self, *args: str | os.PathLike[str], input: str | None = None) -> Result:
        return CliRunner().invoke(cli, ["--database", self.database_url, *map(str, args)], input=input)


@pytest.fixture
def settlecal(database_url: str) -> Settlecal:
    return Settlecal(database_url)
