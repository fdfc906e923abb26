"""Filtered feeds: `/.web/feed.ics?…`, the key dates of a selection as one iCalendar stream.

Events are the collections' own: the same UID, dates, SEQUENCE and LAST-MODIFIED, so a client that
subscribes to a selection sees the same events move when a release moves them. In English an event
is byte-for-byte the one render.py gives the collection; in Spanish only SUMMARY, DESCRIPTION and
CATEGORIES are translated.

The ETag is computed from the revisions of the calendars the selection matches, before anything is
read or rendered, so a conditional GET costs one small query, like a collection's.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from caldav_plugin import http
from settlecal import hrefs
from settlecal.formats import ical as render
from settlecal.db import queries
from settlecal.db.queries import CalendarState, EventRow, SelectedKeyDate
from settlecal.domain import CalendarKey
from settlecal.db.snapshot import reading
from caldav_plugin.web import responses
from settlecal.i18n.translator import Translator
from settlecal.filters import Selection, describe

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.request import Request

# Bump when the feed's own lines change for the same rows (the events follow RENDER_VERSION).
FEED_VERSION: Final = 1
_ONE_DAY: Final = datetime.timedelta(days=1)
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def feed_query(chosen: Selection, lang: str) -> str:
    """What names a feed: its filters, kinds and language; the month and range don't change a feed."""
    return chosen.replace(month=None, first=None, last=None, lang=None if lang == "en" else lang).query()


def respond(request: Request) -> radicale_types.WSGIResponse:
    """GET of a feed: 400 for parameters that mean nothing, 304 when the client has this revision."""
    if request.problems:
        text = "".join(f"{p.parameter}={p.value!r}: {request.t('not understood')}\n" for p in request.problems)
        return responses.answer(400, "text/plain; charset=utf-8", text.encode())
    web, chosen, t = request.web, request.selection, request.t
    refresh = web.settings.storage.refresh_minutes
    with reading(web.engine) as session:
        states = [state for state in queries.calendar_states(session) if chosen.matches(state.key)]
        etag = feed_etag(states, chosen, t.lang, refresh)
        modified = feed_last_modified(states)
        headers = {"ETag": etag, "Last-Modified": modified, "Vary": "Accept-Encoding",
                   "Cache-Control": f"public, max-age={web.settings.storage.max_age}"}
        if http.not_modified(request.environ, etag, modified):
            return responses.not_modified(headers)
        body = web.feeds.get(etag)
        if body is None:
            key_dates = queries.selected_key_dates(session, chosen.filter, kinds=chosen.kinds) if states else []
            body = render_feed(key_dates, chosen, t, refresh_minutes=refresh).encode("utf-8")
            web.feeds.put(etag, body)
    return 200, {"Content-Type": http.CALENDAR_TYPE, **headers}, body, None


def feed_etag(states: Iterable[CalendarState], selection: Selection, lang: str, refresh_minutes: int) -> str:
    """Changes exactly when a matching calendar gets a new revision, or the feed's own shape changes."""
    revisions = ",".join(f"{state.key.path}:{state.revision}" for state in sorted(states, key=lambda s: s.key))
    seed = f"{render.RENDER_VERSION}|{FEED_VERSION}|{feed_query(selection, lang)}|{refresh_minutes}|{revisions}"
    return f'"feed-{hashlib.sha256(seed.encode()).hexdigest()}"'


def feed_last_modified(states: Sequence[CalendarState]) -> str:
    return render.http_date(max((state.modified_at for state in states), default=_EPOCH))


def render_feed(key_dates: Iterable[SelectedKeyDate], selection: Selection, t: Translator, *,
                refresh_minutes: int) -> str:
    """The selection's key dates as one VCALENDAR, with the refresh hints of the collections."""
    interval = render.duration(refresh_minutes)
    name = f"{t('Settlement calendars')}: {describe(selection, t)}"
    description = t("IATA settlement key dates of the selection, from the operator's releases. Read-only.")
    header = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{render.PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"NAME:{render.escape_text(name)}",
        f"X-WR-CALNAME:{render.escape_text(name)}",
        f"DESCRIPTION:{render.escape_text(description)}",
        f"X-WR-CALDESC:{render.escape_text(description)}",
        f"REFRESH-INTERVAL;VALUE=DURATION:{interval}",
        f"X-PUBLISHED-TTL:{interval}",
    ]
    head = "".join(render.fold(line) + render.CRLF for line in header)
    ordered = sorted(key_dates, key=lambda k: (k.calendar, k.event.date, k.event.period, k.event.kind))
    events = "".join(vevent(k.calendar, k.event, t) for k in ordered)
    return head + events + "END:VCALENDAR" + render.CRLF


def vevent(key: CalendarKey, row: EventRow, t: Translator) -> str:
    """One key date's VEVENT: the collection's own in English, translated texts in Spanish."""
    if t.lang == "en":
        return render.render_event(key, row).vevent
    stamp = render.ical_datetime(row.modified_at)
    lines = [
        "BEGIN:VEVENT",
        f"UID:{render.escape_text(hrefs.event_uid(key, row.period, row.kind))}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{row.date:%Y%m%d}",
        f"DTEND;VALUE=DATE:{row.end + _ONE_DAY:%Y%m%d}",
        f"SUMMARY:{render.escape_text(summary(key, row, t))}",
        f"DESCRIPTION:{render.escape_text(description(key, row, t))}",
        f"CATEGORIES:{render.escape_text(key.system.value)},{render.escape_text(t.kind(row.kind))}",
        "TRANSP:TRANSPARENT",
        f"SEQUENCE:{row.sequence}",
        f"LAST-MODIFIED:{stamp}",
        "END:VEVENT",
    ]
    return "".join(render.fold(line) + render.CRLF for line in lines)


def summary(key: CalendarKey, row: EventRow, t: Translator) -> str:
    """`BSP ES EUR · Remesa 2026-03-4`: the collection's summary, in the feed's language."""
    if t.lang == "en":
        return render.summary(key, row)
    return f"{key.system} {key.country} {key.currency} · {t.kind(row.kind)} {row.period}"


def description(key: CalendarKey, row: EventRow, t: Translator) -> str:
    if t.lang == "en":
        return render.description(key, row)
    lines = [
        f"{t.kind_term(row.kind)}, {t.calendar(key)}.",
        t("Period {code}: {start} to {end}.").format(
            code=row.period, start=row.period_start.isoformat(), end=row.period_end.isoformat()),
    ]
    if row.cutoff:
        lines.append(t("Cut-off: {time} local time.").format(time=row.cutoff))
    if row.remarks:
        lines.append(t("Remarks: {text}").format(text=row.remarks))
    lines.append(t("Release {id} of {date}.").format(id=row.revision, date=f"{row.modified_at:%Y-%m-%d}"))
    return "\n".join(lines)
