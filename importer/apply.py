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
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from caldav_plugin.db.models import Calendar, Change, KeyDate, Period, Release
from caldav_plugin.settlement import CalendarKey, Kind
from importer.diff import Action, CalendarDiff, KeyDateChange, KeyDateId, KeyDateState, fingerprint

# Rows buffered per table before they are written; bounds memory on million-row releases.
_FLUSH_ROWS = 50_000
# Above this many periods, reading a whole calendar is cheaper than naming each period.
_MAX_NAMED_PERIODS = 500
_KINDS = {kind.value: kind for kind in Kind}

_period = Period.__table__
_key_date = KeyDate.__table__
_change = Change.__table__
_COLUMNS: dict[str, tuple[str, ...]] = {
    "period": ("id", "calendar_id", "code", "start", "end", "year", "remarks", "fingerprint"),
    "key_date": ("id", "calendar_id", "period_id", "kind", "date", "end", "cutoff", "sequence",
                 "revision", "removed"),
    "change": ("id", "release_id", "key_date_id", "action", "old_date", "old_end", "old_cutoff",
               "old_remarks", "new_date", "new_end", "new_cutoff", "new_remarks"),
}  # fmt: skip
_TABLES: dict[str, Table] = {"period": _period, "key_date": _key_date, "change": _change}  # type: ignore[dict-item]


@dataclasses.dataclass(frozen=True, slots=True)
class PeriodState:
    start: datetime.date
    end: datetime.date
    remarks: str | None

    @property
    def year(self) -> int:
        return self.end.year


@dataclasses.dataclass(frozen=True, slots=True)
class StoredPeriod:
    id: int
    state: PeriodState
    fingerprint: str | None

    @property
    def year(self) -> int:
        return self.state.year


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
    """What the database holds of one calendar: every period, and the key dates of some or all."""

    id: int | None
    periods: dict[str, StoredPeriod]
    key_dates: dict[KeyDateId, StoredKeyDate]


def calendar_ids(session: Session) -> dict[CalendarKey, int]:
    return {calendar.key: calendar.id for calendar in session.scalars(select(Calendar))}


def stored_periods(session: Session, calendar_id: int) -> dict[str, StoredPeriod]:
    query = select(_period.c.code, _period.c.id, _period.c.start, _period.c.end, _period.c.remarks,
                   _period.c.fingerprint).where(_period.c.calendar_id == calendar_id)
    return {
        code: StoredPeriod(id_, PeriodState(start, end, remarks), fp)
        for code, id_, start, end, remarks, fp in session.connection().execute(query)
    }


def stored_key_dates(
    session: Session, calendar_id: int, periods: Mapping[str, StoredPeriod], codes: Collection[str] | None = None
) -> dict[KeyDateId, StoredKeyDate]:
    """The key dates of a calendar's periods named by `codes` (all by default), removed ones too:
    they keep their UID's SEQUENCE if they come back."""
    query = select(_key_date.c.period_id, _key_date.c.kind, _key_date.c.id, _key_date.c.sequence,
                   _key_date.c.date, _key_date.c.end, _key_date.c.cutoff, _key_date.c.removed)
    if codes is not None and len(codes) <= _MAX_NAMED_PERIODS:
        query = query.where(_key_date.c.period_id.in_([periods[code].id for code in codes]))
    else:
        query = query.where(_key_date.c.calendar_id == calendar_id)
    by_id = {period.id: (code, period) for code, period in periods.items()}
    stored = {}
    for period_id, kind_name, id_, sequence, date, end, cutoff, removed in session.connection().execute(query):
        code, period = by_id[period_id]
        kind = _KINDS[kind_name]
        remarks = period.state.remarks if kind is Kind.PERIOD else None
        state = KeyDateState(date, end, cutoff, remarks)
        stored[(code, kind)] = StoredKeyDate(id_, period_id, sequence, period.year, state, removed)
    return stored


