"""What the page shows, all of it in the URL: filters, key-date kinds, month, date range, language.

    /.web/?system=BSP&country=ES&currency=EUR&frequency=monthly&kind=remittance,settlement
          &month=2026-12&from=2026-01-01&to=2026-12-31&lang=es

Every parameter is optional. Parsing never fails: a value that means nothing is dropped and
reported as a problem (the page shows it; the feed answers 400, so a subscriber never silently gets
more than asked for). `query()` writes the canonical form back, so links and bookmarks are stable.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import urllib.parse
from collections.abc import Iterable, Mapping
from typing import Any, Final

import pycountry

from settlecal.domain import FREQUENCY_ALIASES, SYSTEM_ALIASES, CalendarFilter, CalendarKey, Frequency, Kind, System
from settlecal.durations import alarm_text, parse_alarm
from settlecal.errors import SettlecalError
from settlecal.i18n.countries import country_code
from settlecal.i18n.languages import language
from settlecal.i18n.translator import Translator

# The canonical order of the parameters in links.
PARAMETERS: Final = ("system", "country", "currency", "frequency", "kind", "month", "from", "to", "lang",
                     "deadlines", "alarm")
FILTER_PARAMETERS: Final = PARAMETERS[:5]
_MONTH: Final = re.compile(r"^(\d{4})-(\d{2})$")
_CURRENCY: Final = re.compile(r"^[A-Za-z]{3}$")
# The years a month or a date range may name: wide enough for any settlement calendar, narrow enough
# that "the next month" always exists and no request asks for a thousand years of key dates.
FIRST_YEAR: Final = 1900
LAST_YEAR: Final = 2199


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """A parameter whose value was dropped."""

    parameter: str
    value: str


class FilterInvalid(SettlecalError):
    """Parameters of a calendar filter that name nothing (an unknown country, system, kind, …)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return "; ".join(f"{problem.parameter} {problem.value!r} names nothing" for problem in self.problems)


@dataclasses.dataclass(frozen=True, slots=True)
class Selection:
    system: System | None = None
    country: str | None = None
    currency: str | None = None
    frequency: Frequency | None = None
    kinds: tuple[Kind, ...] = ()  # none: every kind
    month: datetime.date | None = None  # its first day; None: today's month
    first: datetime.date | None = None  # the download range (`from`, `to`)
    last: datetime.date | None = None
    lang: str | None = None  # None: not asked for (the page negotiates, feeds use English)
    # Subscription options of the `.ics` links (settlecal.formats.timed): deadlines at their time of
    # day (`deadlines=timed`) and a reminder that long before each deadline (`alarm=P1D`).
    timed: bool = False
    alarm: datetime.timedelta | None = None

    @property
    def filter(self) -> CalendarFilter:
        return CalendarFilter(self.system, self.country, self.currency, self.frequency)

    @property
    def filtered(self) -> bool:
        return any((self.system, self.country, self.currency, self.frequency, self.kinds))

    def wants(self, kind: Kind) -> bool:
        return not self.kinds or kind in self.kinds

    def matches(self, key: CalendarKey) -> bool:
        return self.filter.matches(key)

    def replace(self, **changes: Any) -> Selection:
        return dataclasses.replace(self, **changes)

    def parameters(self) -> dict[str, str]:
        """The non-empty parameters, in canonical order and spelling."""
        values = {
            "system": self.system and self.system.value,
            "country": self.country,
            "currency": self.currency,
            "frequency": self.frequency and self.frequency.value,
            "kind": ",".join(kind.value for kind in Kind if kind in self.kinds) or None,
            "month": self.month and f"{self.month:%Y-%m}",
            "from": self.first and self.first.isoformat(),
            "to": self.last and self.last.isoformat(),
            "lang": self.lang,
            "deadlines": "timed" if self.timed else None,
            "alarm": self.alarm and alarm_text(self.alarm),
        }
        return {name: value for name, value in values.items() if value}

    def query(self, **changes: Any) -> str:
        """`?system=BSP&…` for this selection with `changes` applied; "" when nothing is set."""
        parameters = (self.replace(**changes) if changes else self).parameters()
        return "?" + urllib.parse.urlencode(parameters, safe=",") if parameters else ""


