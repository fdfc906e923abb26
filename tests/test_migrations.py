"""The migrations build exactly the schema the models declare, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from settlecal.db.models import Base
from settlecal.db.schema import is_current, upgrade


def test_upgrade_builds_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []
    assert is_current(engine)
    assert set(inspect(engine).get_table_names()) >= {"calendar", "period", "key_date", "release", "change"}


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)

    assert is_current(engine)
