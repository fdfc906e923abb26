"""Filtered feeds: `/.web/feed.ics?…`, the key dates of a selection as one iCalendar stream.

Events are the collections' own: the same UID, dates, SEQUENCE and LAST-MODIFIED, so a client that
subscribes to a selection sees the same events move when a release moves them. In English an event
is byte-for-byte the collection's; in another language only SUMMARY, DESCRIPTION and CATEGORIES are
translated (settlecal.formats.ical).

The ETag is computed from the revisions of the calendars the selection matches, before anything is
read or rendered, so a conditional GET costs one small query, like a collection's.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Final

from caldav_plugin import http
from caldav_plugin.etags import revision_etag
from settlecal.formats import ical as render
from settlecal.formats import timed
from settlecal.formats.timed import Timing
from settlecal.i18n.translator import Translator
from settlecal.formats.query import Query
from settlecal.db import queries
from settlecal.db.queries import CalendarState
from settlecal.db.snapshot import reading
from caldav_plugin.web import limits, responses
from settlecal.filters import Selection

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.request import Request

# Bump when the feed's own lines change for the same rows (the events follow RENDER_VERSION).
# 2: translations from the gettext catalogues (the Spanish words changed, four languages came).
FEED_VERSION: Final = 2
_ONE_DAY: Final = datetime.timedelta(days=1)
_EPOCH: Final = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def feed_query(chosen: Selection, lang: str) -> str:
    """What names a feed: its filters, kinds and language; the month and range don't change a feed."""
    return chosen.replace(month=None, first=None, last=None, lang=None if lang == "en" else lang).query()


def respond(request: Request) -> radicale_types.WSGIResponse:
    """GET of a feed: 400 for parameters that mean nothing, 304 when the client has this revision."""
    if request.problems:
        text = "".join(f"{p.parameter}={p.value!r}: {explain(p.parameter, request.t)}\n" for p in request.problems)
        return responses.answer(400, "text/plain; charset=utf-8", text.encode())
    web, chosen, t = request.web, request.selection, request.t
    refresh = web.settings.storage.refresh_minutes
    with reading(web.engine) as session:
        states = [state for state in queries.calendar_states(session) if chosen.matches(state.key)]
        timing = Timing(chosen.timed, chosen.alarm)
        etag = feed_etag(states, chosen, t.lang, refresh, zones=not timing.plain)
        modified = feed_last_modified(states)
        headers = {"ETag": etag, "Last-Modified": modified, "Vary": "Accept-Encoding",
                   "Cache-Control": f"public, max-age={web.settings.storage.max_age}"}
        if http.not_modified(request.environ, etag, modified):
            return responses.not_modified(headers)
        body = web.feeds.get(etag)
        if body is None and limits.is_head(request.environ):  # the headers are known: nothing renders
            return 200, {"Content-Type": http.CALENDAR_TYPE, **headers}, b"", None
        if body is None:
            try:
                with limits.expensive():
                    key_dates = queries.selected_key_dates(session, chosen.filter, kinds=chosen.kinds) if states else []
                    query = Query(chosen.filter, chosen.kinds, lang=t.lang, refresh_minutes=refresh)
                    if timing.plain:
                        body = render.render_selection(key_dates, query).encode("utf-8")
                    else:
                        body = timed.render_selection(key_dates, query, timing).encode("utf-8")
            except limits.Busy:
                return limits.busy_text()
            web.feeds.put(etag, body)
    return 200, {"Content-Type": http.CALENDAR_TYPE, **headers}, body, None


def explain(parameter: str, t: Translator) -> str:
    """Why a parameter's value was refused, in a few words."""
    if parameter == "alarm":
        return t("expected an ISO 8601 duration such as P1D, PT2H or P2DT3H, at most P30D")
    if parameter == "deadlines":
        return t("expected deadlines=timed")
    return t("not understood")


def feed_etag(states: Iterable[CalendarState], selection: Selection, lang: str, refresh_minutes: int,
              *, zones: bool = False) -> str:
    """Changes exactly when a matching calendar gets a new revision, or the feed's own shape changes;
    with `zones` (a timed feed) also when a calendar's zone changes."""
    revisions = ",".join(f"{state.key.path}:{state.revision}" + (f":{state.timezone}" if zones else "")
                         for state in sorted(states, key=lambda s: s.key))
    seed = f"{render.RENDER_VERSION}|{FEED_VERSION}|{feed_query(selection, lang)}|{refresh_minutes}|{revisions}"
    return revision_etag(max((state.revision for state in states), default=0), seed)


def feed_last_modified(states: Sequence[CalendarState]) -> str:
    return render.http_date(max((state.modified_at for state in states), default=_EPOCH))
