"""Reads of calendars: their summaries for the admin command, and their state and events for the
CalDAV server. Each returns frozen rows, so the plugin can render and cache them after the session is gone."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Select, and_, bindparam, func, select, tuple_
from sqlalchemy.orm import Session

from settlecal.db.models import Calendar, KeyDate, Period, Release
from settlecal.db.queries.settles import Settles, settled_periods
from settlecal.domain import CalendarFilter, CalendarKey, Frequency, Kind, System


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarSummary:
    key: CalendarKey
    revision: int
    periods: int
    key_dates: int
    first: datetime.date | None
    last: datetime.date | None
    timezone: str = "UTC"  # the operation's zone


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


def calendars(session: Session, where: CalendarFilter = CalendarFilter()) -> list[CalendarSummary]:
    """The calendars that match, with counts of their periods and key dates in force, by key."""
    live = and_(KeyDate.calendar_id == Calendar.id, KeyDate.removed.is_(False))
    query = filter_calendars(
        select(
            Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency, Calendar.revision,
            func.count(func.distinct(KeyDate.period_id)), func.count(KeyDate.id),
            func.min(KeyDate.date), func.max(KeyDate.end), Calendar.timezone,
        )
        .outerjoin(KeyDate, live)
        .group_by(Calendar.id),
        where,
    )
    summaries = [
        CalendarSummary(calendar_key(row[:4]), row[4], row[5], row[6], row[7], row[8], row[9])
        for row in session.execute(query)
    ]
    return sorted(summaries, key=lambda summary: summary.key)


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarState:
    """A calendar as the server sees it: its identity and the last revision that changed it."""

    id: int
    key: CalendarKey
    revision: int
    modified_at: datetime.datetime  # when that revision was made
    timezone: str = "UTC"  # the operation's zone
    members: str | None = None  # the member countries of its multi-country operation: `AE|BH|OM`


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
    # For a remittance that settles more periods than its own (settlecal.db.queries.settles).
    settles: Settles | None = None


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
    rows = [
        EventRow(code, start, end, remarks, Kind(kind), date, last_day, cutoff, sequence, revision,
                 utc(created_at), removed)
        for (code, start, end, remarks, kind, date, last_day, cutoff, sequence, revision, created_at,
             removed) in session.connection().execute(statement, params)
    ]
    if not any(row.kind is Kind.REMITTANCE for row in rows):
        return rows
    settles = settled_periods(session, [calendar_id])
    return [dataclasses.replace(row, settles=settles.get((calendar_id, row.period)))
            if row.kind is Kind.REMITTANCE else row for row in rows]


def key_date_count(session: Session, calendar_id: int, *, since: int | None = None) -> int:
    """How many rows `events` returns for these arguments, counted by the database."""
    query = select(func.count()).select_from(KeyDate).where(KeyDate.calendar_id == calendar_id)
    query = query.where(KeyDate.revision > since) if since is not None else query.where(KeyDate.removed.is_(False))
    return session.scalar(query) or 0


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
        Calendar.revision, Release.created_at, Calendar.timezone, Calendar.members,
    ).join(Release, Calendar.revision == Release.id)


_CALENDAR_STATE_BY_KEY = _calendar_state_query().where(
    Calendar.system == bindparam("system"), Calendar.country == bindparam("country"),
    Calendar.currency == bindparam("currency"), Calendar.frequency == bindparam("frequency"),
)


def _calendar_state(row: Any) -> CalendarState:
    return CalendarState(row[0], calendar_key(row[1:5]), row[5], utc(row[6]), row[7], row[8])


def utc(moment: datetime.datetime) -> datetime.datetime:
    # SQLite hands timestamps back without their zone; the importer always writes UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)
