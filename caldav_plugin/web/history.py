"""Release history: every import and rollback, and what each changed, calendar by calendar."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from sqlalchemy.orm import Session

from settlecal.changes import Action, CalendarDiff
from settlecal.db import queries
from settlecal.db.snapshot import reading

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.request import Request

ACTIONS: Final = tuple(Action)
# A calendar with more changes than this, all of them additions, is shown folded: a first load.
_FOLD_ADDED: Final = 12


def first_load(calendar: CalendarDiff) -> bool:
    """Only additions, and many: a calendar's first load, not worth listing beside others."""
    return len(calendar.changes) > _FOLD_ADDED and all(c.action is Action.ADDED for c in calendar.changes)


def release_stamp(session: Session) -> queries.ReleaseSummary | None:
    """The release whose revision the page shows (the newest), or None for an empty database."""
    current = queries.current_revision(session)
    return queries.release(session, current) if current else None


def releases(request: Request) -> radicale_types.WSGIResponse:
    chosen = request.selection
    with reading(request.web.engine) as session:
        listed = queries.releases(session)
        states = [state for state in queries.calendar_states(session) if chosen.matches(state.key)]
        stamp = release_stamp(session)
    return request.render("releases.html", current="releases", lang_page="releases", releases=listed, calendars=states, stamp=stamp)


def release(request: Request, release_id: int) -> radicale_types.WSGIResponse:
    chosen = request.selection
    with reading(request.web.engine) as session:
        summary = queries.release(session, release_id)
        if summary is None:
            message = request.t("There is no release {id}.").format(id=release_id)
            return request.render("error.html", status=404, message=message)
        stored = queries.release_changes(session, release_id)
        by_calendar = [c for c in queries.by_calendar(stored) if chosen.matches(c.calendar)]
        stamp = release_stamp(session)
    if chosen.kinds:
        by_calendar = [
            CalendarDiff(c.calendar, tuple(change for change in c.changes if chosen.wants(change.kind)))
            for c in by_calendar
        ]
        by_calendar = [c for c in by_calendar if c.changes]
    return request.render("release.html", current="releases", lang_page=f"releases/{release_id}", release=summary, calendars=by_calendar, actions=ACTIONS, stamp=stamp,
                          first_load=first_load)