def describe(selection: Selection, t: Translator) -> str:
    """One line for titles: `BSP · Spain (ES) · EUR · monthly · Remittance, Settlement`."""
    return describe_filter(selection.filter, selection.kinds, t)


def describe_filter(where: CalendarFilter, kinds: Iterable[Kind], t: Translator) -> str:
    parts = [
        where.system.value if where.system else "BSP + CASS",
        f"{t.country(where.country)} ({where.country})" if where.country else None,
        where.currency,
        t.frequency(where.frequency) if where.frequency else None,
        t.join(t.kind(kind) for kind in Kind if kind in set(kinds)) or None,
    ]
    return " · ".join(part for part in parts if part)


def calendar_filter(query_string: str) -> tuple[CalendarFilter, frozenset[Kind] | None]:
    """The calendars and kinds a query string names (feeds, sign-ups, the API): every value must
    name something, else FilterInvalid. Parameters other than the filter's are not looked at."""
    chosen, problems = parse(query_string)
    wrong = [problem for problem in problems if problem.parameter in FILTER_PARAMETERS]
    if wrong:
        raise FilterInvalid(wrong)
    return chosen.filter, frozenset(chosen.kinds) or None


def parse(query_string: str, known_country: Any = lambda code: True) -> tuple[Selection, list[Problem]]:
    """The selection a query string asks for, and the values it dropped."""
    raw = urllib.parse.parse_qs(query_string, keep_blank_values=False)
    problems: list[Problem] = []
    values: dict[str, Any] = {}

    def single(name: str) -> str | None:
        found = [value.strip() for value in raw.get(name, []) if value.strip()]
        return found[-1] if found else None

    for name, reader in _READERS.items():
        text = single(name)
        if text is None:
            continue
        value = reader(text, known_country) if name == "country" else reader(text)
        if value is None:
            problems.append(Problem(name, text))
        else:
            values[_FIELD.get(name, name)] = value
    kinds, bad = _kinds(raw.get("kind", []))
    problems += [Problem("kind", value) for value in bad]
    if kinds:
        values["kinds"] = kinds
    selection = Selection(**values)
    if selection.first and selection.last and selection.first > selection.last:
        problems.append(Problem("to", selection.last.isoformat()))
        selection = selection.replace(last=None)
    return selection, problems


def _system(text: str) -> System | None:
    wanted = text.upper().replace("_", "-").replace(" ", "-")
    return next((system for system in System if system.value == wanted), None) or SYSTEM_ALIASES.get(wanted)


def _frequency(text: str) -> Frequency | None:
    wanted = text.lower().replace("_", "-").replace(" ", "-")
    found = next((frequency for frequency in Frequency if frequency.value == wanted), None)
    return found or FREQUENCY_ALIASES.get(wanted)


def _currency(text: str) -> str | None:
    code = text.upper()
    return code if _CURRENCY.match(text) and pycountry.currencies.get(alpha_3=code) is not None else None


def _country(text: str, known: Any) -> str | None:
    return country_code(text, known)


def _month(text: str) -> datetime.date | None:
    found = _MONTH.match(text)
    if found is None or not 1 <= int(found.group(2)) <= 12 or not FIRST_YEAR <= int(found.group(1)) <= LAST_YEAR:
        return None
    return datetime.date(int(found.group(1)), int(found.group(2)), 1)


def _day(text: str) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def _kinds(values: list[str]) -> tuple[tuple[Kind, ...], list[str]]:
    """`kind=remittance,settlement` and `kind=remittance&kind=settlement` (a form's checkboxes)."""
    wanted: set[Kind] = set()
    bad = []
    for value in values:
        for part in value.split(","):
            name = part.strip().lower().replace("_", "-")
            if not name:
                continue
            try:
                wanted.add(Kind(name))
            except ValueError:
                bad.append(part.strip())
    return tuple(kind for kind in Kind if kind in wanted), bad


_READERS: Final[Mapping[str, Any]] = {
    "system": _system,
    "country": _country,
    "currency": _currency,
    "frequency": _frequency,
    "month": _month,
    "from": _day,
    "to": _day,
    "lang": language,
    "deadlines": lambda text: True if text.lower() == "timed" else None,
    "alarm": parse_alarm,
}
_FIELD: Final = {"from": "first", "to": "last", "deadlines": "timed"}
