"""Importing a release, previewing it, and rolling the last one back: the library behind the CLI."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from settlecal import renders
from settlecal.changes import Action, CalendarDiff, CalendarReport, KeyDateState, Removal
from settlecal.db import queries
from settlecal.db.engine import writing
from settlecal.db.schema import upgrade
from settlecal.db.snapshot import reading
from settlecal.domain import CalendarKey, Kind, period_year
from settlecal.errors import SettlecalError
from settlecal.notify import notices as notifications
from settlecal.release_format.file import ReleaseFile
from settlecal.release_format.rows import ReleaseRow
from settlecal.releases.apply import (
    PeriodState, ReleaseWriter, StoredCalendar, StoredPeriod, calendar_ids, key_dates_in_force, stored_calendar,
    stored_contents, stored_periods, undo_changes,
)
from settlecal.releases.diff import diff_calendar, row_fingerprint
from settlecal.releases.settings import SettingsChange, changed_settings, release_settings, write_settings
from settlecal.releases.removals import RemovalsRefused, refused, removed_by_year

Progress = Callable[[int], None]
logger = logging.getLogger("settlecal")


class NothingToRollBack(SettlecalError):
    def __str__(self) -> str:
        return "no release in force to roll back"


class RollbackRefused(SettlecalError):
    """`rollback ID` named a release that is not the newest import in force: undoing it would skip, or
    undo, another one (an import that landed between choosing and rolling back, say)."""

    def __init__(self, release_id: int, newest: queries.ReleaseSummary | None, named: queries.ReleaseSummary) -> None:
        super().__init__(release_id)
        self.release_id, self.newest, self.named = release_id, newest, named

    def __str__(self) -> str:
        named = self.named
        if named.action != "import":
            why = f"release {named.id} is a rollback (of release {named.undoes_id}); re-import the file to redo it"
        elif named.undone_by_id is not None:
            why = f"release {named.id} is already undone (by release {named.undone_by_id})"
        elif self.newest is not None:
            why = (f"release {named.id} is not the newest import in force: release {self.newest.id} is; "
                   f"roll back {self.newest.id} first")
        else:
            why = f"release {named.id} is not in force"
        return f"refused to roll back: {why}"


class UnknownRelease(SettlecalError):
    def __init__(self, release_id: int) -> None:
        super().__init__(release_id)
        self.release_id = release_id

    def __str__(self) -> str:
        return f"no release {self.release_id}"


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """The result of an import, a dry run or a rollback. `release` is None when nothing changed.

    `refused` holds the removals that would make the import refuse: only a dry run returns them.
    """

    release: queries.ReleaseSummary | None
    calendars: tuple[CalendarReport, ...]
    dry_run: bool = False
    file: ReleaseFile | None = None
    notifications: int = 0  # messages queued for subscribers
    refused: tuple[Removal, ...] = ()
    # Calendars whose zone or members the import changed (written without a revision: not key dates).
    settings: tuple[SettingsChange, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.calendars)

    @property
    def removals(self) -> tuple[Removal, ...]:
        return tuple(removal for report in self.calendars for removal in report.removals)

    def total(self, action: Action) -> int:
        return sum(report.counts[action] for report in self.calendars)


def import_release(
    engine: Engine,
    release_file: ReleaseFile,
    *,
    operator: str,
    note: str | None = None,
    dry_run: bool = False,
    allow_removals: bool = False,
    progress: Progress | None = None,
    notify: bool = True,
) -> Outcome:
    """Makes a validated release the truth for the (calendar, year) pairs it holds, in one transaction.

    With `notify`, the messages to subscribers are queued in that same transaction.

    Raises:
        RemovalsRefused: when the release would remove all, or more than a quarter, of the key dates
            in force of a (calendar, year), unless `allow_removals`; nothing is written. A dry run
            returns them in `Outcome.refused` instead.
    """
    upgrade(engine)
    by_calendar = _group(release_file.rows)
    if dry_run:
        with reading(engine) as session:
            plans = _plan(session, by_calendar)
            reports = _apply(plans, None, progress)
            changed = tuple(changed_settings(session, release_settings(release_file.rows)))
        return Outcome(None, reports, dry_run=True, file=release_file,
                       refused=refused(_removals_of(plans), allow_removals), settings=changed)
    with writing(engine) as session:
        plans = _plan(session, by_calendar)
        refusal = refused(_removals_of(plans), allow_removals)
        if refusal:
            raise RemovalsRefused(refusal)
        writer = ReleaseWriter(
            session, action="import", file_name=release_file.name, sha256=release_file.sha256,
            operator=operator, note=note, rows=len(release_file.rows),
        )
        settings = release_settings(release_file.rows)
        writer.settings = {key: (value.timezone, value.members) for key, value in settings.items()}
        changed = tuple(changed_settings(session, settings))
        reports = _apply(plans, writer, progress)
        write_settings(session, changed)
        summary = _finish(session, writer)
        queued = notifications.enqueue(session, summary, reports) if notify and summary else 0
    _prerender(engine, reports)
    return Outcome(summary, reports, file=release_file, notifications=queued, settings=changed)


def next_rollback(engine: Engine) -> queries.ReleaseSummary | None:
    """The release `rollback` would undo now: the newest import in force."""
    with reading(engine) as session:
        return queries.latest_release_in_force(session)


def rollback(engine: Engine, *, operator: str, note: str | None = None, notify: bool = True,
             release_id: int | None = None) -> Outcome:
    """Undoes the newest import in force as a new revision, so sync clients see the old state return.

    With `release_id`, undoes exactly that release, and refuses (`RollbackRefused`) unless it is the
    newest import in force when the write lock is held: an import that lands in between is never undone
    in its place.
    """
    upgrade(engine)
    with writing(engine) as session:
        target = queries.latest_release_in_force(session)
        if release_id is not None and (target is None or target.id != release_id):
            named = queries.release(session, release_id)
            if named is None:
                raise UnknownRelease(release_id)
            raise RollbackRefused(release_id, target, named)
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
                c.period: PeriodState(c.new.date, c.new.end, c.new.remarks,
                                      _restored_year(stored.states[c.period], c.new))
                for c in diff.changes if c.kind is Kind.PERIOD and c.new is not None
            }
            writer.apply(diff, restored, stored)
            reports.append(_report(diff, created=False))
        summary = _finish(session, writer)
        queued = notifications.enqueue(session, summary, reports) if notify and summary else 0
    _prerender(engine, reports)
    return Outcome(summary, tuple(reports), notifications=queued)


def _prerender(engine: Engine, reports: Sequence[CalendarReport]) -> None:
    """Right after the commit, the changed calendars' new renders for every server (settlecal/renders.py).
    The release is in force whatever happens here: a failure only leaves the render to the servers."""
    changed = sum(sum(report.counts.values()) for report in reports)
    if not reports or changed > renders.PRERENDER_MAX_EVENTS:  # counted already: no query to find out
        return
    try:
        renders.prerender(engine, [report.calendar for report in reports])
    except SQLAlchemyError as error:
        logger.warning("release committed; its calendars were not rendered ahead (%s)", type(error).__name__)


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


@dataclasses.dataclass(slots=True)
class _CalendarPlan:
    """What one calendar of a release will change, read before anything is written."""

    key: CalendarKey
    rows: list[ReleaseRow]
    stored: StoredCalendar
    changed_rows: list[ReleaseRow]  # the rows whose period differs from the database
    # None for a calendar the release creates: it removes nothing, and its diff (the whole calendar)
    # is made as it is written rather than held in memory with every other.
    diff: CalendarDiff | None
    removals: tuple[Removal, ...] = ()


def _plan(session: Session, by_calendar: Sequence[tuple[CalendarKey, list[ReleaseRow]]]) -> list[_CalendarPlan]:
    # Reads first, for the whole release at once (a query per calendar costs a round trip each on a
    # database server); then each calendar is compared.
    ids = calendar_ids(session)
    index = stored_periods(session, [ids[key] for key, _ in by_calendar if key in ids])
    differing = [_differing(index.get(ids.get(key, -1), {}), rows) for key, rows in by_calendar]
    touched = [period.id for _, periods in differing for period in periods]
    contents = stored_contents(session, period_ids=touched)
    plans = []
    for (key, rows), (changed_rows, _) in zip(by_calendar, differing):
        calendar_id = ids.get(key)
        states, key_dates = contents.get(calendar_id or -1, ({}, {}))
        stored = StoredCalendar(calendar_id, index.get(calendar_id or -1, {}), states, key_dates)
        diff = None if calendar_id is None else diff_calendar(key, key_dates, changed_rows, {row.year for row in rows})
        plans.append(_CalendarPlan(key, rows, stored, changed_rows, diff))
    _count_removals(session, plans)
    return plans


def _count_removals(session: Session, plans: Iterable[_CalendarPlan]) -> None:
    """Fills in the plans' removals, with the key dates in force of each year they remove from."""
    removed = {
        plan.stored.id: (plan, removed_by_year(plan.diff, plan.stored.key_dates))
        for plan in plans if plan.diff is not None and plan.stored.id is not None
    }
    in_force = key_dates_in_force(session, [(calendar_id, year) for calendar_id, (_, years) in removed.items()
                                            for year in years])
    for calendar_id, (plan, years) in removed.items():
        plan.removals = tuple(Removal(plan.key, year, count, in_force[calendar_id, year])
                              for year, count in sorted(years.items()))


