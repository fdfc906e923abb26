"""What subscribers and CalDAV clients ask of every calendar, as lists of requests per kind of server.

Stock Radicale has no `.ics` alias (its whole-calendar download is the collection's GET) and nginx
speaks no WebDAV, so each scenario says which servers it runs on and what each is asked.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Callable, Mapping, Sequence
from typing import Final

from bench.mirrors import Calendar
from bench.wrk import Request


class Kind(enum.Enum):
    SETTLECAL = "settlecal"
    RADICALE = "radicale"
    NGINX = "nginx"


DAV_SERVERS: Final = frozenset({Kind.SETTLECAL, Kind.RADICALE})
EVERY_SERVER: Final = frozenset(Kind)

XML: Final = {"Content-Type": "application/xml; charset=utf-8"}
PROPFIND_ITEMS: Final = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/>'
                         "<D:getcontenttype/></D:prop></D:propfind>")
MONTH_QUERY: Final = (
    '<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
    '<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
    '<C:comp-filter name="VEVENT"><C:time-range start="20260301T000000Z" end="20260401T000000Z"/>'
    "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>")
SYNC: Final = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>'
               "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>")
# What a CalDAV client asks of the calendar home when it discovers calendars (DAVx⁵, Thunderbird).
LISTING: Final = (
    '<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/" '
    'xmlns:C="urn:ietf:params:xml:ns:caldav"><D:prop><D:resourcetype/><D:displayname/><CS:getctag/>'
    "<D:sync-token/><C:supported-calendar-component-set/><D:current-user-privilege-set/></D:prop></D:propfind>")


@dataclasses.dataclass(frozen=True, slots=True)
class Learned:
    """What a client knows from its previous visit: each calendar's ETag and sync token."""

    etags: Mapping[str, str]
    tokens: Mapping[str, str]


def whole_calendar(kind: Kind, calendar: Calendar) -> str:
    """The URL a subscriber downloads: the `.ics` alias, or the collection on stock Radicale."""
    return calendar.path if kind is Kind.RADICALE else calendar.ics


@dataclasses.dataclass(frozen=True, slots=True)
class Scenario:
    name: str
    title: str
    expected: int  # the status a correct answer has
    servers: frozenset[Kind]
    ask: Callable[[Kind, Calendar, Learned], Request]

    def requests(self, kind: Kind, calendars: Sequence[Calendar], learned: Learned) -> list[Request]:
        return [self.ask(kind, calendar, learned) for calendar in calendars]


def _conditional(kind: Kind, calendar: Calendar, learned: Learned) -> Request:
    return Request("GET", whole_calendar(kind, calendar), {"If-None-Match": learned.etags[calendar.path]})


def _sync(kind: Kind, calendar: Calendar, learned: Learned) -> Request:
    return Request("REPORT", calendar.path, {"Depth": "1", **XML}, SYNC.format(token=learned.tokens[calendar.path]))


SCENARIOS: Final = (
    Scenario("get_ics", "GET whole calendar (.ics alias)", 200, EVERY_SERVER,
             lambda kind, calendar, _: Request("GET", whole_calendar(kind, calendar))),
    Scenario("get_collection", "GET whole calendar (collection)", 200, EVERY_SERVER,
             lambda kind, calendar, _: Request("GET", calendar.path)),
    Scenario("conditional", "conditional GET (If-None-Match) → 304", 304, EVERY_SERVER, _conditional),
    Scenario("propfind", "PROPFIND Depth 1 on a calendar", 207, DAV_SERVERS,
             lambda kind, calendar, _: Request("PROPFIND", calendar.path, {"Depth": "1", **XML}, PROPFIND_ITEMS)),
    Scenario("report_month", "time-range REPORT, one month", 207, DAV_SERVERS,
             lambda kind, calendar, _: Request("REPORT", calendar.path, {"Depth": "1", **XML}, MONTH_QUERY)),
    Scenario("sync", "sync-collection REPORT, nothing new", 207, DAV_SERVERS, _sync),
)
