"""Fixtures shared by every tier: databases (SQLite always, PostgreSQL when TEST_DATABASE_URL is set),
release files looked up by name, and the admin command run through click's test runner."""

from __future__ import annotations

import os
import pathlib
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import Engine, inspect, select

from bench.databases import scratch_postgresql
from settlecal.db.engine import dispose_engines, make_engine
from settlecal.db.models import Base
from settlecal.db.schema import upgrade
from importer.cli import cli

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "importer" / "samples"
DATA = pathlib.Path(__file__).resolve().parent / "data"

BACKENDS = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])


def _postgresql_database() -> Iterator[str]:
    """A database of its own for one test, created from TEST_DATABASE_URL's server and dropped after."""
    with scratch_postgresql(os.environ["TEST_DATABASE_URL"], "settlecal_test") as url:
        yield url


def database_rows(engine: Engine, *, leave_out: frozenset[str] = frozenset()) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, sorted, without the `table.column`s left out: what "nothing was
    written" compares (the database files' bytes would not do: SQLite appends to its WAL)."""
    with engine.connect() as connection:
        existing = set(inspect(connection).get_table_names())  # a downgraded schema lacks newer tables
        return {
            table.name: sorted(connection.execute(select(
                *(column for column in table.columns if f"{table.name}.{column.name}" not in leave_out)
            )).all(), key=repr)
            for table in Base.metadata.sorted_tables if table.name in existing
        }


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: pathlib.Path) -> Iterator[str]:
    """An empty database's URL, on each backend the machine has."""
    if request.param == "postgresql":
        yield from _postgresql_database()
    else:
        url = f"sqlite:///{tmp_path / 'settlecal.sqlite3'}"
        yield url
        dispose_engines(url)


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
