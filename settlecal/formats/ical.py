"""Key-date rows → iCalendar text, written directly and deterministically (RFC 5545, RFC 7986).

A row becomes its VEVENT through one string template rather than an `icalendar.Event`, which is
what makes a cold GET of a large calendar cheap; the text rules (TEXT escaping, line folding) come
from icalendar's own `vText` and `Contentline`, and the output depends on nothing but the row (no
clock, no random UID, no dict order), so two renders of one revision are byte-identical and the
ETag, the sha256 of those bytes, only changes when a release changes the key date.

All-day events are `DTSTART;VALUE=DATE` / `DTEND;VALUE=DATE` (the day after the last day) without
TZID, so they never shift a day in any time zone. Cut-off times are local times without a zone in
the releases, so they go into the description, not into a timed event.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import functools
import hashlib
from collections.abc import Iterable, Mapping
from typing import Final

import pycountry
from icalendar.parser import Contentline
from icalendar.prop import vText

from settlecal import hrefs
from sqlalchemy.orm import Session

from settlecal.db import queries
from settlecal.db.queries import EventRow, SelectedKeyDate
from settlecal.db.queries.settles import Settles
from settlecal.domain import CalendarKey, System
from settlecal.filters import describe_filter
from settlecal.formats.query import Format, Query
from settlecal.i18n.translator import Translator, translator

# Bump when the output for the same rows changes: it is part of every collection ETag.
RENDER_VERSION: Final = 3
PRODID: Final = "-//settlecal//IATA settlement calendars//EN"
MEDIA_TYPE: Final = "text/calendar; charset=utf-8"
CRLF: Final = "\r\n"
_ITEM_HEAD: Final = f"BEGIN:VCALENDAR{CRLF}VERSION:2.0{CRLF}PRODID:{PRODID}{CRLF}"
_ITEM_TAIL: Final = f"END:VCALENDAR{CRLF}"
_EPOCH_ORDINAL: Final = datetime.date(1970, 1, 1).toordinal()
_ONE_DAY: Final = datetime.timedelta(days=1)

ENGLISH: Final = translator("en")
CALENDAR_COLOR: Final[Mapping[System, str]] = {
    System.BSP: "#1F5FA8", System.CASS: "#B8561B", System.CASS_IMPORT: "#6B4E16",
}


@dataclasses.dataclass(frozen=True, slots=True)
class RenderedEvent:
    """One key date, ready for Radicale: nothing in it needs parsing again."""

    name: str  # the href inside the collection
    uid: str
    vevent: str  # BEGIN:VEVENT … END:VEVENT, CRLF-terminated
    etag: str  # quoted sha256 of `text`, as Radicale computes it
    time_range: tuple[int, int]  # [start, end) as POSIX seconds, all-day dates at UTC midnight
    last_modified: str  # HTTP date

    @property
    def text(self) -> str:
        """The calendar object resource: one VCALENDAR around the VEVENT (built on demand, to keep
        cached calendars small)."""
        return _ITEM_HEAD + self.vevent + _ITEM_TAIL


def render_event(key: CalendarKey, row: EventRow, t: Translator = ENGLISH) -> RenderedEvent:
    """The VEVENT of one key date, wrapped as a calendar object resource.

    In English it is the collection's own event; in another language SUMMARY, DESCRIPTION and
    CATEGORIES are translated and everything else (UID, dates, SEQUENCE) stays the same.
    """
    name = hrefs.event_name(row.period, row.kind)
    uid = hrefs.event_uid(key, row.period, row.kind)
    dates = [f"DTSTART;VALUE=DATE:{row.date:%Y%m%d}", f"DTEND;VALUE=DATE:{row.end + _ONE_DAY:%Y%m%d}"]
    vevent = "".join(fold(line) + CRLF for line in event_lines(key, row, t, dates))
    text = _ITEM_HEAD + vevent + _ITEM_TAIL
    start = (row.date.toordinal() - _EPOCH_ORDINAL) * 86400
    end = (row.end.toordinal() + 1 - _EPOCH_ORDINAL) * 86400
    return RenderedEvent(name, uid, vevent, etag(text), (start, end), http_date(row.modified_at))


def event_lines(key: CalendarKey, row: EventRow, t: Translator, dates: list[str],
                components: tuple[str, ...] = ()) -> list[str]:
    """The VEVENT's content lines, unfolded: `dates` are its DTSTART (and DTEND) lines, `components`
    lines of components inside it (a VALARM), both given by the caller (all-day here, timed in
    settlecal.formats.timed)."""
    stamp = ical_datetime(row.modified_at)
    return [
        "BEGIN:VEVENT",
        f"UID:{escape_text(hrefs.event_uid(key, row.period, row.kind))}",
        f"DTSTAMP:{stamp}",
        *dates,
        f"SUMMARY:{escape_text(summary(key, row, t))}",
        f"DESCRIPTION:{escape_text(description(key, row, t))}",
        f"CATEGORIES:{escape_text(key.system.value)},{escape_text(t.kind(row.kind))}",
        "TRANSP:TRANSPARENT",
        f"SEQUENCE:{row.sequence}",
        f"LAST-MODIFIED:{stamp}",
        *components,
        "END:VEVENT",
    ]


def render_calendar(key: CalendarKey, events: Iterable[RenderedEvent], *, refresh_minutes: int) -> str:
    """The whole calendar as one iCalendar stream, for GET of the collection and of its `.ics` alias.

    Carries both refresh hints subscribers honour: RFC 7986 `REFRESH-INTERVAL` and Outlook's
    `X-PUBLISHED-TTL`.
    """
    return calendar_head(key, refresh_minutes) + "".join(event.vevent for event in events) + "END:VCALENDAR" + CRLF


def calendar_head(key: CalendarKey, refresh_minutes: int) -> str:
    """A calendar's VCALENDAR lines before its events."""
    interval = duration(refresh_minutes)
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(display_name(key))}",
        f"X-WR-CALNAME:{escape_text(display_name(key))}",
        f"DESCRIPTION:{escape_text(calendar_description(key))}",
        f"X-WR-CALDESC:{escape_text(calendar_description(key))}",
        f"COLOR:{CALENDAR_COLOR[key.system].lower()}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{interval}",
        f"X-PUBLISHED-TTL:{interval}",
    ]
    return "".join(fold(line) + CRLF for line in header)


