"""Every write to the database, and the reads a write transaction bases its changes on.

A `ReleaseWriter` lives inside one `writing()` transaction: it creates the release (whose id is the new
revision), applies each calendar's diff, records the change log and, if nothing changed, takes the
release back so that a no-op leaves the database exactly as it was.

Ids are allocated here, under the write lock, so that large releases go in as bulk inserts (COPY on
PostgreSQL) without a round trip per row.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, select, update
from sqlalchemy.orm import Session

from caldav_plugin.db.models import Calendar, Change, KeyDate, Period, Release
from caldav_plugin.settlement import CalendarKey, Kind
from importer.diff import Action, CalendarDiff, KeyDateChange, KeyDateId, KeyDateState

# Rows buffered per table before they are written; bounds memory on million-row releases.
_FLUSH_ROWS = 50_000


@dataclasses.dataclass(frozen=True, slots=True)
class StoredKeyDate:
    id: int
    period_id: int
    sequence: int
    year: int
    state: KeyDateState
    removed: bool


@dataclasses.dataclass(frozen=True, slots=True)
class PeriodState:
    start: datetime.date
    end: datetime.date
    remarks: str | None

    @property
    def year(self) -> int:
        return self.end.year


def stored_key_dates(session: Session, calendar_id: int) -> dict[KeyDateId, StoredKeyDate]:
    """Every key date of a calendar, removed ones included (they keep their UID's SEQUENCE)."""
    query = (
        select(
            Period.code, KeyDate.kind, KeyDate.id, KeyDate.period_id, KeyDate.sequence, Period.year,
            KeyDate.date, KeyDate.end, KeyDate.cutoff, Period.remarks, KeyDate.removed,
        )
        .join(Period, KeyDate.period_id == Period.id)
        .where(KeyDate.calendar_id == calendar_id)
    )
    stored = {}
    for code, kind, id_, period_id, sequence, year, date, end, cutoff, remarks, removed in session.execute(query):
        kind = Kind(kind)
        state = KeyDateState(date, end, cutoff, remarks if kind is Kind.PERIOD else None)
        stored[(code, kind)] = StoredKeyDate(id_, period_id, sequence, year, state, removed)
    return stored


def calendar_ids(session: Session) -> dict[CalendarKey, int]:
    return {calendar.key: calendar.id for calendar in session.scalars(select(Calendar))}


class ReleaseWriter:
    """Writes one release: a new revision and the calendars' changes under it."""

    def __init__(self, session: Session, **release: Any) -> None:
        self._session = session
        self._next_id = {
            model.__table__.name: (session.scalar(select(func.max(model.id))) or 0) + 1
            for model in (Release, Calendar, Period, KeyDate, Change)
        }
        self._calendars = calendar_ids(session)
        self._pending: dict[str, list[dict[str, Any]]] = {"period": [], "key_date": [], "change": []}
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

    def calendar_id(self, key: CalendarKey) -> int | None:
        return self._calendars.get(key)

    def apply(
        self,
        key: CalendarKey,
        diff: CalendarDiff,
        periods: Mapping[str, PeriodState],
        stored: Mapping[KeyDateId, StoredKeyDate],
    ) -> None:
        """Writes one calendar's diff; `periods` holds the new state of the periods it touches."""
        if not diff.changes:
            return
        calendar_id = self._calendars.get(key) or self._create_calendar(key)
        period_ids = self._write_periods(calendar_id, periods)
        updates = []
        changed_ids = []
        for change in diff.changes:
            existing = stored.get(change.id)
            key_date_id = existing.id if existing else self._insert_key_date(
                calendar_id, period_ids[change.period], change
            )
            if existing:
                updates.append(_key_date_update(existing, change))
            changed_ids.append(key_date_id)
            self._record(key_date_id, change)
        if updates:
            self._session.execute(_UPDATE_KEY_DATE.values(revision=self.revision), updates)
        self._touch_periods(diff, period_ids, changed_ids)
        self._session.execute(
            update(Calendar).where(Calendar.id == calendar_id).values(revision=self.revision)
        )
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
        for table in ("period", "key_date", "change"):
            rows = self._pending[table]
            if rows:
                bulk_insert(self._session, _TABLES[table], rows)
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

    def _write_periods(self, calendar_id: int, periods: Mapping[str, PeriodState]) -> dict[str, int]:
        existing = {
            code: (id_, PeriodState(start, end, remarks))
            for id_, code, start, end, remarks in self._session.execute(
                select(Period.id, Period.code, Period.start, Period.end, Period.remarks)
                .where(Period.calendar_id == calendar_id)
            )
        }
        ids = {code: id_ for code, (id_, _) in existing.items()}
        updates = []
        for code, state in periods.items():
            if code not in existing:
                ids[code] = self._allocate("period")
                self._buffer("period", id=ids[code], calendar_id=calendar_id, code=code,
                             start=state.start, end=state.end, year=state.year, remarks=state.remarks)
            elif existing[code][1] != state:
                updates.append({"pid": ids[code], "start": state.start, "end": state.end,
                                "year": state.year, "remarks": state.remarks})
        if updates:
            self._session.execute(_UPDATE_PERIOD, updates)
        return ids

    def _insert_key_date(self, calendar_id: int, period_id: int, change: KeyDateChange) -> int:
        assert change.new is not None
        id_ = self._allocate("key_date")
        self._buffer("key_date", id=id_, calendar_id=calendar_id, period_id=period_id,
                     kind=change.kind.value, date=change.new.date, end=change.new.end,
                     cutoff=change.new.cutoff, sequence=0, revision=self.revision, removed=False)
        return id_

    def _record(self, key_date_id: int, change: KeyDateChange) -> None:
        self._totals[change.action] += 1
        old, new = change.old, change.new
        self._buffer(
            "change", id=self._allocate("change"), release_id=self.revision, key_date_id=key_date_id,
            action=change.action.value,
            old_date=old and old.date, old_end=old and old.end,
            old_cutoff=old and old.cutoff, old_remarks=old and old.remarks,
            new_date=new and new.date, new_end=new and new.end,
            new_cutoff=new and new.cutoff, new_remarks=new and new.remarks,
        )

    def _touch_periods(
        self, diff: CalendarDiff, period_ids: Mapping[str, int], changed_ids: Sequence[int]
    ) -> None:
        """New bounds or remarks of a period change how each of its key dates renders."""
        touched = {
            c.period for c in diff.changes
            if c.kind is Kind.PERIOD and c.action in (Action.MOVED, Action.CHANGED)
        }
        if not touched:
            return
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

    def _buffer(self, table: str, **row: Any) -> None:
        rows = self._pending[table]
        rows.append(row)
        if len(rows) >= _FLUSH_ROWS:
            self.flush()


_TABLES: dict[str, Table] = {
    model.__table__.name: model.__table__  # type: ignore[misc]
    for model in (Period, KeyDate, Change)
}

_UPDATE_KEY_DATE = (
    update(KeyDate.__table__)
    .where(KeyDate.__table__.c.id == bindparam("kid"))
    .values(date=bindparam("new_date"), end=bindparam("new_end"), cutoff=bindparam("new_cutoff"),
            removed=bindparam("new_removed"), sequence=bindparam("new_sequence"))
)
_UPDATE_PERIOD = (
    update(Period.__table__)
    .where(Period.__table__.c.id == bindparam("pid"))
    .values(start=bindparam("start"), end=bindparam("end"), year=bindparam("year"), remarks=bindparam("remarks"))
)


def _key_date_update(existing: StoredKeyDate, change: KeyDateChange) -> dict[str, Any]:
    # A removed key date keeps its last dates, so a rollback that brings it back knows them.
    state = change.new or existing.state
    return {
        "kid": existing.id, "new_date": state.date, "new_end": state.end, "new_cutoff": state.cutoff,
        "new_removed": change.action is Action.REMOVED, "new_sequence": existing.sequence + 1,
    }


def bulk_insert(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Inserts many rows at once: COPY on PostgreSQL, one executemany elsewhere."""
    if session.get_bind().dialect.name != "postgresql":
        session.execute(table.insert(), rows)
        return
    columns = list(rows[0])
    quote = session.get_bind().dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(map(quote, columns))}) FROM STDIN"
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def undo_changes(changes: Iterable[KeyDateChange]) -> list[KeyDateChange]:
    """The changes that take a release's changes back, in the same order."""
    inverse = {Action.ADDED: Action.REMOVED, Action.REMOVED: Action.ADDED}
    return [
        KeyDateChange(c.period, c.kind, inverse.get(c.action, c.action), c.new, c.old)
        for c in changes
    ]
