"""Calendars back to release rows: what the CSV format (`settlecal export`, the page's download) writes.

The rows import again as a no-op: every period in force with each of its key dates in force, and
its year where that is not the one the rule gives (a release gave it in its `year` column).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from sqlalchemy.orm import Session

from settlecal.db import queries
from settlecal.domain import CalendarFilter, Kind, period_year
from settlecal.release_format.rows import ReleaseRow


def export_rows(session: Session, where: CalendarFilter = CalendarFilter()) -> Iterator[ReleaseRow]:
    """Every period in force of the calendars that match, as the release row that would import it."""
    for line, period in enumerate(queries.periods_in_force(session, where), start=2):
        yield _row(line, period)


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