def summary(key: CalendarKey, row: EventRow, t: Translator = ENGLISH) -> str:
    """Short enough for a month grid: `BSP ES EUR · Remittance 2026-03-4`."""
    return f"{key.system} {key.country} {key.currency} · {t.kind(row.kind)} {row.period}"


def description(key: CalendarKey, row: EventRow, t: Translator = ENGLISH) -> str:
    """The period, the cut-off time, remarks and the release that last changed the key date."""
    # English names the calendar by its key, as every collection's event always has.
    calendar = key.label if t.lang == ENGLISH.lang else t.calendar(key)
    lines = [
        f"{t.kind_term(row.kind)}, {calendar}.",
        t("Period {code}: {start} to {end}.").format(
            code=row.period, start=row.period_start.isoformat(), end=row.period_end.isoformat()),
    ]
    if row.settles is not None:
        lines.append(settles_text(row.settles, t))
    if row.cutoff:
        lines.append(t("Cut-off: {time} local time.").format(time=row.cutoff))
    if row.remarks:
        lines.append(t("Remarks: {text}").format(text=row.remarks))
    lines.append(t("Release {id} of {date}.").format(id=row.revision, date=f"{row.modified_at:%Y-%m-%d}"))
    return "\n".join(lines)


def settles_text(settles: Settles, t: Translator = ENGLISH) -> str:
    """`Settles periods 2026-03-1 to 2026-03-4 (Mar 1 – 31, 2026).`: what a remittance that settles
    several reporting periods says of them (the event, the page, the e-mails, the PDF)."""
    return t("Settles periods {first} to {last} ({days}).").format(
        first=settles.first, last=settles.last, days=t.date_span(settles.start, settles.end))


