"""Every read of the database that the server and the admin command share.

Functions take the session first and return plain values, never ORM objects that could lazy-load
after their session is gone.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select, tuple_
from sqlalchemy.orm import Session, aliased

from caldav_plugin.db.models import Calendar, Change, KeyDate, Period, Release
from caldav_plugin.settlement import CalendarFilter, CalendarKey, Frequency, Kind, System


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarSummary:
    key: CalendarKey
    revision: int
    periods: int
    key_dates: int
    first: datetime.date | None
    last: datetime.date | None


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


def calendar_key(row: Sequence[str]) -> CalendarKey:
    system, country, currency, frequency = row
    return CalendarKey(System(system), country, currency, Frequency(frequency))


def filter_calendars(query: Select, where: CalendarFilter) -> Select:  # type: ignore[type-arg]
    for column, value in (
        (Calendar.system, where.system),
        (Calendar.country, where.country),
        (Calendar.currency, where.currency),
        (Calendar.frequency, where.frequency),
    ):
        if value is not None:
            query = query.where(column == str(value))
    return query


def current_revision(session: Session) -> int:
    """The newest revision; 0 for an empty database."""
    return session.scalar(select(func.max(Release.id))) or 0


def calendars(session: Session, where: CalendarFilter = CalendarFilter()) -> list[CalendarSummary]:
    """The calendars that match, with counts of their periods and key dates in force, by key."""
    live = and_(KeyDate.calendar_id == Calendar.id, KeyDate.removed.is_(False))
    query = filter_calendars(
        select(
            Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency, Calendar.revision,
            func.count(func.distinct(KeyDate.period_id)), func.count(KeyDate.id),
            func.min(KeyDate.date), func.max(KeyDate.end),
        )
        .outerjoin(KeyDate, live)
        .group_by(Calendar.id),
        where,
    )
    summaries = [
        CalendarSummary(calendar_key(row[:4]), row[4], row[5], row[6], row[7], row[8])
        for row in session.execute(query)
    ]
    return sorted(summaries, key=lambda summary: summary.key)


def releases(session: Session) -> list[ReleaseSummary]:
    """Every release, newest first."""
    return [_release_summary(row) for row in session.execute(_release_query().order_by(Release.id.desc()))]


def release(session: Session, release_id: int) -> ReleaseSummary | None:
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
            KeyDate.kind, KeyDate.date, KeyDate.cutoff,
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
            period = PeriodInForce(calendar_key(row[:4]), row[5], row[6], row[7], row[8], row[9], {})
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


# ---------------------------------------------------------------------------------------------
# Reads of the CalDAV server. Each takes plain values and returns frozen rows, so the plugin can
# render and cache them after the session is gone.


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarState:
    """A calendar as the server sees it: its identity and the last revision that changed it."""

    id: int
    key: CalendarKey
    revision: int
    modified_at: datetime.datetime  # when that revision was made


@dataclasses.dataclass(frozen=True, slots=True)
class EventRow:
    """Everything one key date renders from, with the time of the revision that last changed it."""

    period: str
    period_start: datetime.date
    period_end: datetime.date
    remarks: str | None
    kind: Kind
    date: datetime.date
    end: datetime.date
    cutoff: str | None
    sequence: int
    revision: int
    modified_at: datetime.datetime
    removed: bool


def calendar_state(session: Session, key: CalendarKey) -> CalendarState | None:
    """One calendar by key, or None."""
    params = {"system": key.system.value, "country": key.country, "currency": key.currency,
              "frequency": key.frequency.value}
    row = session.connection().execute(_CALENDAR_STATE_BY_KEY, params).one_or_none()
    return None if row is None else _calendar_state(row)


def calendar_states(session: Session, system: System | None = None) -> list[CalendarState]:
    """Every calendar (of one system), by key."""
    query = _calendar_state_query()
    if system is not None:
        query = query.where(Calendar.system == system.value)
    return sorted((_calendar_state(row) for row in session.execute(query)), key=lambda state: state.key)


def events(
    session: Session,
    calendar_id: int,
    *,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    since: int | None = None,
    wanted: Iterable[tuple[str, str]] | None = None,
) -> list[EventRow]:
    """A calendar's key dates in force, ordered by date, period and kind.

    `first`/`last` keep those whose days [date, end] touch [first, last]; `wanted` keeps the given
    (period code, kind) pairs. `since` instead returns every key date changed after that revision,
    removed ones included: the change set of a sync.
    """
    params: dict[str, Any] = {"calendar_id": calendar_id, "since": since, "first": first, "last": last}
    if wanted is not None:
        params["wanted"] = list(wanted)
        if not params["wanted"]:
            return []
    shape = (since is not None, first is not None, last is not None, wanted is not None)
    statement = _EVENT_QUERIES.get(shape)
    if statement is None:  # built once per shape: the server runs these on every request
        statement = _EVENT_QUERIES[shape] = _events_query(*shape)
    return [
        EventRow(code, start, end, remarks, Kind(kind), date, last_day, cutoff, sequence, revision,
                 utc(created_at), removed)
        for (code, start, end, remarks, kind, date, last_day, cutoff, sequence, revision, created_at,
             removed) in session.connection().execute(statement, params)
    ]


def _events_query(since: bool, first: bool, last: bool, wanted: bool) -> Select:  # type: ignore[type-arg]
    query = (
        select(
            Period.code, Period.start, Period.end, Period.remarks, KeyDate.kind, KeyDate.date,
            KeyDate.end, KeyDate.cutoff, KeyDate.sequence, KeyDate.revision, Release.created_at,
            KeyDate.removed,
        )
        .join(Period, KeyDate.period_id == Period.id)
        .join(Release, KeyDate.revision == Release.id)
        .where(KeyDate.calendar_id == bindparam("calendar_id"))
        .order_by(KeyDate.date, Period.code, KeyDate.kind)
    )
    if since:
        query = query.where(KeyDate.revision > bindparam("since"))
    else:
        query = query.where(KeyDate.removed.is_(False))
    if first:
        query = query.where(KeyDate.end >= bindparam("first"))
    if last:
        query = query.where(KeyDate.date <= bindparam("last"))
    if wanted:
        query = query.where(tuple_(Period.code, KeyDate.kind).in_(bindparam("wanted", expanding=True)))
    return query


_EVENT_QUERIES: dict[tuple[bool, bool, bool, bool], Select] = {}  # type: ignore[type-arg]


def _calendar_state_query() -> Select:  # type: ignore[type-arg]
    return select(
        Calendar.id, Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
        Calendar.revision, Release.created_at,
    ).join(Release, Calendar.revision == Release.id)


_CALENDAR_STATE_BY_KEY = _calendar_state_query().where(
    Calendar.system == bindparam("system"), Calendar.country == bindparam("country"),
    Calendar.currency == bindparam("currency"), Calendar.frequency == bindparam("frequency"),
)


def _calendar_state(row: Any) -> CalendarState:
    return CalendarState(row[0], calendar_key(row[1:5]), row[5], utc(row[6]))


def utc(moment: datetime.datetime) -> datetime.datetime:
    # SQLite hands timestamps back without their zone; the importer always writes UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


# ---------------------------------------------------------------------------------------------
# Reads of the web page (caldav_plugin.web): key dates of several calendars at once.


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
