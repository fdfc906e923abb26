"""The page at `/.web/`: filters whose choices depend on each other, the month grid, upcoming key
dates, the matching calendars with their subscription links, and the download form."""

from __future__ import annotations

import dataclasses
import datetime
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from settlecal import hrefs
from settlecal.db import queries
from settlecal.domain import N_, CalendarKey, Kind, System
from settlecal.db.snapshot import reading
from caldav_plugin.web import history, responses
from caldav_plugin.web.feed import feed_query
from settlecal.i18n.translator import Translator
from caldav_plugin.web.month import month_end, month_grid, month_start
from settlecal.durations import alarm_text
from settlecal.filters import Selection

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.request import Request

# More matching calendars than this and the page lists only these (the filters narrow it down).
MAX_LISTED: Final = 60
# More than this and the month grid and upcoming list wait for narrower filters: ~270 calendars
# would put thousands of key dates in one month.
MAX_SHOWN: Final = 30
FACETS: Final = ("system", "country", "currency", "frequency")


@dataclasses.dataclass(frozen=True, slots=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarLinks:
    """One calendar with everything a subscriber needs."""

    key: CalendarKey
    label: str
    country: str
    revision: int
    changed_at: datetime.datetime
    key_dates: int | None  # None: not counted (too many calendars match)
    ics: str  # https (or http) subscription URL of the .ics alias
    webcal: str
    caldav: str  # the collection URL
    user: str  # the CalDAV account whose home holds it
    download: str  # server-relative link for a one-click download
    zone: str  # the operation's time zone, in which its cut-off times are
    members: tuple[str, ...]  # the other member countries' names, when one of a multi-country operation


@dataclasses.dataclass(frozen=True, slots=True)
class Feed:
    """The subscription links of the whole selection (`/.web/feed.ics?…`)."""

    https: str
    webcal: str
    download: str


def index(request: Request) -> radicale_types.WSGIResponse:
    target = canonical(request)
    if target is not None:
        return responses.redirect(target, 302)
    web, chosen, t = request.web, request.selection, request.t
    today = web.today()
    first = chosen.month or month_start(today)
    with reading(web.engine) as session:
        states = queries.calendar_states(session)
        matching = [state for state in states if chosen.matches(state.key)]
        in_month, upcoming, counts = [], [], {}
        if matching and len(matching) <= MAX_SHOWN:
            in_month = queries.selected_key_dates(session, chosen.filter, kinds=chosen.kinds, first=first,
                                                  last=month_end(first))
            upcoming = queries.selected_key_dates(session, chosen.filter, kinds=chosen.kinds, first=today,
                                                  limit=web.settings.upcoming)
        if matching and len(matching) <= MAX_LISTED:
            counts = {summary.key: summary.key_dates for summary in queries.calendars(session, chosen.filter)}
        stamp = history.release_stamp(session)
    calendars = [calendar_links(request, state, counts.get(state.key)) for state in matching[:MAX_LISTED]]
    return request.render(
        "index.html",
        current="page",
        facets=facets(states, chosen, t),
        month=month_grid(first, in_month, today=today, first_week_day=t.first_week_day),
        upcoming=upcoming,
        calendars=calendars,
        matching=len(matching),
        too_many=len(matching) > MAX_SHOWN,
        max_shown=MAX_SHOWN,
        feed=feed_links(request),
        stamp=stamp,
        kinds=list(Kind),
        today=today,
        range_first=chosen.first or datetime.date(first.year, 1, 1),
        range_last=chosen.last or datetime.date(first.year, 12, 31),
        alarms=ALARMS,
        alarm=chosen.alarm and alarm_text(chosen.alarm),
    )


def canonical(request: Request) -> str | None:
    """Where the page belongs when its query is not in canonical form (a submitted form), else None."""
    raw = request.environ.get("QUERY_STRING", "")
    wanted = request.selection.query().removeprefix("?")
    if request.problems or _query_items(raw) == _query_items(wanted):
        return None
    return request.url()


def _query_items(query: str) -> list[tuple[str, str]]:
    return urllib.parse.parse_qsl(query, keep_blank_values=True)


def facets(states: Sequence[queries.CalendarState], chosen: Selection, t: Translator) -> dict[str, list[Option]]:
    """For each filter, the values that exist together with the other filters' choices.

    A value chosen in the URL stays offered even when nothing matches it, so the form shows it.
    """
    options: dict[str, list[Option]] = {}
    for facet in FACETS:
        others = chosen.replace(**{facet: None})
        values = {getattr(state.key, facet) for state in states if others.matches(state.key)}
        current = getattr(chosen, facet)
        if current is not None:
            values.add(current)
        labelled = [(str(value), _label(facet, value, t)) for value in values]
        labelled.sort(key=lambda pair: pair[1].casefold() if facet == "country" else pair[0])
        options[facet] = [Option(value, label, value == (current and str(current))) for value, label in labelled]
    return options


def _label(facet: str, value: object, t: Translator) -> str:
    if facet == "system":
        carried = {System.BSP: t("passenger"), System.CASS: t("cargo"), System.CASS_IMPORT: t("cargo import")}[
            value]  # type: ignore[index]
        return f"{value} ({carried})"
    if facet == "country":
        return f"{t.country(str(value))} ({value})"
    if facet == "currency":
        name = t.locale.currencies.get(str(value))
        return f"{value} · {name}" if name else str(value)
    return t.frequency(value)  # type: ignore[arg-type]


def calendar_links(request: Request, state: queries.CalendarState, key_dates: int | None) -> CalendarLinks:
    key, t = state.key, request.t
    # The sync panel's options (deadlines at their time, a reminder) go into the `.ics` links only.
    options = timing_query(request.selection)
    ics = request.absolute(hrefs.alias_path(key)) + options
    members = tuple(t.country(country) for country in (state.members or "").split("|") if country and country != key.country)
    return CalendarLinks(
        key=key, label=t.calendar(key), country=t.country(key.country), revision=state.revision,
        changed_at=state.modified_at, key_dates=key_dates, ics=ics, webcal=webcal(ics),
        caldav=request.absolute(f"/{key.path}/"), user=key.system.lower(),
        download=f"{request.base_prefix}{hrefs.alias_path(key)}{options}", zone=state.timezone, members=members,
    )


def timing_query(chosen: Selection) -> str:
    """`?deadlines=timed&alarm=P1D` of the selection, "" without options."""
    parameters = Selection(timed=chosen.timed, alarm=chosen.alarm).query()
    return parameters


# The reminders the sync panel offers (any ISO 8601 duration up to P30D works in a link).
ALARMS: Final = (("PT2H", N_("2 hours before")), ("P1D", N_("1 day before")), ("P2D", N_("2 days before")),
                 ("P7D", N_("1 week before")))


def feed_links(request: Request) -> Feed:
    parameters = feed_query(request.selection, request.t.lang)
    https = request.absolute(f"/.web/feed.ics{parameters}")
    return Feed(https, webcal(https), f"{request.base_prefix}/.web/feed.ics{parameters}")


def webcal(url: str) -> str:
    """The `webcal://` form of an http(s) URL: calendar apps subscribe instead of importing a copy."""
    return "webcal://" + url.split("://", 1)[1]
