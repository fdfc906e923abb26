"""Reads of releases and the change log: history, what one release changed, what is in force."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session, aliased

from settlecal.changes import Action, CalendarDiff, KeyDateChange, KeyDateState
from settlecal.db.models import MAX_ID, Calendar, Change, KeyDate, Period, Release
from settlecal.domain import CalendarFilter, CalendarKey, Kind
from settlecal.db.queries.calendars import calendar_key, filter_calendars


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseSummary:
    id: int
    action: str
    file_name: str | None
    sha256: str | None
    created_at: datetime.datetime
    operator: str
    note: str | None
    rows: int
    calendars: int
    added: int
    moved: int
    changed: int
    removed: int
    undoes_id: int | None
    undone_by_id: int | None

    @property
    def in_force(self) -> bool:
        return self.action == "import" and self.undone_by_id is None


@dataclasses.dataclass(frozen=True, slots=True)
class StoredChange:
    """One row of the change log, with the key date it speaks of."""

    calendar: CalendarKey
    period: str
    kind: str
    action: str
    old: tuple[datetime.date | None, datetime.date | None, str | None, str | None]
    new: tuple[datetime.date | None, datetime.date | None, str | None, str | None]

    def key_date_change(self) -> KeyDateChange:
        return KeyDateChange(self.period, Kind(self.kind), Action(self.action), _state(self.old), _state(self.new))


def by_calendar(changes: Iterable[StoredChange]) -> list[CalendarDiff]:
    """Stored changes (ordered by calendar, as the change log queries give them) grouped per calendar."""
    return [
        CalendarDiff(key, tuple(change.key_date_change() for change in group))
        for key, group in itertools.groupby(changes, key=lambda change: change.calendar)
    ]


def _state(values: tuple[datetime.date | None, datetime.date | None, str | None, str | None]) -> KeyDateState | None:
    date, end, cutoff, remarks = values
    return None if date is None or end is None else KeyDateState(date, end, cutoff, remarks)


@dataclasses.dataclass(frozen=True, slots=True)
class PeriodInForce:
    """A period with its year and its key dates in force: {kind: (date, cut-off)}."""

    calendar: CalendarKey
    code: str
    start: datetime.date
    end: datetime.date
    year: int
    remarks: str | None
    dates: dict[Kind, tuple[datetime.date, str | None]]
    timezone: str = "UTC"  # the calendar's
    members: str | None = None  # the calendar's: `AE|BH|OM`


def current_revision(session: Session) -> int:
    """The newest revision; 0 for an empty database."""
    return session.scalar(select(func.max(Release.id))) or 0


def releases(session: Session, *, before: int | None = None, limit: int | None = None) -> list[ReleaseSummary]:
    """Every release, newest first; only those older than release `before`, and the first `limit` of them."""
    query = _release_query().order_by(Release.id.desc())
    if before is not None:
        query = query.where(Release.id < before)
    if limit is not None:
        query = query.limit(limit)
    return [_release_summary(row) for row in session.execute(query)]


def release(session: Session, release_id: int) -> ReleaseSummary | None:
    if not 0 < release_id <= MAX_ID:  # names nothing, and PostgreSQL would refuse it as a parameter
        return None
    row = session.execute(_release_query().where(Release.id == release_id)).one_or_none()
    return None if row is None else _release_summary(row)


def latest_release_in_force(session: Session) -> ReleaseSummary | None:
    """The newest import that no rollback has undone: what `rollback` undoes next."""
    query = _release_query().where(Release.action == "import").order_by(Release.id.desc())
    for row in session.execute(query):
        summary = _release_summary(row)
        if summary.in_force:
            return summary
    return None


def release_changes(session: Session, release_id: int) -> Iterator[StoredChange]:
    """The change log of one release, by calendar, then in the order it was written."""
    query = (
        _change_log()
        .where(Change.release_id == release_id)
        .order_by(Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency, Change.id)
    )
    for row in session.execute(query):
        yield _stored_change(row)


def _change_log(*columns: Any) -> Select:  # type: ignore[type-arg]
    """The change log joined to what it speaks of: `columns`, then the columns `_stored_change` reads."""
    return (
        select(
            *columns,
            Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
            Period.code, KeyDate.kind, Change.action,
            Change.old_date, Change.old_end, Change.old_cutoff, Change.old_remarks,
            Change.new_date, Change.new_end, Change.new_cutoff, Change.new_remarks,
        )
        .join(KeyDate, Change.key_date_id == KeyDate.id)
        .join(Period, KeyDate.period_id == Period.id)
        .join(Calendar, KeyDate.calendar_id == Calendar.id)
    )


def _stored_change(row: Sequence[Any]) -> StoredChange:
    """A StoredChange from the last 15 columns of a `_change_log` row."""
    row = row[-15:]
    return StoredChange(calendar_key(row[:4]), row[4], row[5], row[6], tuple(row[7:11]), tuple(row[11:15]))


def periods_in_force(session: Session, where: CalendarFilter = CalendarFilter()) -> Iterator[PeriodInForce]:
    """Each period that has key dates in force, by calendar, then by start date."""
    query = filter_calendars(
        select(
            Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
            Period.id, Period.code, Period.start, Period.end, Period.year, Period.remarks,
            KeyDate.kind, KeyDate.date, KeyDate.cutoff, Calendar.timezone, Calendar.members,
        )
        .join(Period, Period.calendar_id == Calendar.id)
        .join(KeyDate, and_(KeyDate.period_id == Period.id, KeyDate.removed.is_(False)))
        .order_by(Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
                  Period.start, Period.code),
        where,
    )
    period: PeriodInForce | None = None
    period_id = None
    for row in session.execute(query):
        if row[4] != period_id:
            if period is not None:
                yield period
            period_id = row[4]
            period = PeriodInForce(calendar_key(row[:4]), row[5], row[6], row[7], row[8], row[9], {},
                                   row[13], row[14])
        assert period is not None
        period.dates[Kind(row[10])] = (row[11], row[12])
    if period is not None:
        yield period


def _release_query() -> Select:  # type: ignore[type-arg]
    undoing = aliased(Release)
    return select(Release, undoing.id).outerjoin(undoing, undoing.undoes_id == Release.id)


def _release_summary(row: tuple[Release, int | None]) -> ReleaseSummary:
    release, undone_by = row
    return ReleaseSummary(
        release.id, release.action, release.file_name, release.sha256, release.created_at,
        release.operator, release.note, release.rows, release.calendars, release.added,
        release.moved, release.changed, release.removed, release.undoes_id, undone_by,
    )


@dataclasses.dataclass(frozen=True, slots=True)
class FeedChange:
    """A change of the log with the release that made it."""

    release_id: int
    change: StoredChange


def recent_release_ids(session: Session, limit: int) -> list[int]:
    """The ids of the newest releases, newest first."""
    return list(session.scalars(select(Release.id).order_by(Release.id.desc()).limit(limit)))


def changes_of_releases(
    session: Session,
    release_ids: Iterable[int],
    where: CalendarFilter = CalendarFilter(),
    kinds: Iterable[Kind] | None = None,
) -> Iterator[FeedChange]:
    """The changes these releases made to the calendars that match, newest release first, then by
    calendar, then in the order they were written."""
    query = filter_calendars(
        _change_log(Change.release_id)
        .where(Change.release_id.in_(list(release_ids)))
        .order_by(Change.release_id.desc(), Calendar.system, Calendar.country, Calendar.currency,
                  Calendar.frequency, Change.id),
        where,
    )
    if kinds is not None:
        query = query.where(KeyDate.kind.in_([kind.value for kind in kinds]))
    for row in session.execute(query):
        yield FeedChange(row[0], _stored_change(row))