@functools.cache
def display_name(key: CalendarKey) -> str:
    return key.label


@functools.cache
def calendar_description(key: CalendarKey) -> str:
    country = pycountry.countries.get(alpha_2=key.country)
    place = f"{country.name} ({key.country})" if country is not None else key.country
    return (
        f"IATA {key.system} settlement calendar: {place}, {key.currency}, {key.frequency} remittance. "
        "Read-only: it changes only when the operator publishes a release."
    )


def collection_meta(key: CalendarKey) -> dict[str, str]:
    """The collection's WebDAV/CalDAV properties, in Radicale's `get_meta` vocabulary."""
    return {
        "tag": "VCALENDAR",
        "D:displayname": display_name(key),
        "C:calendar-description": calendar_description(key),
        "ICAL:calendar-color": CALENDAR_COLOR[key.system],
        "C:supported-calendar-component-set": "VEVENT",
    }


def escape_text(value: str) -> str:
    """RFC 5545 §3.3.11 TEXT escaping, by icalendar."""
    return vText(value).to_ical().decode("utf-8")


def fold(line: str) -> str:
    """RFC 5545 §3.1 folding, by icalendar: at most 75 octets a line, never inside a UTF-8 sequence
    nor between a backslash and the character it escapes (which some clients misread)."""
    if len(line) <= 75 and line.isascii():  # most lines; skips the library's per-character walk
        return line
    folded: bytes = Contentline(line).to_ical()  # type: ignore[no-untyped-call]
    return folded.decode("utf-8")


def etag(text: str) -> str:
    return '"%s"' % hashlib.sha256(text.encode("utf-8")).hexdigest()


def ical_datetime(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def http_date(moment: datetime.datetime) -> str:
    # Not strftime: %a and %b follow the process locale, HTTP dates must be English.
    return email.utils.format_datetime(moment.astimezone(datetime.timezone.utc).replace(microsecond=0), usegmt=True)


def duration(minutes: int) -> str:
    """An RFC 5545 duration: `P1D`, `PT12H`, `PT90M`."""
    if minutes % 1440 == 0:
        return f"P{minutes // 1440}D"
    if minutes % 60 == 0:
        return f"PT{minutes // 60}H"
    return f"PT{minutes}M"


def render_selection(key_dates: Iterable[SelectedKeyDate], query: Query) -> str:
    """The key dates of several calendars as one VCALENDAR, with the refresh hints of the collections:
    each event is its collection's own (in the query's language)."""
    t = translator(query.lang)
    ordered = sorted(key_dates, key=lambda k: (k.calendar, k.event.date, k.event.period, k.event.kind))
    events = "".join(render_event(k.calendar, k.event, t).vevent for k in ordered)
    return selection_head(query) + events + "END:VCALENDAR" + CRLF


def selection_head(query: Query) -> str:
    """A selection's VCALENDAR lines before its events."""
    t = translator(query.lang)
    interval = duration(query.refresh_minutes)
    name = t("Settlement calendars: {selection}").format(selection=describe_filter(query.where, query.kinds, t))
    about = t("IATA settlement key dates of the selection, from the operator's releases. Read-only.")
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{escape_text(name)}",
        f"X-WR-CALNAME:{escape_text(name)}",
        f"DESCRIPTION:{escape_text(about)}",
        f"X-WR-CALDESC:{escape_text(about)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{interval}",
        f"X-PUBLISHED-TTL:{interval}",
    ]
    return "".join(fold(line) + CRLF for line in header)


def render(session: Session, query: Query) -> bytes:
    key_dates = queries.selected_key_dates(session, query.where, kinds=query.kinds)
    return render_selection(key_dates, query).encode("utf-8")


FORMAT: Final = Format("ics", "ics", MEDIA_TYPE, render, "iCalendar: one feed of every matching calendar")
