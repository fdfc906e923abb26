"""Calendars back to release rows: what the CSV format (`settlecal export`, the page's download) writes.

The rows import again as a no-op: every period in force with each of its key dates in force, and
its year where that is not the one the rule gives (a release gave it in its `year` column), its
zone where that is not the country's principal one, and the calendars of a multi-country operation
as the one operation row per period that published them (`AE|BH|OM`).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterator

from sqlalchemy.orm import Session

from settlecal.db import queries
from settlecal.domain import CUTOFF_KINDS, MEMBER_SEPARATOR, SINGLE_DAY_KINDS, CalendarFilter, CalendarKey, period_year
from settlecal.release_format.rows import ReleaseRow
from settlecal.releases.diff import row_fingerprint
from settlecal.zones import country_zone


def export_rows(session: Session, where: CalendarFilter = CalendarFilter()) -> Iterator[ReleaseRow]:
    """Every period in force of the calendars that match, as the release row that would import it."""
    by_calendar: dict[CalendarKey, list[ReleaseRow]] = {}
    for line, period in enumerate(queries.periods_in_force(session, where), start=2):
        row = _row(line, period)
        by_calendar.setdefault(row.calendar, []).append(row)
    for key, rows in by_calendar.items():
        members = rows[0].members
        if members is None:
            yield from rows
            continue
        # The member calendars that still say they are this operation: written once, as the operation,
        # when they hold the same periods (they do unless a release has since spoken for one alone).
        claimants = [member for member in (CalendarKey(key.system, country, key.currency, key.frequency)
                                           for country in members)
                     if by_calendar.get(member) and by_calendar[member][0].members == members]
        if len({_contents(by_calendar[member]) for member in claimants}) == 1:
            if key == claimants[0]:
                # One zone for all members: written unless it is the principal zone of each of them.
                zone = rows[0].zone
                given = None if all(country_zone(country) == zone for country in members) else zone
                yield from (dataclasses.replace(row, timezone=given) for row in rows)
        else:
            yield from (_single(row) for row in rows)


def _contents(rows: list[ReleaseRow]) -> tuple[tuple[str, int, str | None, str], ...]:
    return tuple((row.period, row.year, row.zone, row_fingerprint(row)) for row in rows)


def _single(row: ReleaseRow) -> ReleaseRow:
    return dataclasses.replace(row, members=None)


def _row(line: int, period: queries.PeriodInForce) -> ReleaseRow:
    dates = period.dates
    days = tuple(found[0] if (found := dates.get(facts.kind)) else None for facts in SINGLE_DAY_KINDS)
    cutoffs = tuple(datetime.time.fromisoformat(found[1]) if (found := dates.get(facts.kind)) and found[1] else None
                    for facts in CUTOFF_KINDS)
    return ReleaseRow(
        line=line,
        calendar=period.calendar,
        period=period.code,
        period_start=period.start,
        period_end=period.end,
        dates=days,
        cutoffs=cutoffs,
        remarks=period.remarks,
        given_year=None if period.year == period_year(period.start, period.end) else period.year,
        # The country's principal zone is what an empty cell means: written only when another.
        timezone=None if period.timezone == country_zone(period.calendar.country) else period.timezone,
        members=tuple(period.members.split(MEMBER_SEPARATOR)) if period.members else None,
    )
