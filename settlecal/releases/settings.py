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


@dataclasses.dataclass(frozen=True, slots=True)
class SettingsChange:
    """A calendar that exists and whose zone or members a release changes."""

    calendar: CalendarKey
    old: CalendarSettings
    new: CalendarSettings


def changed_settings(session: Session, settings: Mapping[CalendarKey, CalendarSettings]) -> list[SettingsChange]:
    """The calendars that exist and whose settings differ from the release's, by key."""
    stored = session.connection().execute(
        select(_calendar.c.system, _calendar.c.country, _calendar.c.currency, _calendar.c.frequency,
               _calendar.c.timezone, _calendar.c.members)
    ).all()
    changes = []
    for system, country, currency, frequency, timezone, members in stored:
        key = CalendarKey(System(system), country, currency, Frequency(frequency))
        wanted = settings.get(key)
        old = CalendarSettings(timezone, members)
        if wanted is not None and wanted != old:
            changes.append(SettingsChange(key, old, wanted))
    return sorted(changes, key=lambda change: change.calendar)


def write_settings(session: Session, changes: Iterable[SettingsChange]) -> None:
    """Stores the new settings of these calendars."""
    values = [{"k_system": c.calendar.system.value, "k_country": c.calendar.country, "k_currency": c.calendar.currency,
               "k_frequency": c.calendar.frequency.value, "zone": c.new.timezone, "wanted_members": c.new.members}
              for c in changes]
    if values:
        session.connection().execute(
            update(_calendar)
            .where(_calendar.c.system == bindparam("k_system"), _calendar.c.country == bindparam("k_country"),
                   _calendar.c.currency == bindparam("k_currency"), _calendar.c.frequency == bindparam("k_frequency"))
            .values(timezone=bindparam("zone"), members=bindparam("wanted_members")),
            values,
        )
