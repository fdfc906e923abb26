"""Engine and session behaviour that the importer and the server rely on."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from settlecal.db.engine import writing


def test_a_failed_write_gives_back_a_connection_with_the_readers_cache(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("the writer's page cache is a SQLite setting")
    with engine.connect() as connection:
        default = connection.exec_driver_sql("PRAGMA cache_size").scalar()

    with pytest.raises(RuntimeError), writing(engine):
        raise RuntimeError("the import was refused")

    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA cache_size").scalar() == default
