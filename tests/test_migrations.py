"""The migrations build exactly the schema the models declare, on every backend, and change data
without changing what clients see."""

from __future__ import annotations

import datetime
import functools
import importlib.util
import pathlib
from typing import Any

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, inspect, select

from caldav_plugin import collection
from settlecal.formats import ical as render
from settlecal.db import queries
from settlecal.db.snapshot import reading
from settlecal.db.models import Base, Calendar, Period
from settlecal.db.schema import alembic_config, is_current, upgrade
from settlecal.domain import period_year
from settlecal.zones import country_zone
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.cli.releases import weeks, write_release
from tests.conftest import ROOT, SAMPLES, database_rows


def test_upgrade_builds_the_models_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)

    assert differences == []
    assert is_current(engine)
    assert set(inspect(engine).get_table_names()) >= {"calendar", "period", "key_date", "release", "change"}


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)

    assert is_current(engine)


def rendered(engine: Engine) -> dict[str, tuple[object, ...]]:
    """What clients see of every calendar, rendered afresh (no cache): its sync token and ETag seed (the
    revision), each event's href, ETag and text, the whole body, and what a sync from 0 reports."""
    with reading(engine) as session:
        calendars = {}
        for state in queries.calendar_states(session):
            events = [render.render_event(state.key, row) for row in queries.events(session, state.id)]
            changed = [(row.period, row.kind, row.removed, row.sequence, row.revision)
                       for row in queries.events(session, state.id, since=0)]
            body = render.render_calendar(state.key, events, refresh_minutes=60).encode()
            calendars[state.key.path] = (collection.sync_token(state.revision), state.modified_at,
                                         [(e.name, e.etag, e.text) for e in events], body, changed)
    return calendars


def years_by_period(engine: Engine) -> dict[tuple[int, str], tuple[datetime.date, datetime.date, int]]:
    with engine.connect() as connection:
        rows = connection.execute(select(Period.calendar_id, Period.code, Period.start, Period.end, Period.year))
        return {(calendar_id, code): (start, end, year) for calendar_id, code, start, end, year in rows}


def test_0003_recomputes_every_year_and_changes_nothing_a_client_sees(engine: Engine, tmp_path: pathlib.Path) -> None:
    tie = ["BSP,ES,EUR,ten-daily,P,2026-12-31,2027-01-01,,,,,,,,"]
    files = [SAMPLES / "sample-release.csv", SAMPLES / "amendment.csv",
             write_release(tmp_path / "2028.csv", weeks(2028) + tie)]
    for path in files:
        import_release(engine, read_release(path), operator="tests")
    # Read with today's models, which only the newest schema has; nothing read depends on the year.
    rows, before = database_rows(engine, leave_out=frozenset({"period.year"})), rendered(engine)
    rows.pop("calendar_render")  # derived data (0005), dropped by the downgrade and rendered again on demand
    command.downgrade(alembic_config(engine), "0002")  # back to the years 0002's importer wrote
    old = years_by_period(engine)
    assert {code: year for (_, code), (*_, year) in old.items() if code in ("2026-W53", "2027-W52", "P")} == {
        "2026-W53": 2027, "2027-W52": 2028, "P": 2027}
    assert all(year == end.year for start, end, year in old.values())

    upgrade(engine)

    after = database_rows(engine, leave_out=frozenset({"period.year"}))
    assert after.pop("calendar_render") == []  # 0005's new table
    assert after == rows
    assert rendered(engine) == before
    new = years_by_period(engine)
    assert all(year == period_year(start, end) for start, end, year in new.values())
    assert {code for (calendar_id, code), value in new.items() if value != old[calendar_id, code]} == {
        "2026-W53", "2027-W52", "P"}
    # Fingerprints are still valid: re-importing what made the database reads nothing as changed.
    for path in files[1:]:
        assert not import_release(engine, read_release(path), operator="tests", dry_run=True).changed


def test_0003_downgrades_to_the_year_of_each_period_end(engine: Engine, tmp_path: pathlib.Path) -> None:
    import_release(engine, read_release(write_release(tmp_path / "2026.csv", weeks(2026))), operator="tests")

    command.downgrade(alembic_config(engine), "0002")

    assert all(year == end.year for _, end, year in years_by_period(engine).values())
    upgrade(engine)
    assert all(year == period_year(start, end) for start, end, year in years_by_period(engine).values())


@functools.cache
def _migration_0003() -> Any:
    path = ROOT / "settlecal" / "db" / "migrations" / "versions" / "0003_period_year.py"
    spec = importlib.util.spec_from_file_location("migration_0003", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@settings(max_examples=300)
@given(st.dates(datetime.date(1990, 1, 1), datetime.date(2100, 12, 31)), st.integers(0, 800))
def test_0003_keeps_its_own_copy_of_the_rule_and_it_agrees(start: datetime.date, length: int) -> None:
    end = start + datetime.timedelta(days=length)

    assert _migration_0003().period_year(start, end) == period_year(start, end)


def _migration(name: str) -> Any:
    path = ROOT / "settlecal" / "db" / "migrations" / "versions" / name
    spec = importlib.util.spec_from_file_location(name.removesuffix(".py"), path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_0004_gives_each_calendar_its_countrys_zone_and_changes_nothing_a_client_sees(
    engine: Engine, tmp_path: pathlib.Path
) -> None:
    for path in (SAMPLES / "sample-release.csv", SAMPLES / "amendment.csv"):
        import_release(engine, read_release(path), operator="tests")
    rows, before = database_rows(engine), rendered(engine)
    rows.pop("calendar_render")  # derived data (0005), dropped by the downgrade and rendered again on demand
    command.downgrade(alembic_config(engine), "0003")
    with engine.connect() as connection:
        assert "timezone" not in {column["name"] for column in inspect(connection).get_columns("calendar")}

    upgrade(engine)

    after = database_rows(engine)
    assert after.pop("calendar_render") == []
    assert after == rows  # zones included: the importer gives the same default
    assert rendered(engine) == before
    with engine.connect() as connection:
        zones = dict(connection.execute(select(Calendar.country, Calendar.timezone)).all())
    assert zones["ES"] == "Europe/Madrid" and zones["DE"] == "Europe/Berlin"
    assert not import_release(engine, read_release(SAMPLES / "amendment.csv"), operator="tests", dry_run=True).changed


def test_0004_keeps_its_own_copy_of_the_principal_zones_and_they_agree() -> None:
    copied = _migration("0004_operations.py").principal_zones()
    assert len(copied) > 240
    assert all(country_zone(country) == zone for country, zone in copied.items())


def test_0005_adds_stored_renders_and_changes_nothing_a_client_sees(engine: Engine) -> None:
    for path in (SAMPLES / "sample-release.csv", SAMPLES / "amendment.csv"):
        import_release(engine, read_release(path), operator="tests")
    command.downgrade(alembic_config(engine), "0004")
    assert "calendar_render" not in inspect(engine).get_table_names()
    rows, before = database_rows(engine), rendered(engine)

    upgrade(engine)

    after = database_rows(engine)
    assert after.pop("calendar_render") == []  # filled by the servers, `import` and `publish`
    assert after == rows
    assert rendered(engine) == before