def _removals_of(plans: Iterable[_CalendarPlan]) -> tuple[Removal, ...]:
    return tuple(removal for plan in plans for removal in plan.removals)


def _apply(plans: Iterable[_CalendarPlan], writer: ReleaseWriter | None, progress: Progress | None
           ) -> tuple[CalendarReport, ...]:
    reports = []
    for plan in plans:
        diff = diff_calendar(plan.key, {}, plan.rows) if plan.diff is None else plan.diff
        if writer is not None:
            periods = {row.period: PeriodState(row.period_start, row.period_end, row.remarks, row.year)
                       for row in plan.changed_rows}
            writer.apply(diff, periods, plan.stored)
            writer.repair_periods(plan.stored, plan.changed_rows, diff)
        if diff.changes:
            reports.append(_report(diff, created=plan.stored.id is None, removals=plan.removals))
        if progress is not None:
            progress(len(plan.rows))
    return tuple(reports)


def _differing(periods: dict[str, StoredPeriod], rows: list[ReleaseRow]) -> tuple[list[ReleaseRow], list[StoredPeriod]]:
    """The rows whose period differs from the database (in its key dates or its year), and the stored
    periods that may change: those rows' periods, and periods in force of the rows' years that the
    rows lack."""
    changed_rows = [
        row for row in rows
        if (period := periods.get(row.period)) is None or period.fingerprint != row_fingerprint(row)
        or period.year != row.year
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


def _report(diff: CalendarDiff, *, created: bool, removals: tuple[Removal, ...] = ()) -> CalendarReport:
    counts = {action: diff.count(action) for action in Action}
    return CalendarReport(diff.calendar, created, counts, () if created else diff.changes, removals)


def _restored_year(stored: PeriodState, restored: KeyDateState) -> int:
    """A period's year once a rollback restores its dates: a year a release gave (one the rule does
    not give) stays, as it would through an export; else the rule's year of the restored dates."""
    if stored.year != period_year(stored.start, stored.end):
        return stored.year
    return period_year(restored.date, restored.end)
