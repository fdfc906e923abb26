"""The page's two languages: messages, key-date and frequency names, dates and country names.

English is the message id; Spanish comes from the catalogue in messages.py. Dates and country names
come from Babel's CLDR data, so month and weekday names are never written by hand.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import unicodedata
from collections.abc import Callable, Mapping
from typing import Final

import pycountry
from babel import Locale
from babel import dates as babel_dates

from settlecal.domain import CalendarKey, Frequency, Kind
from settlecal.i18n.messages import SPANISH

LANGUAGES: Final = ("en", "es")
DEFAULT_LANGUAGE: Final = "en"
LANGUAGE_NAMES: Final[Mapping[str, str]] = {"en": "English", "es": "Español"}

_FREQUENCY: Final[Mapping[str, Mapping[Frequency, str]]] = {
    "en": {
        Frequency.MONTHLY: "monthly",
        Frequency.TWICE_MONTHLY: "twice monthly",
        Frequency.FOUR_TIMES_MONTHLY: "four times monthly",
        Frequency.TEN_DAILY: "ten-daily",
        Frequency.WEEKLY: "weekly",
    },
    "es": {
        Frequency.MONTHLY: "mensual",
        Frequency.TWICE_MONTHLY: "quincenal",
        Frequency.FOUR_TIMES_MONTHLY: "cuatro veces al mes",
        Frequency.TEN_DAILY: "decenal",
        Frequency.WEEKLY: "semanal",
    },
}


def language(value: str | None) -> str | None:
    """The language a `lang` parameter names (`es`, `ES`, `es-MX`), or None."""
    if not value:
        return None
    base = value.strip().lower().replace("_", "-").split("-")[0]
    return base if base in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an Accept-Language header; English when nothing fits."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        found = language(tag)
        if found is not None and q > best_q:
            best, best_q = found, q
    return best


@dataclasses.dataclass(frozen=True, slots=True)
class Translator:
    """Everything language-dependent the page and the feeds need, for one language."""

    lang: str

    def __call__(self, message: str) -> str:
        """The message in this language (English is the id)."""
        return SPANISH.get(message, message) if self.lang == "es" else message

    @property
    def locale(self) -> Locale:
        return _locale(self.lang)

    def kind(self, kind: Kind) -> str:
        """The kind's short name, as a month grid shows it."""
        return self(kind.facts.label)

    def kind_term(self, kind: Kind) -> str:
        """IATA's own term for the kind."""
        return self(kind.facts.term)

    def frequency(self, frequency: Frequency) -> str:
        return _FREQUENCY[self.lang][frequency]

    def calendar(self, key: CalendarKey) -> str:
        """`BSP ES EUR monthly` / `BSP ES EUR mensual`."""
        return f"{key.system} {key.country} {key.currency} {self.frequency(key.frequency)}"

    def country(self, code: str) -> str:
        """The country's name in this language, else the code."""
        return str(self.locale.territories.get(code, code))

    def date(self, day: datetime.date, style: str = "medium") -> str:
        """`Dec 8, 2026` / `8 dic 2026`; style `full` adds the weekday, `short` is numeric."""
        return babel_dates.format_date(day, style, locale=self.locale)

    def weekday_date(self, day: datetime.date) -> str:
        """`Tue, Dec 8, 2026` / `mar, 8 dic 2026`."""
        return babel_dates.format_skeleton("yMMMEd", day, locale=self.locale)

    def short_day(self, day: datetime.date) -> str:
        """`Dec 8` / `8 dic`."""
        return babel_dates.format_skeleton("MMMd", day, locale=self.locale)

    def day_month(self, day: datetime.date) -> str:
        """`Tue, Dec 8` / `mar, 8 dic`."""
        return babel_dates.format_skeleton("MMMEd", day, locale=self.locale)

    def month(self, day: datetime.date) -> str:
        """`December 2026` / `diciembre de 2026`."""
        return babel_dates.format_skeleton("yMMMM", day, locale=self.locale)

    def moment(self, moment: datetime.datetime) -> str:
        """A UTC time stamp: `Jan 5, 2026, 10:00 UTC`."""
        utc = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return f"{babel_dates.format_datetime(utc, 'medium', locale=self.locale)} UTC"

    def weekdays(self) -> list[tuple[str, str]]:
        """(abbreviation, full name) of each weekday, from the locale's first day of the week."""
        short = babel_dates.get_day_names("abbreviated", locale=self.locale)
        wide = babel_dates.get_day_names("wide", locale=self.locale)
        first = self.locale.first_week_day
        return [(short[(first + i) % 7], wide[(first + i) % 7]) for i in range(7)]

    @property
    def first_week_day(self) -> int:
        return int(self.locale.first_week_day)


@functools.cache
def translator(lang: str) -> Translator:
    return Translator(lang if lang in LANGUAGES else DEFAULT_LANGUAGE)


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse(lang)


def _folded(text: str) -> str:
    """Lower case without accents, for matching what people type against country names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


@functools.cache
def _country_names() -> Mapping[str, str]:
    names: dict[str, str] = {}
    for lang in LANGUAGES:
        for code, name in _locale(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(_folded(name), code)
    return names


@functools.cache
def _country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2: what a country filter may name (a made-up code matches no calendar)."""
    return frozenset(country.alpha_2 for country in pycountry.countries)


def country_code(text: str, known: Callable[[str], bool] = lambda code: True) -> str | None:
    """The ISO code of what someone typed in the country box: `ES`, `es`, `Spain`, `España`,
    `Spain (ES)`. None when it names no country."""
    value = text.strip()
    if value.endswith(")") and "(" in value:
        value = value[value.rindex("(") + 1 : -1].strip()
    if len(value) == 2 and value.isascii() and value.isalpha():
        code = value.upper()
        return code if code in _country_codes() and known(code) else None
    found = _country_names().get(_folded(value))
    return found if found is not None and known(found) else None
