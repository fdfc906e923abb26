"""Calendars back to the release format: what `settlecal export` writes.

The output imports again as a no-op: every period in force with each of its key dates in force, and
its year where that is not the one the rule gives (a release gave it in its `year` column).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import TextIO

from sqlalchemy import Engine

from caldav_plugin.db import queries
from caldav_plugin.db.engine import reading
from caldav_plugin.settlement import CalendarFilter, Kind, period_year
from importer.release_file import write_release_csv
from importer.release_rows import ReleaseRow


def export_rows(engine: Engine, where: CalendarFilter = CalendarFilter()) -> Iterator[ReleaseRow]:
    with reading(engine) as session:
        for line, period in enumerate(queries.periods_in_force(session, where), start=2):
            yield _row(line, period)


def export_release(engine: Engine, fp: TextIO, where: CalendarFilter = CalendarFilter()) -> None:
    write_release_csv(export_rows(engine, where), fp)


def _row(line: int, period: queries.PeriodInForce) -> ReleaseRow:
    def day(kind: Kind) -> datetime.date | None:
        found = period.dates.get(kind)
        return None if found is None else found[0]

    remittance = period.dates.get(Kind.REMITTANCE)
    cutoff = remittance[1] if remittance else None
    return ReleaseRow(
        line=line,
        calendar=period.calendar,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
        submission=day(Kind.SUBMISSION),
        billing=day(Kind.BILLING),
        remittance=day(Kind.REMITTANCE),
        remittance_cutoff=None if cutoff is None else datetime.time.fromisoformat(cutoff),
        settlement=day(Kind.SETTLEMENT),
        correction_cutoff=day(Kind.CORRECTION_CUTOFF),
        dispute_deadline=day(Kind.DISPUTE_DEADLINE),
        remarks=period.remarks,
        given_year=None if period.year == period_year(period.start, period.end) else period.year,
    )
