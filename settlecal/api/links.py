"""The absolute URLs an answer gives: a calendar's subscription and CalDAV links, its page, an event's
URL and the API's own. All from one origin: the configured public URL, else the request's own host."""

from __future__ import annotations

import dataclasses
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Final

from settlecal import hrefs
from settlecal.api.resources import CalendarLinks, CalendarRef
from settlecal.domain import CalendarKey, Kind
from settlecal.filters import Selection

API_PATH: Final = "/.web/api/v1"
PAGE_PATH: Final = "/.web/"


@dataclasses.dataclass(frozen=True, slots=True)
class Links:
    origin: str  # `https://calendars.example.org` (with the proxy's path prefix, if any)

    def calendar(self, key: CalendarKey) -> CalendarLinks:
        ics = self.origin + hrefs.alias_path(key)
        only = Selection(system=key.system, country=key.country, currency=key.currency, frequency=key.frequency)
        return CalendarLinks(
            caldav=f"{self.origin}/{hrefs.collection_path(key)}/",
            ics=ics,
            webcal="webcal://" + ics.split("://", 1)[1],
            page=self.origin + PAGE_PATH + only.query(),
            key_dates=self.api("/key-dates", only.parameters()),
        )

    def event(self, key: CalendarKey, period: str, kind: Kind) -> str:
        return f"{self.origin}/{hrefs.collection_path(key)}/{hrefs.event_name(period, kind)}"

    def api(self, endpoint: str, parameters: Mapping[str, str] | Sequence[tuple[str, str]] = ()) -> str:
        query = urllib.parse.urlencode(parameters, safe=",")
        return f"{self.origin}{API_PATH}{endpoint}" + (f"?{query}" if query else "")


def calendar_ref(key: CalendarKey) -> CalendarRef:
    return CalendarRef(hrefs.collection_path(key), key.system, key.country, key.currency, key.frequency)
