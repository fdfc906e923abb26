"""Importing a release, previewing it, and rolling the last one back: the library behind the CLI."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from settlecal.db import queries
from settlecal.db.engine import writing
from settlecal.db.snapshot import reading
from settlecal.db.schema import upgrade
from settlecal.domain import CalendarKey, Kind
from settlecal.notify import notices as notifications
from settlecal.releases.apply import (
    PeriodState, ReleaseWriter, StoredCalendar, StoredPeriod, calendar_ids, stored_calendar, stored_contents,
    stored_periods, undo_changes,
)
from settlecal.changes import Action, CalendarDiff, CalendarReport
from settlecal.releases.diff import diff_calendar, row_fingerprint
from settlecal.errors import SettlecalError
from settlecal.release_format.file import ReleaseFile
from settlecal.release_format.rows import ReleaseRow

Progress = Callable[[int], None]


class NothingToRollBack(SettlecalError):
    def __str__(self) -> str:
        return "no release in force to roll back"


class UnknownRelease(SettlecalError):
    def __init__(self, release_id: int) -> None:
        super().__init__(release_id)
        self.release_id = release_id

    def __str__(self) -> str:
        return f"no release {self.release_id}"


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an import, a dry run or a rollback. `release` is None when nothing changed."""

    release: queries.ReleaseSummary | None
    calendars: tuple[CalendarReport, ...]
    dry_run: bool = False
    file: ReleaseFile | None = None
    notifications: int = 0  # messages queued for subscribers

    @property
    def changed(self) -> bool:
        return bool(self.calendars)

    def total(self, action: Action) -> int:
        return sum(report.counts[action] for report in self.calendars)


def import_release(
    engine: Engine,
    release_file: ReleaseFile,
    *,
    operator: str,
    note: str | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    notify: bool = True,
) -> Outcome:
    """Makes a validated release the truth for the (calendar, year) pairs it holds, in one transaction.

    With `notify`, the messages to subscribers are queued in that same transaction.
    """
    upgrade(engine)
    by_calendar = _group(release_file.rows)
    if dry_run:
        with reading(engine) as session:
            reports = _diff_and_apply(session, by_calendar, None, progress)
        return Outcome(None, reports, dry_run=True, file=release_file)
    with writing(engine) as session:
        writer = ReleaseWriter(
            session, action="import", file_name=release_file.name, sha256=release_file.sha256,
            operator=operator, note=note, rows=len(release_file.rows),
        )
        reports = _diff_and_apply(session, by_calendar, writer, progress)
        summary = _finish(session, writer)
        queued = notifications.enqueue(session, summary, reports) if notify and summary else 0
    return Outcome(summary, reports, file=release_file, notifications=queued)


def rollback(engine: Engine, *, operator: str, note: str | None = None, notify: bool = True) -> Outcome:
    """Undoes the newest import in force as a new revision, so sync clients see the old state return."""
    upgrade(engine)
    with writing(engine) as session:
        target = queries.latest_release_in_force(session)
        if target is None:
            raise NothingToRollBack()
        writer = ReleaseWriter(
            session, action="rollback", file_name=target.file_name, sha256=None, operator=operator,
            note=note or f"Rollback of release {target.id}", rows=0, undoes_id=target.id,
        )
        ids = calendar_ids(session)
        reports = []
        for done in queries.by_calendar(queries.release_changes(session, target.id)):
            diff = CalendarDiff(done.calendar, tuple(undo_changes(done.changes)))
            stored = stored_calendar(session, ids[done.calendar])
            restored = {
                c.period: PeriodState(c.new.date, c.new.end, c.new.remarks)
                for c in diff.changes if c.kind is Kind.PERIOD and c.new is not None
            }
            writer.apply(diff, restored, stored)
            reports.append(_report(diff, created=False))
        summary = _finish(session, writer)
        queued = notifications.enqueue(session, summary, reports) if notify and summary else 0
    return Outcome(summary, tuple(reports), notifications=queued)


def release_report(engine: Engine, release_id: int) -> Outcome:
    """A recorded release with the changes it made, as `release show` prints them."""
    with reading(engine) as session:
        summary = queries.release(session, release_id)
        if summary is None:
            raise UnknownRelease(release_id)
        reports = tuple(
            _report(diff, created=False) for diff in queries.by_calendar(queries.release_changes(session, release_id))
        )
    return Outcome(summary, reports)


def _group(rows: Iterable[ReleaseRow]) -> list[tuple[CalendarKey, list[ReleaseRow]]]:
    groups: dict[CalendarKey, list[ReleaseRow]] = {}
    for row in rows:
        groups.setdefault(row.calendar, []).append(row)
    return sorted(groups.items())


def _diff_and_apply(
    session: Session,
    by_calendar: Sequence[tuple[CalendarKey, list[ReleaseRow]]],
    writer: ReleaseWriter | None,
    progress: Progress | None,
) -> tuple[CalendarReport, ...]:
    # Reads first, for the whole release at once (a query per calendar costs a round trip each on a
    # database server); then each calendar is compared and written.
    ids = calendar_ids(session)
    index = stored_periods(session, [ids[key] for key, _ in by_calendar if key in ids])
    differing = [_differing(index.get(ids.get(key, -1), {}), rows) for key, rows in by_calendar]
    touched = [period.id for _, periods in differing for period in periods]
    contents = stored_contents(session, period_ids=touched)
    reports = []
    for (key, rows), (changed_rows, _) in zip(by_calendar, differing):
        calendar_id = ids.get(key)
        states, key_dates = contents.get(calendar_id or -1, ({}, {}))
        stored = StoredCalendar(calendar_id, index.get(calendar_id or -1, {}), states, key_dates)
        diff = diff_calendar(key, stored.key_dates, changed_rows, {row.year for row in rows})
        if writer is not None:
            periods = {row.period: PeriodState(row.period_start, row.period_end, row.remarks) for row in changed_rows}
            writer.apply(diff, periods, stored)
            writer.repair_fingerprints(stored, changed_rows, diff)
        if diff.changes:
            reports.append(_report(diff, created=calendar_id is None))
        if progress is not None:
            progress(len(rows))
    return tuple(reports)


def _differing(periods: dict[str, StoredPeriod], rows: list[ReleaseRow]) -> tuple[list[ReleaseRow], list[StoredPeriod]]:
    """The rows whose period differs from the database, and the stored periods that may change:
    those rows' periods, and periods in force of the rows' years that the rows lack."""
    changed_rows = [
        row for row in rows
        if (period := periods.get(row.period)) is None or period.fingerprint != row_fingerprint(row)
    ]
    years = {row.year for row in rows}
    codes = {row.period for row in rows}
    touched = [periods[row.period] for row in changed_rows if row.period in periods]
    touched += [
        period for code, period in periods.items()
        if period.fingerprint is not None and period.year in years and code not in codes
    ]
    return changed_rows, touched


def _finish(session: Session, writer: ReleaseWriter) -> queries.ReleaseSummary | None:
    release = writer.finish()
    return None if release is None else queries.release(session, release.id)


def _report(diff: CalendarDiff, *, created: bool) -> CalendarReport:
    counts = {action: diff.count(action) for action in Action}
    return CalendarReport(diff.calendar, created, counts, () if created else diff.changes)
