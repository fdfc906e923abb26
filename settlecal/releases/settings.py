"""A calendar's settings from its release rows: the operation's zone and its member countries.

They are not key dates: no client of a CalDAV collection sees them (its events are all-day), so a
release that changes only them writes them without a new revision. What they change is shown where
they are read: the page, and the `.ics` feeds asked for timed deadlines.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from settlecal.db.models import Calendar
from settlecal.domain import MEMBER_SEPARATOR, CalendarKey, Frequency, System
from settlecal.release_format.rows import ReleaseRow

_calendar = cast(Table, Calendar.__table__)


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarSettings:
    timezone: str
    members: str | None  # `AE|BH|OM`, None for a single country


def release_settings(rows: Iterable[ReleaseRow]) -> dict[CalendarKey, CalendarSettings]:
    """Each calendar's settings as its rows give them (the reader checked that they agree)."""
    settings: dict[CalendarKey, CalendarSettings] = {}
    for row in rows:
        if row.calendar not in settings:
            members = MEMBER_SEPARATOR.join(row.members) if row.members else None
            settings[row.calendar] = CalendarSettings(row.zone, members)
    return settings


def write_settings(session: Session, settings: Mapping[CalendarKey, CalendarSettings]) -> int:
    """Stores the settings of the calendars that exist and differ; how many changed."""
    stored = session.connection().execute(
        select(_calendar.c.id, _calendar.c.system, _calendar.c.country, _calendar.c.currency,
               _calendar.c.frequency, _calendar.c.timezone, _calendar.c.members)
    ).all()
    changed = []
    for id_, system, country, currency, frequency, timezone, members in stored:
        wanted = settings.get(CalendarKey(System(system), country, currency, Frequency(frequency)))
        if wanted is not None and (timezone, members) != (wanted.timezone, wanted.members):
            changed.append({"cid": id_, "zone": wanted.timezone, "wanted_members": wanted.members})
    if changed:
        session.connection().execute(
            update(_calendar).where(_calendar.c.id == bindparam("cid"))
            .values(timezone=bindparam("zone"), members=bindparam("wanted_members")),
            changed,
        )
    return len(changed)
