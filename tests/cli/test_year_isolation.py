"""Property: whatever the calendars, importing one year's file (as published, amended or cut short)
leaves the export of every other year byte for byte as it was, and makes that year exactly the file.

Calendars are random and span several years: ISO weeks, months, and runs of periods of random
lengths (1 to 20 days), so periods straddle new years, ties (as many days in each year) included.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import random
from collections import defaultdict
from collections.abc import Iterator

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, delete

from settlecal.db.models import Base
from settlecal.domain import CalendarKey, Frequency, Kind, System, period_year
from settlecal.db.snapshot import reading
from settlecal.releases.export import export_rows
from settlecal.releases.service import import_release
from settlecal.release_format.file import ReleaseFile, ReleaseFormat, write_release_csv
from settlecal.release_format.rows import ReleaseRow, kind_cutoffs, kind_dates

Span = tuple[str, dt.date, dt.date]  # period code, first and last day
ONE_DAY = dt.timedelta(days=1)
WEEKLY = CalendarKey(System.BSP, "ZA", "ZAR", Frequency.WEEKLY)
MONTHLY = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
RUNS = CalendarKey(System.CASS, "DE", "EUR", Frequency.TEN_DAILY)


def iso_weeks(year: int) -> Iterator[Span]:
    monday = dt.date.fromisocalendar(year, 1, 1)
    while monday.isocalendar()[0] == year:
        yield f"{year}-W{monday.isocalendar()[1]:02d}", monday, monday + 6 * ONE_DAY
        monday += 7 * ONE_DAY


def months(year: int) -> Iterator[Span]:
    for month in range(1, 13):
        first = dt.date(year, month, 1)
        yield f"{year}-{month:02d}", first, (first + 32 * ONE_DAY).replace(day=1) - ONE_DAY


def runs(years: range, rng: random.Random) -> dict[int, list[Span]]:
    """Back-to-back periods of 1 to 20 days across the years, each in the year `period_year` gives."""
    by_year: dict[int, list[Span]] = defaultdict(list)
    start, number = dt.date(years[0] - 1, 12, rng.randint(1, 31)), 0
    while start <= dt.date(years[-1], 12, 31):
        end = start + rng.randint(0, 19) * ONE_DAY
        number += 1
        if period_year(start, end) in years:
            by_year[period_year(start, end)].append((f"R{number}", start, end))
        start = end + ONE_DAY
    return by_year


def periods(calendar: CalendarKey, years: range, rng: random.Random) -> dict[int, list[Span]]:
    if calendar == RUNS:
        return runs(years, rng)
    return {year: list((iso_weeks if calendar == WEEKLY else months)(year)) for year in years}


def key_dates(calendar: CalendarKey, period: Span, rng: random.Random) -> ReleaseRow:
    code, start, end = period

    def after(low: int, high: int) -> dt.date | None:
        return end + rng.randint(low, high) * ONE_DAY if rng.random() < 0.8 else None

    remittance = after(5, 15)
    cutoff = dt.time(rng.choice([12, 14])) if remittance and rng.random() < 0.7 else None
    remarks = rng.choice([None, None, "Remittance moved: bank holiday"])
    dates = {Kind.SUBMISSION: after(1, 3), Kind.BILLING: after(2, 6), Kind.REMITTANCE: remittance,
             Kind.SETTLEMENT: after(16, 18)}
    return ReleaseRow(0, calendar, code, start, end, kind_dates(dates), kind_cutoffs({Kind.REMITTANCE: cutoff}), remarks)


@st.composite
def calendars(draw: st.DrawFn) -> tuple[dict[int, list[ReleaseRow]], random.Random]:
    """Complete files, one per year, of one to three calendars over two to four years."""
    first = draw(st.integers(2024, 2030))
    years = range(first, first + draw(st.integers(2, 4)))
    chosen = draw(st.lists(st.sampled_from([WEEKLY, MONTHLY, RUNS]), min_size=1, max_size=3, unique=True))
    rng = random.Random(draw(st.integers(0, 2**32)))
    files: dict[int, list[ReleaseRow]] = {year: [] for year in years}
    for calendar in chosen:
        spans = periods(calendar, years, rng)
        for year in years:
            files[year] += [key_dates(calendar, period, rng) for period in spans[year]]
    return files, rng


def amended(rows: list[ReleaseRow], rng: random.Random, dropped: float) -> list[ReleaseRow]:
    """`rows` with a share of each calendar's periods dropped (its first kept: a calendar the file
    lacks is not republished), and some key dates moved or dropped."""
    firsts = set({row.calendar: row for row in reversed(rows)}.values())
    kept = [row for row in rows if row in firsts or rng.random() >= dropped]
    def moved(row: ReleaseRow) -> ReleaseRow:
        billing, settlement = row.date(Kind.BILLING), row.date(Kind.SETTLEMENT)
        return row.with_kinds({Kind.BILLING: billing and billing + rng.randint(-2, 2) * ONE_DAY,
                               Kind.SETTLEMENT: settlement if rng.random() < 0.9 else None})

    return [moved(row) for row in kept]


def csv_text(rows: list[ReleaseRow]) -> str:
    out = io.StringIO()
    write_release_csv(rows, out)
    return out.getvalue()


def release(rows: list[ReleaseRow], name: str) -> ReleaseFile:
    return ReleaseFile(name, hashlib.sha256(csv_text(rows).encode()).hexdigest(), ReleaseFormat.CSV, tuple(rows))


def exports_by_year(engine: Engine) -> dict[int, str]:
    by_year: dict[int, list[ReleaseRow]] = defaultdict(list)
    with reading(engine) as session:
        for row in export_rows(session):
            by_year[row.year].append(row)
    return {year: csv_text(rows) for year, rows in by_year.items()}


def emptied(engine: Engine) -> Engine:
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(delete(table))
    return engine


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(calendars(), st.data())
def test_importing_one_year_leaves_every_other_year_byte_identical(
    engine: Engine, generated: tuple[dict[int, list[ReleaseRow]], random.Random], data: st.DataObject
) -> None:
    files, rng = generated
    emptied(engine)  # one database per backend for every example
    for year in data.draw(st.permutations(list(files)), label="import order"):
        outcome = import_release(engine, release(files[year], f"{year}.csv"), operator="tests", notify=False)
        assert outcome.removals == ()
    before = exports_by_year(engine)
    assert before == {year: csv_text(rows) for year, rows in files.items()}
    year = data.draw(st.sampled_from(list(files)), label="year republished")
    new = amended(files[year], rng, data.draw(st.sampled_from([0.0, 0.1, 0.5, 0.9]), label="share dropped"))

    import_release(engine, release(new, f"{year}-again.csv"), operator="tests", allow_removals=True, notify=False)

    after = exports_by_year(engine)
    assert {other: text for other, text in after.items() if other != year} == {
        other: text for other, text in before.items() if other != year}
    assert after[year] == csv_text(new)
