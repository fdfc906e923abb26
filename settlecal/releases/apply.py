"""Every write to the database, and the reads a write transaction bases its changes on.

A `ReleaseWriter` lives inside one `writing()` transaction: it creates the release (whose id is the new
revision), applies each calendar's diff, records the change log and, if nothing changed, takes the
release back so that a no-op leaves the database exactly as it was.

Ids are allocated here, under the write lock, so that large releases go in as bulk inserts of plain
tuples (COPY on PostgreSQL) without a round trip or an ORM object per row.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, bindparam, delete, func, select, text, update
from sqlalchemy.orm import Session

from settlecal.db import bulk
from settlecal.db.models import Calendar, Change, KeyDate, Period, Release
from settlecal.domain import CalendarKey, Kind
from settlecal.changes import Action, CalendarDiff, KeyDateChange, KeyDateId, KeyDateState
from settlecal.releases.diff import fingerprint, row_fingerprint
from settlecal.release_format.rows import ReleaseRow
from settlecal.zones import country_zone

# Rows buffered per table before they are written; bounds memory on million-row releases.
_FLUSH_ROWS = 50_000
# After this many new rows PostgreSQL's planner statistics are refreshed (see `finish`).
_ANALYZE_AFTER_ROWS = 10_000
_KINDS = {kind.value: kind for kind in Kind}
# Looked up once: enum members cost an attribute lookup each time, in loops run a million times.
_PERIOD = Kind.PERIOD
_RENEWING = (Action.MOVED, Action.CHANGED)

# Core tables, for statements that need no ORM (typed as the Tables they are).
_period = cast(Table, Period.__table__)
_key_date = cast(Table, KeyDate.__table__)
_change = cast(Table, Change.__table__)
_calendar = cast(Table, Calendar.__table__)
_COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("id", "calendar_id", "code", "start", "end", "year", "remarks", "fingerprint"),
    "key_date": ("id", "calendar_id", "period_id", "kind", "date", "end", "cutoff", "sequence",
                 "revision", "removed"),
    "change": ("id", "release_id", "key_date_id", "action", "old_date", "old_end", "old_cutoff",
               "old_remarks", "new_date", "new_end", "new_cutoff", "new_remarks"),
}  # fmt: skip
_TABLES: dict[str, Table] = {"period": _period, "key_date": _key_date, "change": _change}


@dataclasses.dataclass(frozen=True, slots=True)
class PeriodState:
    start: datetime.date
    end: datetime.date
    remarks: str | None
    year: int


class StoredPeriod(NamedTuple):
    """What a re-import needs of every period: a light tuple, since calendars hold thousands."""

    id: int
    year: int
    fingerprint: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class StoredKeyDate:
    id: int
    period_id: int
    sequence: int
    year: int
    state: KeyDateState
    removed: bool


@dataclasses.dataclass(frozen=True, slots=True)
class StoredCalendar:
    """What the database holds of one calendar: every period, and in full only those that may change."""

    id: int | None
    periods: dict[str, StoredPeriod]
    states: dict[str, PeriodState]
    key_dates: dict[KeyDateId, StoredKeyDate]


def calendar_ids(session: Session) -> dict[CalendarKey, int]:
    return {calendar.key: calendar.id for calendar in session.scalars(select(Calendar))}


def stored_periods(session: Session, calendar_ids: Collection[int]) -> dict[int, dict[str, StoredPeriod]]:
    """The period index of these calendars, by calendar id: one query for a whole release."""
    index: dict[int, dict[str, StoredPeriod]] = {calendar_id: {} for calendar_id in calendar_ids}
    query = select(_period.c.calendar_id, _period.c.code, _period.c.id, _period.c.year, _period.c.fingerprint)
    for chunk in _chunks(list(calendar_ids)):
        # all() fetches in one call; iterating the result would fetch row by row.
        for calendar_id, code, id_, year, fp in session.connection().execute(
            query.where(_period.c.calendar_id.in_(chunk))
        ).all():
            index[calendar_id][code] = StoredPeriod(id_, year, fp)
    return index


PeriodContents = tuple[dict[str, PeriodState], dict[KeyDateId, StoredKeyDate]]


def stored_contents(
    session: Session, *, period_ids: Collection[int] = (), calendar_ids: Collection[int] = ()
) -> dict[int, PeriodContents]:
    """By calendar id: the state and key dates of the periods named, or of every period of the
    calendars named. Removed key dates come too: they keep their UID's SEQUENCE if they come back."""
    query = (
        select(_period.c.calendar_id, _period.c.code, _period.c.start, _period.c.end, _period.c.remarks,
               _period.c.year, _key_date.c.period_id, _key_date.c.kind, _key_date.c.id, _key_date.c.sequence,
               _key_date.c.date, _key_date.c.end, _key_date.c.cutoff, _key_date.c.removed)
        .join(_key_date, _key_date.c.period_id == _period.c.id)
    )
    selections = [query.where(_period.c.id.in_(chunk)) for chunk in _chunks(list(period_ids))]
    selections += [query.where(_period.c.calendar_id.in_(chunk)) for chunk in _chunks(list(calendar_ids))]
    contents: dict[int, PeriodContents] = {}
    for selection in selections:
        for (calendar_id, code, start, end, remarks, year, period_id, kind_name, id_, sequence, date, last,
             cutoff, removed) in session.connection().execute(selection).all():
            states, key_dates = contents.setdefault(calendar_id, ({}, {}))
            states[code] = PeriodState(start, end, remarks, year)
            kind = _KINDS[kind_name]
            state = KeyDateState(date, last, cutoff, remarks if kind is Kind.PERIOD else None)
            key_dates[(code, kind)] = StoredKeyDate(id_, period_id, sequence, year, state, removed)
    return contents