class ReleaseWriter:
    """Writes one release: a new revision and the calendars' changes under it."""

    def __init__(self, session: Session, **release: Any) -> None:
        self._session = session
        self._postgresql = session.get_bind().dialect.name == "postgresql"
        self._next_id = {
            model.__table__.name: (session.scalar(select(func.max(model.id))) or 0) + 1
            for model in (Release, Calendar, Period, KeyDate, Change)
        }
        self._calendars = calendar_ids(session)
        self._pending: dict[str, list[tuple[Any, ...]]] = {table: [] for table in _COLUMNS}
        self._totals = dict.fromkeys(Action, 0)
        self._calendars_changed = 0
        self.release = Release(
            id=self._allocate("release"),
            created_at=datetime.datetime.now(datetime.timezone.utc),
            calendars=0, added=0, moved=0, changed=0, removed=0,
            **release,
        )
        session.add(self.release)
        session.flush()

    @property
    def revision(self) -> int:
        return self.release.id

    def apply(self, diff: CalendarDiff, periods: Mapping[str, PeriodState], stored: StoredCalendar) -> None:
        """Writes one calendar's diff.

        `periods` holds the new state of periods the release gives; `stored` must hold every key date
        of the periods the diff touches.
        """
        if not diff.changes:
            return
        calendar_id = stored.id or self._create_calendar(diff.calendar)
        period_ids = self._write_periods(calendar_id, diff, periods, stored)
        updates = []
        changed_ids = []
        for change in diff.changes:
            existing = stored.key_dates.get(change.id)
            if existing is None:
                key_date_id = self._insert_key_date(calendar_id, period_ids[change.period], change)
            else:
                key_date_id = existing.id
                updates.append(_key_date_update(existing, change))
            changed_ids.append(key_date_id)
            self._record(key_date_id, change)
        if updates:
            self._session.connection().execute(_UPDATE_KEY_DATE.values(revision=self.revision), updates)
        self._touch_periods(diff, period_ids, changed_ids)
        self._session.execute(update(Calendar).where(Calendar.id == calendar_id).values(revision=self.revision))
        self._calendars_changed += 1

    def finish(self) -> Release | None:
        """Records the totals; returns None, leaving no trace, when the release changed nothing."""
        self.flush()
        if not self._calendars_changed:
            self._session.execute(delete(Release).where(Release.id == self.revision))
            self._session.expunge(self.release)
            return None
        for action, count in self._totals.items():
            setattr(self.release, action.value, count)
        self.release.calendars = self._calendars_changed
        self._session.flush()
        return self.release

    def flush(self) -> None:
        # Parents before children: foreign keys are checked row by row.
        for table, rows in self._pending.items():
            if rows:
                bulk_insert(self._session, _TABLES[table], _COLUMNS[table], rows)
                rows.clear()

    def _allocate(self, table: str) -> int:
        id_ = self._next_id[table]
        self._next_id[table] = id_ + 1
        return id_

    def _create_calendar(self, key: CalendarKey) -> int:
        calendar = Calendar(
            id=self._allocate("calendar"), system=key.system.value, country=key.country,
            currency=key.currency, frequency=key.frequency.value, revision=self.revision,
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
        updates = []
        for code, fp in fingerprints.items():
            old = stored.periods.get(code)
            state = periods.get(code) or (old.state if old else None)
            assert state is not None, f"period {code} has neither a stored nor a new state"
            if old is None:
                ids[code] = self._allocate("period")
                self._buffer("period", ids[code], calendar_id, code, state.start, state.end, state.year,
                             state.remarks, fp)
            elif (old.state, old.fingerprint) != (state, fp):
                updates.append({"pid": old.id, "start": state.start, "end": state.end, "year": state.year,
                                "remarks": state.remarks, "fingerprint": fp})
        if updates:
            self._session.connection().execute(_UPDATE_PERIOD, updates)
        return ids

    def _insert_key_date(self, calendar_id: int, period_id: int, change: KeyDateChange) -> int:
        new = change.new
        assert new is not None
        id_ = self._allocate("key_date")
        self._buffer("key_date", id_, calendar_id, period_id, change.kind.value, new.date, new.end,
                     new.cutoff, 0, self.revision, False)
        return id_

    def _record(self, key_date_id: int, change: KeyDateChange) -> None:
        self._totals[change.action] += 1
        old, new = change.old, change.new
        self._buffer(
            "change", self._allocate("change"), self.revision, key_date_id, change.action.value,
            *((old.date, old.end, old.cutoff, old.remarks) if old else (None,) * 4),
            *((new.date, new.end, new.cutoff, new.remarks) if new else (None,) * 4),
        )

    def _touch_periods(self, diff: CalendarDiff, period_ids: Mapping[str, int], changed_ids: list[int]) -> None:
        """New bounds or remarks of a period change how each of its key dates renders."""
        touched = {
            c.period for c in diff.changes
            if c.kind is Kind.PERIOD and c.action in (Action.MOVED, Action.CHANGED)
        }
        if not touched:
            return
        self.flush()
        # Only ids of the touched periods' key dates, to keep the statement's parameters few.
        already = [id_ for c, id_ in zip(diff.changes, changed_ids) if c.period in touched]
        self._session.execute(
            update(KeyDate)
            .where(
                KeyDate.period_id.in_([period_ids[code] for code in touched]),
                KeyDate.removed.is_(False),
                KeyDate.id.not_in(already),
            )
            .values(revision=self.revision, sequence=KeyDate.sequence + 1)
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
_UPDATE_PERIOD = (
    update(_period)
    .where(_period.c.id == bindparam("pid"))
    .values(start=bindparam("start"), end=bindparam("end"), year=bindparam("year"),
            remarks=bindparam("remarks"), fingerprint=bindparam("fingerprint"))
)


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


def bulk_insert(session: Session, table: Table, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Inserts many rows of plain values at once, through the driver: COPY on PostgreSQL, one
    executemany on SQLite (whose Date columns hold ISO text, as SQLAlchemy writes them)."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(map(quote, columns))
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" * len(columns))
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({placeholders})",
                           (tuple(map(_sqlite_value, row)) for row in rows))
    finally:
        cursor.close()


def _sqlite_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def undo_changes(changes: Iterable[KeyDateChange]) -> list[KeyDateChange]:
    """The changes that take a release's changes back, in the same order."""
    inverse = {Action.ADDED: Action.REMOVED, Action.REMOVED: Action.ADDED}
    return [
        KeyDateChange(c.period, c.kind, inverse.get(c.action, c.action), c.new, c.old)
        for c in changes
    ]
