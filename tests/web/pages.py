"""Reading the page's HTML and the database the same way in every test.

The expected side never uses the web page's own query (`selected_key_dates`): it comes from the
collections' `queries.events`, filtered here in Python.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from html.parser import HTMLParser

from sqlalchemy import Engine

from settlecal.db import queries
from settlecal.db.snapshot import reading
from settlecal.domain import CalendarKey, Kind

# (date, kind, calendar path, period code): one key date as the grid and the database name it.
KeyDateId = tuple[str, str, str, str]


def expected_key_dates(
    engine: Engine,
    calendars: Callable[[CalendarKey], bool] = lambda key: True,
    *,
    first: datetime.date | None = None,
    last: datetime.date | None = None,
    kinds: frozenset[Kind] | None = None,
) -> dict[KeyDateId, queries.EventRow]:
    """Key dates in force of the calendars chosen, dated in [first, last], of the kinds given."""
    found = {}
    with reading(engine) as session:
        for state in queries.calendar_states(session):
            if not calendars(state.key):
                continue
            for row in queries.events(session, state.id):
                if (first and row.date < first) or (last and row.date > last) or (kinds and row.kind not in kinds):
                    continue
                found[(row.date.isoformat(), row.kind.value, state.key.path, row.period)] = row
    return found


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.chips: set[KeyDateId] = set()
        self.options: dict[str, list[tuple[str, str, bool]]] = {}
        self.text: list[str] = []
        self._day: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "td" and "day" in (a.get("class") or "").split():
            self._day = a.get("data-date")
        elif tag == "li" and "kd" in (a.get("class") or "").split() and self._day:
            self.chips.add((self._day, a["data-kind"] or "", a["data-calendar"] or "", a["data-period"] or ""))
        elif tag in ("select", "datalist"):
            self._select = a.get("id")
            self.options[self._select or ""] = []
        elif tag == "option" and self._select is not None:
            value = a.get("value") or ""
            self.options[self._select].append((value, value, "selected" in a))

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._day = None
        elif tag in ("select", "datalist"):
            self._select = None

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.text.append(data.strip())


def parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


def option_values(html: str, element_id: str) -> list[str]:
    """The non-empty values a <select> or <datalist> offers."""
    return [value for value, _, _ in parse(html).options[element_id] if value]


def selected(html: str, element_id: str) -> list[str]:
    return [value for value, _, chosen in parse(html).options[element_id] if chosen]
