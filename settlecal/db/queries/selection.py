"""Reads of the web page: the key dates in force of several calendars at once."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlecal.db.models import Calendar, KeyDate, Period, Release
from settlecal.domain import CalendarFilter, CalendarKey, Kind
from settlecal.db.queries.calendars import EventRow, calendar_key, filter_calendars, utc


@dataclasses.dataclass(frozen=True, slots=True)
class SelectedKeyDate:
    """A key date in force with the calendar it belongs to (the web page shows several at once)."""

    calendar: CalendarKey
    event: EventRow


def selected_key_dates(
    session: Session,
    where: CalendarFilter = CalendarFilter(),
    *,
    kinds: Iterable[Kind] = (),
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    limit: int | None = None,
) -> list[SelectedKeyDate]:
    """The key dates in force of the calendars that match, dated in [first, last] (either bound
    optional), of the given kinds (none given: every kind); ordered by date, calendar, period, kind."""
    query = filter_calendars(
        select(
            Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
            Period.code, Period.start, Period.end, Period.remarks, KeyDate.kind, KeyDate.date,
            KeyDate.end, KeyDate.cutoff, KeyDate.sequence, KeyDate.revision, Release.created_at,
        )
        .join(KeyDate, KeyDate.calendar_id == Calendar.id)
        .join(Period, KeyDate.period_id == Period.id)
        .join(Release, KeyDate.revision == Release.id)
        .where(KeyDate.removed.is_(False))
        .order_by(KeyDate.date, Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
                  Period.code, KeyDate.kind),
        where,
    )
    wanted = sorted(kind.value for kind in kinds)
    if wanted:
        query = query.where(KeyDate.kind.in_(wanted))
    if first is not None:
        query = query.where(KeyDate.date >= first)
    if last is not None:
        query = query.where(KeyDate.date <= last)
    if limit is not None:
        query = query.limit(limit)
    return [
        SelectedKeyDate(
            calendar_key(row[:4]),
            EventRow(row[4], row[5], row[6], row[7], Kind(row[8]), row[9], row[10], row[11], row[12],
                     row[13], utc(row[14]), False),
        )
        for row in session.execute(query)
    ]
