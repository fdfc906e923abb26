"""Release history: every import and rollback, and what each changed, calendar by calendar."""

from __future__ import annotations

import dataclasses
import datetime
import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

from sqlalchemy.orm import Session

from settlecal.db import queries
from settlecal.domain import CalendarKey, Kind
from settlecal.db.snapshot import reading

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.request import Request

ACTIONS: Final = ("added", "moved", "changed", "removed")
# A calendar with more changes than this, all of them additions, is shown folded: a first load.
_FOLD_ADDED: Final = 12


State = tuple[datetime.date, datetime.date, str | None, str | None]  # date, end, cut-off, remarks


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    period: str
    kind: Kind
    action: str
    old: State | None
    new: State | None


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarChanges:
    """What one release did to one calendar."""

    key: CalendarKey
    changes: tuple[Change, ...]

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    @property
    def first_load(self) -> bool:
        """Only additions, and many: a calendar's first load, not worth listing beside others."""
        return len(self.changes) > _FOLD_ADDED and all(c.action == "added" for c in self.changes)


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
        by_calendar = [c for c in calendar_changes(stored) if chosen.matches(c.key)]
        stamp = release_stamp(session)
    if chosen.kinds:
        by_calendar = [
            CalendarChanges(c.key, tuple(change for change in c.changes if chosen.wants(change.kind)))
            for c in by_calendar
        ]
        by_calendar = [c for c in by_calendar if c.changes]
    return request.render("release.html", current="releases", lang_page=f"releases/{release_id}", release=summary, calendars=by_calendar, actions=ACTIONS, stamp=stamp)


def calendar_changes(stored: Iterable[queries.StoredChange]) -> list[CalendarChanges]:
    """The change log grouped by calendar (it comes ordered by calendar)."""
    return [
        CalendarChanges(key, tuple(
            Change(c.period, Kind(c.kind), c.action, _state(c.old), _state(c.new)) for c in group
        ))
        for key, group in itertools.groupby(stored, key=lambda change: change.calendar)
    ]


def _state(values: tuple[object, ...]) -> State | None:
    date, end, cutoff, remarks = values
    if not isinstance(date, datetime.date) or not isinstance(end, datetime.date):
        return None
    return date, end, cutoff if isinstance(cutoff, str) else None, remarks if isinstance(remarks, str) else None
