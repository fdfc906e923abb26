"""Reads of the change log in the order a client replays it: by revision, then as each release wrote it.

Pages are keyset pages: each starts after the (revision, change id) of the previous page's last row,
so a page costs the same wherever it falls, and a release committed between two pages only adds rows
after the last one (revisions rise, one writer at a time).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from settlecal.db.models import Calendar, Change, KeyDate, Period, Release
from settlecal.db.queries.calendars import calendar_key, filter_calendars, utc
from settlecal.domain import CalendarFilter, CalendarKey, Kind

# Where a change stands in the log: (revision, change id).
ChangePosition = tuple[int, int]
State = tuple[datetime.date, datetime.date, str | None, str | None]  # date, end, cut-off, remarks


@dataclasses.dataclass(frozen=True, slots=True)
class LoggedChange:
    """One change of one key date, with the revision (release) that made it and when."""

    id: int
    revision: int
    changed_at: datetime.datetime
    calendar: CalendarKey
    period: str
    kind: Kind
    action: str
    old: State | None
    new: State | None

    @property
    def position(self) -> ChangePosition:
        return (self.revision, self.id)


def logged_changes(
    session: Session,
    *,
    since: int = 0,
    release: int | None = None,
    where: CalendarFilter = CalendarFilter(),
    kinds: Iterable[Kind] = (),
    after: ChangePosition | None = None,
    limit: int,
) -> list[LoggedChange]:
    """At most `limit` changes made after revision `since` (or by `release` alone) to the calendars that
    match, of the given kinds (none given: every kind), in log order, starting after `after`."""
    query = filter_calendars(
        select(
            Change.id, Change.release_id, Release.created_at,
            Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
            Period.code, KeyDate.kind, Change.action,
            Change.old_date, Change.old_end, Change.old_cutoff, Change.old_remarks,
            Change.new_date, Change.new_end, Change.new_cutoff, Change.new_remarks,
        )
        .join(Release, Change.release_id == Release.id)
        .join(KeyDate, Change.key_date_id == KeyDate.id)
        .join(Period, KeyDate.period_id == Period.id)
        .join(Calendar, KeyDate.calendar_id == Calendar.id)
        .where(Change.release_id > since)
        .order_by(Change.release_id, Change.id),
        where,
    )
    if release is not None:
        query = query.where(Change.release_id == release)
    wanted = sorted(kind.value for kind in kinds)
    if wanted:
        query = query.where(KeyDate.kind.in_(wanted))
    if after is not None:
        query = query.where(tuple_(Change.release_id, Change.id) > tuple_(*after))
    return [
        LoggedChange(row[0], row[1], utc(row[2]), calendar_key(row[3:7]), row[7], Kind(row[8]), row[9],
                     _state(row[10:14]), _state(row[14:18]))
        for row in session.execute(query.limit(limit))
    ]


def release_counts(session: Session, release_id: int) -> list[tuple[CalendarKey, dict[str, int]]]:
    """How many key dates one release added, moved, changed and removed in each calendar, by calendar."""
    query = (
        select(Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency, Change.action,
               func.count())
        .join(KeyDate, Change.key_date_id == KeyDate.id)
        .join(Calendar, KeyDate.calendar_id == Calendar.id)
        .where(Change.release_id == release_id)
        .group_by(Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency, Change.action)
    )
    counts: dict[CalendarKey, dict[str, int]] = {}
    for row in session.execute(query):
        counts.setdefault(calendar_key(row[:4]), {})[row[4]] = row[5]
    return sorted(counts.items())


def selection_revision(session: Session, where: CalendarFilter = CalendarFilter()) -> int:
    """The last revision that changed any calendar that matches; 0 when none does."""
    return session.scalar(filter_calendars(select(func.max(Calendar.revision)), where)) or 0


def _state(values: tuple[object, ...]) -> State | None:
    date, end, cutoff, remarks = values
    if not isinstance(date, datetime.date) or not isinstance(end, datetime.date):
        return None
    return date, end, cutoff if isinstance(cutoff, str) else None, remarks if isinstance(remarks, str) else None
