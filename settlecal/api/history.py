"""`/releases`, `/releases/{id}` and `/changes`: what each release did, and the change log to replay.

A rollback is a release like an import: it makes a revision, and its changes (the inverse of the undone
import's) are in the log at that revision, so a client replaying the log follows rollbacks too.
"""

from __future__ import annotations

from typing import Final, Literal, cast

from sqlalchemy.orm import Session

from settlecal import hrefs
from settlecal.api import cursor, resources
from settlecal.api.errors import ReleaseUnknown, SinceInFuture
from settlecal.api.links import Links, calendar_ref
from settlecal.api.paging import Pager
from settlecal.changes import Action
from settlecal.db import queries
from settlecal.db.queries import changelog

RELEASE_POSITION: Final = (cursor.whole,)
CHANGE_POSITION: Final = (cursor.whole, cursor.whole)  # revision, change id
_ACTIONS: Final = ("import", "rollback")
_COUNTED: Final = (Action.ADDED, Action.MOVED, Action.CHANGED, Action.REMOVED)  # CalendarCounts' order


def release_page(session: Session, pager: Pager) -> resources.ReleasePage:
    after = pager.after(RELEASE_POSITION)
    rows = queries.releases(session, before=after[0] if after else None, limit=pager.fetch)
    page = pager.page(rows, lambda row: (row.id,))
    return resources.ReleasePage(
        revision=queries.current_revision(session),
        releases=tuple(release(row) for row in page.items),
        next_cursor=page.next_cursor,
        next=page.next,
    )


def release_detail(session: Session, release_id: int, pager: Pager, links: Links) -> resources.ReleaseDetail:
    summary = queries.release(session, release_id)
    if summary is None:
        raise ReleaseUnknown(release_id)
    rows = changelog.logged_changes(session, release=release_id, after=_change_after(pager), limit=pager.fetch)
    page = pager.page(rows, lambda row: row.position)
    counts = [
        resources.CalendarCounts(calendar_ref(key), *(tally.get(action.value, 0) for action in _COUNTED))
        for key, tally in changelog.release_counts(session, release_id)
    ]
    return resources.ReleaseDetail(
        revision=queries.current_revision(session),
        release=release(summary),
        calendars=tuple(counts),
        changes=tuple(change(row, links) for row in page.items),
        next_cursor=page.next_cursor,
        next=page.next,
    )


def change_page(session: Session, pager: Pager, links: Links) -> resources.ChangePage:
    """The log after `since`. A `since` past the current revision is refused: this database never made
    that revision, so whatever the client holds is no base to apply changes to."""
    chosen, since = pager.arguments.selection, pager.arguments.since
    revision = queries.current_revision(session)
    if since > revision:
        raise SinceInFuture(since, revision)
    rows = changelog.logged_changes(session, since=since, where=chosen.filter, kinds=chosen.kinds,
                                    after=_change_after(pager), limit=pager.fetch)
    page = pager.page(rows, lambda row: row.position)
    return resources.ChangePage(
        revision=revision,
        since=since,
        changes=tuple(change(row, links) for row in page.items),
        next_cursor=page.next_cursor,
        next=page.next,
    )


def release(summary: queries.ReleaseSummary) -> resources.Release:
    if summary.action not in _ACTIONS:
        raise ValueError(f"release {summary.id} has an unknown action {summary.action!r}")
    return resources.Release(
        id=summary.id, action=cast(Literal["import", "rollback"], summary.action), file_name=summary.file_name,
        sha256=summary.sha256, created_at=queries.utc(summary.created_at), note=summary.note,
        rows=summary.rows, calendars=summary.calendars, added=summary.added, moved=summary.moved,
        changed=summary.changed, removed=summary.removed, undoes=summary.undoes_id,
        undone_by=summary.undone_by_id, in_force=summary.in_force,
    )


def change(row: changelog.LoggedChange, links: Links) -> resources.Change:
    key = row.calendar
    return resources.Change(
        revision=row.revision, changed_at=row.changed_at, action=Action(row.action), calendar=calendar_ref(key),
        period=row.period, kind=row.kind, uid=hrefs.event_uid(key, row.period, row.kind),
        href=links.event(key, row.period, row.kind),
        old=resources.KeyDateState(*row.old) if row.old else None,
        new=resources.KeyDateState(*row.new) if row.new else None,
    )



def _change_after(pager: Pager) -> changelog.ChangePosition | None:
    after = pager.after(CHANGE_POSITION)
    return None if after is None else (after[0], after[1])
