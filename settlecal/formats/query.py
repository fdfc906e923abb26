"""What every output format is asked for, and what a format is: the registry's two types.

A format reads what it needs in the session it is given (one snapshot, so one revision) and returns
bytes; the page's downloads and feeds and `settlecal export` call the same `render`.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable

from sqlalchemy.orm import Session

from settlecal.domain import CalendarFilter, Kind

DEFAULT_REFRESH_MINUTES = 720


@dataclasses.dataclass(frozen=True, slots=True)
class Query:
    """The calendars, kinds and days asked for, and how to write them.

    `first`/`last` bound the key dates by date (PDF) or the periods by their end (CSV, so a whole
    year exports as the release that imports it); formats that always cover everything (iCalendar,
    Atom) ignore them. `origin` is the public base URL links are made from (Atom).
    """

    where: CalendarFilter = CalendarFilter()
    kinds: tuple[Kind, ...] = ()  # none: every kind
    first: datetime.date | None = None
    last: datetime.date | None = None
    lang: str = "en"
    origin: str = ""
    separator: str = ","  # CSV: ";" where spreadsheets expect it
    bom: bool = False  # CSV: starts with a UTF-8 byte order mark, without which Excel misreads accents
    refresh_minutes: int = DEFAULT_REFRESH_MINUTES

    def wants(self, kind: Kind) -> bool:
        return not self.kinds or kind in self.kinds


@dataclasses.dataclass(frozen=True, slots=True)
class Format:
    """One output format: its name (`--format`), file extension, media type and renderer."""

    name: str
    extension: str
    media_type: str
    render: Callable[[Session, Query], bytes]
    description: str
