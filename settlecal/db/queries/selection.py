"""Reads of the web page: the key dates in force of several calendars at once."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from settlecal.db.models import Calendar, KeyDate, Period, Release
from settlecal.domain import CalendarFilter, CalendarKey, Kind
from settlecal.zones import abbreviation
from settlecal.db.queries.calendars import EventRow, calendar_key, filter_calendars, utc
from settlecal.db.queries.settles import settled_periods


# Where a key date stands in the order of `selected_key_dates`: date, system, country, currency,
# frequency, period code, kind. Unique, so a page can start right after one (keyset pagination).
KeyDatePosition = tuple[datetime.date, str, str, str, str, str, str]
_ORDER = (KeyDate.date, Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency, Period.code,
          KeyDate.kind)


@dataclasses.dataclass(frozen=True, slots=True)
class SelectedKeyDate:
    """A key date in force with the calendar it belongs to (the web page shows several at once)."""

    calendar: CalendarKey
    event: EventRow
    timezone: str = "UTC"  # the calendar's operation zone

    @property
    def cutoff_label(self) -> str | None:
        """`12:00 CEST`: the cut-off with the abbreviation its zone uses on that day (the page)."""
        cutoff = self.event.cutoff
        if cutoff is None:
            return None
        return f"{cutoff} {abbreviation(self.timezone, self.event.date, datetime.time.fromisoformat(cutoff))}"

    @property
    def position(self) -> KeyDatePosition:
        key, event = self.calendar, self.event
        return (event.date, key.system.value, key.country, key.currency, key.frequency.value, event.period,
                event.kind.value)


def selected_key_dates(
    session: Session,
    where: CalendarFilter = CalendarFilter(),
    *,
    kinds: Iterable[Kind] = (),
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    limit: int | None = None,
    after: KeyDatePosition | None = None,
) -> list[SelectedKeyDate]:
    """The key dates in force of the calendars that match, dated in [first, last] (either bound
    optional), of the given kinds (none given: every kind); ordered by date, calendar, period, kind,
    starting after the key date at `after` when given."""
    query = filter_calendars(
        select(
            Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
            Period.code, Period.start, Period.end, Period.remarks, KeyDate.kind, KeyDate.date,
            KeyDate.end, KeyDate.cutoff, KeyDate.sequence, KeyDate.revision, Release.created_at,
            Calendar.id, Calendar.timezone,
        )
        .join(KeyDate, KeyDate.calendar_id == Calendar.id)
        .join(Period, KeyDate.period_id == Period.id)
        .join(Release, KeyDate.revision == Release.id)
        .where(KeyDate.removed.is_(False))
        .order_by(*_ORDER),
        where,
    )
    wanted = sorted(kind.value for kind in kinds)
    if wanted:
        query = query.where(KeyDate.kind.in_(wanted))
    if first is not None:
        query = query.where(KeyDate.date >= first)
    if last is not None:
        query = query.where(KeyDate.date <= last)
    if after is not None:
        query = query.where(tuple_(*_ORDER) > tuple_(*after))
    if limit is not None:
        query = query.limit(limit)
    rows = session.execute(query).all()
    remitting = {row[15] for row in rows if row[8] == Kind.REMITTANCE.value}
    settles = settled_periods(session, remitting)
    return [
        SelectedKeyDate(
            calendar_key(row[:4]),
            EventRow(row[4], row[5], row[6], row[7], Kind(row[8]), row[9], row[10], row[11], row[12],
                     row[13], utc(row[14]), False,
                     settles.get((row[15], row[4])) if row[8] == Kind.REMITTANCE.value else None),
            row[16],
        )
        for row in rows
    ]