def key_dates_in_force(session: Session, calendar_years: Collection[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """How many key dates in force each of these (calendar id, year) pairs holds."""
    wanted = set(calendar_years)
    years = sorted({year for _, year in wanted})
    query = (
        select(_period.c.calendar_id, _period.c.year, func.count())
        .select_from(_key_date.join(_period, _key_date.c.period_id == _period.c.id))
        .where(_key_date.c.removed.is_(False), _period.c.year.in_(years))
        .group_by(_period.c.calendar_id, _period.c.year)
    )
    counts = dict.fromkeys(wanted, 0)
    for chunk in _chunks(sorted({calendar_id for calendar_id, _ in wanted})):
        found = session.connection().execute(query.where(_period.c.calendar_id.in_(chunk))).all()
        counts.update(((calendar_id, year), count) for calendar_id, year, count in found
                      if (calendar_id, year) in counts)
    return counts


def stored_calendar(session: Session, calendar_id: int) -> StoredCalendar:
    """A whole calendar as the database holds it."""
    periods = stored_periods(session, [calendar_id])[calendar_id]
    states, key_dates = stored_contents(session, calendar_ids=[calendar_id]).get(calendar_id, ({}, {}))
    return StoredCalendar(calendar_id, periods, states, key_dates)


class ReleaseWriter:
    """Writes one release: a new revision and the calendars' changes under it."""

    def __init__(self, session: Session, **release: Any) -> None:
        self._session = session
        self._postgresql = session.get_bind().dialect.name == "postgresql"
        self._next_id = {
            cast(Table, model.__table__).name: (session.scalar(select(func.max(model.id))) or 0) + 1
            for model in (Release, Calendar, Period, KeyDate, Change)
        }
        self._calendars = calendar_ids(session)
        # (zone, members) of the calendars the release creates (settlecal.releases.settings).
        self.settings: Mapping[CalendarKey, tuple[str, str | None]] = {}
        self._pending: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _COLUMNS}
        # Updates wait for finish(), to go out as one statement each rather than one per calendar.
        self._updates: dict[Any, list[dict[str, Any]]] = {
            _UPDATE_PERIOD: [], _REPAIR_PERIOD: [], _UPDATE_KEY_DATE: []
        }
        self._touched_periods: list[int] = []
        self._changed_calendars: list[int] = []
        self._totals = dict.fromkeys(Action, 0)
        self._inserted = 0
        self.revision = self._allocate("release")
        self.release = Release(
            id=self.revision,
            created_at=datetime.datetime.now(datetime.timezone.utc),
            calendars=0, added=0, moved=0, changed=0, removed=0,
            **release,
        )
        session.add(self.release)
        session.flush()

    def apply(self, diff: CalendarDiff, periods: Mapping[str, PeriodState], stored: StoredCalendar) -> None:
        """Writes one calendar's diff.

        `periods` holds the new state of periods the release gives; `stored` must hold every key date
        of the periods the diff touches.
        """
        if not diff.changes:
            return
        calendar_id = stored.id or self._create_calendar(diff.calendar)
        period_ids = self._write_periods(calendar_id, diff, periods, stored)
        for change in diff.changes:
            existing = stored.key_dates.get(change.id)
            if existing is None:
                key_date_id = self._insert_key_date(calendar_id, period_ids[change.period], change)
            else:
                key_date_id = existing.id
                self._updates[_UPDATE_KEY_DATE].append(_key_date_update(existing, change))
            self._record(key_date_id, change)
            # New bounds or remarks of a period change how each of its key dates renders.
            if change.kind is _PERIOD and change.action in _RENEWING:
                self._touched_periods.append(period_ids[change.period])
        self._changed_calendars.append(calendar_id)

    def repair_periods(self, stored: StoredCalendar, rows: Iterable[ReleaseRow], diff: CalendarDiff) -> None:
        """Renews the fingerprint and year of stored periods that differed from their rows although
        none of their key dates changed.

        Fingerprints are a cache: one written by an older format costs a full diff of its period
        but never a wrong result, and this keeps that from happening twice. A year differs alone when
        a release's `year` column moves a period to another year, which no client sees.
        """
        touched = {change.period for change in diff.changes}
        stale = [
            {"pid": stored.periods[row.period].id, "fingerprint": row_fingerprint(row), "year": row.year}
            for row in rows if row.period in stored.periods and row.period not in touched
        ]
        self._updates[_REPAIR_PERIOD].extend(stale)

    def finish(self) -> Release | None:
        """Writes what waits and records the totals; returns None, leaving no trace, when the
        release changed nothing."""
        self.flush()
        connection = self._session.connection()
        for statement, parameters in self._updates.items():
            if parameters:
                connection.execute(statement.values(revision=self.revision) if statement is _UPDATE_KEY_DATE
                                   else statement, parameters)
        for ids in _chunks(self._touched_periods):
            # Key dates this release already changed carry its revision: they are not renewed twice.
            connection.execute(
                update(_key_date)
                .where(_key_date.c.period_id.in_(ids), _key_date.c.removed.is_(False),
                       _key_date.c.revision != self.revision)
                .values(revision=self.revision, sequence=_key_date.c.sequence + 1)
            )
        for ids in _chunks(self._changed_calendars):
            connection.execute(update(_calendar).where(_calendar.c.id.in_(ids))
                               .values(revision=self.revision))
        if self._postgresql and self._inserted >= _ANALYZE_AFTER_ROWS:
            # Else the next import's planner still sees the tables as they were before this one and
            # scans all of key_date for each calendar instead of using its indexes.
            for table in _TABLES.values():
                connection.execute(text(f"ANALYZE {connection.dialect.identifier_preparer.quote(table.name)}"))
        if not self._changed_calendars:
            self._session.execute(delete(Release).where(Release.id == self.revision))
            self._session.expunge(self.release)
            return None
        for action, count in self._totals.items():
            setattr(self.release, action.value, count)
        self.release.calendars = len(self._changed_calendars)
        self._session.flush()
        return self.release

    def flush(self) -> None:
        # Parents before children: foreign keys are checked row by row.
        for table, rows in self._pending.items():
            if rows:
                bulk.insert(self._session, _TABLES[table], _COLUMNS[table], rows)
                self._inserted += len(rows)
                rows.clear()

    def _allocate(self, table: str) -> int:
        id_ = self._next_id[table]
        self._next_id[table] = id_ + 1
        return id_

    def _create_calendar(self, key: CalendarKey) -> int:
        zone, members = self.settings.get(key) or (country_zone(key.country), None)
        calendar = Calendar(
            id=self._allocate("calendar"), system=key.system.value, country=key.country,
            currency=key.currency, frequency=key.frequency.value, revision=self.revision,
            timezone=zone, members=members,
        )
        self._session.add(calendar)
        self._session.flush()
        self._calendars[key] = calendar.id
        return calendar.id

    def _write_periods(
        self, calendar_id: int, diff: CalendarDiff, periods: Mapping[str, PeriodState], stored: StoredCalendar
    ) -> dict[str, int]:
        """Inserts new periods, updates changed ones and renews the fingerprints of touched ones."""
        fingerprints = _fingerprints_after(diff, stored)
        ids = {code: period.id for code, period in stored.periods.items()}
        for code, fp in fingerprints.items():
            old = stored.periods.get(code)
            old_state = stored.states.get(code)
            state = periods.get(code) or old_state
            assert state is not None, f"period {code} has neither a stored nor a new state"
            if old is None:
                ids[code] = self._allocate("period")
                self._buffer("period", ids[code], calendar_id, code, state.start, state.end, state.year,
                             state.remarks, fp)
            elif (old_state, old.fingerprint) != (state, fp):
                self._updates[_UPDATE_PERIOD].append({
                    "pid": old.id, "start": state.start, "end": state.end, "year": state.year,
                    "remarks": state.remarks, "fingerprint": fp,
                })
        return ids

    def _insert_key_date(self, calendar_id: int, period_id: int, change: KeyDateChange) -> int:
        new = change.new
        assert new is not None
        id_ = self._allocate("key_date")
        # StrEnum members are their values: drivers take them as text without a lookup of `.value`.
        self._buffer("key_date", id_, calendar_id, period_id, change.kind, new.date, new.end,
                     new.cutoff, 0, self.revision, False)
        return id_

    def _record(self, key_date_id: int, change: KeyDateChange) -> None:
        self._totals[change.action] += 1
        old, new = change.old, change.new
        self._buffer(
            "change", self._allocate("change"), self.revision, key_date_id, change.action,
            *((old.date, old.end, old.cutoff, old.remarks) if old else (None,) * 4),
            *((new.date, new.end, new.cutoff, new.remarks) if new else (None,) * 4),
        )

    def _buffer(self, table: str, *row: Any) -> None:
        rows = self._pending[table]
        rows.append(row)
        if len(rows) >= _FLUSH_ROWS:
            self.flush()


_UPDATE_KEY_DATE = (
    update(_key_date)
    .where(_key_date.c.id == bindparam("kid"))
    .values(date=bindparam("new_date"), end=bindparam("new_end"), cutoff=bindparam("new_cutoff"),
            removed=bindparam("new_removed"), sequence=bindparam("new_sequence"))
)
_REPAIR_PERIOD = (
    update(_period).where(_period.c.id == bindparam("pid"))
    .values(fingerprint=bindparam("fingerprint"), year=bindparam("year"))
)
_UPDATE_PERIOD = (
    update(_period)
    .where(_period.c.id == bindparam("pid"))
    .values(start=bindparam("start"), end=bindparam("end"), year=bindparam("year"),
            remarks=bindparam("remarks"), fingerprint=bindparam("fingerprint"))
)


def _chunks(ids: list[int], size: int = 1000) -> Iterable[list[int]]:
    """Slices of a long id list, each few enough to bind as one IN list."""
    return (ids[start:start + size] for start in range(0, len(ids), size))


def _fingerprints_after(diff: CalendarDiff, stored: StoredCalendar) -> dict[str, str | None]:
    """The fingerprint of each period the diff touches, once the diff is applied."""
    touched = {change.period for change in diff.changes}
    after: dict[str, dict[Kind, KeyDateState]] = defaultdict(dict)
    for (code, kind), key_date in stored.key_dates.items():
        if code in touched and not key_date.removed:
            after[code][kind] = key_date.state
    for change in diff.changes:
        if change.new is None:
            after[change.period].pop(change.kind, None)
        else:
            after[change.period][change.kind] = change.new
    return {code: fingerprint(after[code].items()) for code in touched}


def _key_date_update(existing: StoredKeyDate, change: KeyDateChange) -> dict[str, Any]:
    # A removed key date keeps its last dates, so a rollback that brings it back knows them.
    state = change.new or existing.state
    return {
        "kid": existing.id, "new_date": state.date, "new_end": state.end, "new_cutoff": state.cutoff,
        "new_removed": change.action is Action.REMOVED, "new_sequence": existing.sequence + 1,
    }


def undo_changes(changes: Iterable[KeyDateChange]) -> list[KeyDateChange]:
    """The changes that take a release's changes back, in the same order."""
    inverse = {Action.ADDED: Action.REMOVED, Action.REMOVED: Action.ADDED}
    return [
        KeyDateChange(c.period, c.kind, inverse.get(c.action, c.action), c.new, c.old)
        for c in changes
    ]
