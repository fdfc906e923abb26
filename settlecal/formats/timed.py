"""Deadlines at their time of day, and reminders before them: the `.ics` alias and `/.web/feed.ics`
on request (`deadlines=timed`, `alarm=P1D`).

CalDAV collections stay all-day (settlecal.formats.ical): sync clients keep exactly the events they
have. Asked for, a key date with a cut-off becomes an event at that wall-clock time in its
operation's zone (`DTSTART;TZID=Europe/Madrid:20261210T120000`, no DTEND: a deadline is an
instant), with the zone's VTIMEZONE built from the tz database by icalendar; every deadline gets a
VALARM that long before it. UID, SEQUENCE, SUMMARY and DESCRIPTION are the collection's own, so a
client sees the same events move when a release moves them.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Iterable, Mapping
from typing import Final

from icalendar import Timezone

from settlecal.db.queries import EventRow, SelectedKeyDate
from settlecal.durations import alarm_text
from settlecal.domain import CalendarKey, Kind
from settlecal.formats.ical import (
    CRLF, ENGLISH, calendar_head, escape_text, event_lines, fold, selection_head, summary,
)
from settlecal.formats.query import Query
from settlecal.i18n.translator import Translator, translator

# The key dates that are deadlines for agents: reminders go before these.
DEADLINES: Final = frozenset({Kind.SUBMISSION, Kind.REMITTANCE, Kind.CORRECTION_CUTOFF, Kind.DISPUTE_DEADLINE})
_ONE_DAY: Final = datetime.timedelta(days=1)


@dataclasses.dataclass(frozen=True, slots=True)
class Timing:
    """What a subscription link asked for: deadlines at their time, and how long before to remind."""

    timed: bool = False
    alarm: datetime.timedelta | None = None

    @property
    def plain(self) -> bool:
        """Nothing asked for: the output is the collection's, byte for byte."""
        return not self.timed and self.alarm is None


def vevent(key: CalendarKey, row: EventRow, zone: str, timing: Timing, t: Translator = ENGLISH) -> str:
    """One key date's VEVENT as `timing` asks: timed when it has a cut-off, with a VALARM when a deadline."""
    if timing.timed and row.cutoff:
        hours, minutes = row.cutoff.split(":")
        dates = [f"DTSTART;TZID={zone}:{row.date:%Y%m%d}T{hours}{minutes}00"]
    else:
        dates = [f"DTSTART;VALUE=DATE:{row.date:%Y%m%d}", f"DTEND;VALUE=DATE:{row.end + _ONE_DAY:%Y%m%d}"]
    alarm: tuple[str, ...] = ()
    if timing.alarm is not None and row.kind in DEADLINES:
        reminder = t("Reminder: {summary}").format(summary=summary(key, row, t))
        alarm = ("BEGIN:VALARM", "ACTION:DISPLAY", f"TRIGGER:-{alarm_text(timing.alarm)}",
                 f"DESCRIPTION:{escape_text(reminder)}", "END:VALARM")
    return "".join(fold(line) + CRLF for line in event_lines(key, row, t, dates, alarm))


def vtimezones(days_by_zone: Mapping[str, Iterable[datetime.date]]) -> str:
    """A VTIMEZONE per zone, from the tz database, covering the years of its timed events."""
    out = []
    for zone in sorted(days_by_zone):
        days = list(days_by_zone[zone])
        if not days:
            continue
        first, last = datetime.date(min(days).year, 1, 1), datetime.date(max(days).year + 1, 1, 1)
        built = Timezone.from_tzid(zone, first_date=first, last_date=last).to_ical()
        out.append(built.decode("utf-8"))
    return "".join(out)


def _timed_days(entries: Iterable[tuple[str, EventRow]], timing: Timing) -> dict[str, list[datetime.date]]:
    days: dict[str, list[datetime.date]] = {}
    if timing.timed:
        for zone, row in entries:
            if row.cutoff:
                days.setdefault(zone, []).append(row.date)
    return days


def render_calendar(key: CalendarKey, zone: str, rows: Iterable[EventRow], timing: Timing, *,
                    refresh_minutes: int) -> str:
    """A calendar's `.ics` alias as `timing` asks (English, like the collection)."""
    rows = list(rows)
    events = "".join(vevent(key, row, zone, timing) for row in rows)
    zones = vtimezones(_timed_days(((zone, row) for row in rows), timing))
    return calendar_head(key, refresh_minutes) + zones + events + "END:VCALENDAR" + CRLF


def render_selection(key_dates: Iterable[SelectedKeyDate], query: Query, timing: Timing) -> str:
    """`/.web/feed.ics` as `timing` asks."""
    t = translator(query.lang)
    ordered = sorted(key_dates, key=lambda k: (k.calendar, k.event.date, k.event.period, k.event.kind))
    events = "".join(vevent(k.calendar, k.event, k.timezone, timing, t) for k in ordered)
    zones = vtimezones(_timed_days(((k.timezone, k.event) for k in ordered), timing))
    return selection_head(query) + zones + events + "END:VCALENDAR" + CRLF
