"""One Translator per language: our own words from the gettext catalogues, everything CLDR knows from Babel.

The page, the feeds, the PDF, the Atom feed and the e-mails all take a Translator `t`:

    t("Settlement calendars")                                  gettext; English is the message id
    t.ngettext("{n} calendar matches", "{n} calendars match", n)   the language's plural rule; `{n}` is
                                                               filled with the number in its digits
    t.date(day), t.month(day), t.country("ES"), t.number(20000)  Babel/CLDR, never written by hand

Messages with placeholders are `str.format` templates (`{id}`), filled by the caller.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Iterable

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers

from settlecal.domain import CalendarKey, Frequency, Kind
from settlecal.i18n.catalogues import catalogue
from settlecal.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES, Language


@dataclasses.dataclass(frozen=True, slots=True)
class Translator:
    """Everything language-dependent, for one language."""

    language: Language

    @property
    def lang(self) -> str:
        """The language's code: `lang=` in links, a subscriber's language."""
        return self.language.code

    @property
    def tag(self) -> str:
        """The BCP 47 tag for `lang`, `Content-Language` and `xml:lang`."""
        return self.language.tag

    @property
    def direction(self) -> str:
        """`ltr` or `rtl`, for HTML's `dir`."""
        return self.language.direction

    @property
    def rtl(self) -> bool:
        return self.language.rtl

    @property
    def locale(self) -> Locale:
        return _locale(self.language.locale)

    def __call__(self, message: str) -> str:
        """The message in this language (English is the id)."""
        return catalogue(self.language.locale).gettext(message)

    def ngettext(self, singular: str, plural: str, n: int, **values: object) -> str:
        """The form of the message this language uses for `n`, with `{n}` (and `values`) filled in."""
        chosen = catalogue(self.language.locale).ngettext(singular, plural, n)
        return chosen.format(n=self.number(n), **values)

    def join(self, items: Iterable[str]) -> str:
        """`Remittance, Settlement` / `السداد والتسوية` / `汇款、结算`: CLDR's list pattern, no final "and"."""
        pattern = self.locale.list_patterns["standard"]["middle"]
        joined: str | None = None
        for item in items:
            joined = item if joined is None else pattern.format(joined, item)
        return joined or ""

    def number(self, value: int) -> str:
        """`20,000` / `20.000` / `20 000`, in Latin digits like the dates and codes around it."""
        return babel_numbers.format_decimal(value, locale=self.locale)

    @property
    def csv_separator(self) -> str:
        """`;` where numbers have a decimal comma (spreadsheets there split CSV files on `;`), else `,`."""
        return ";" if babel_numbers.get_decimal_symbol(self.locale) == "," else ","

    def ltr(self, text: str) -> str:
        """`text` (an ISO date, a time stamp) kept whole and left to right inside right-to-left text.

        After Arabic letters the bidi algorithm reads `2026-12-08` as three Arabic numbers and shows
        `08-12-2026`; Unicode's isolates (LRI … PDI) keep it one left-to-right run. Other languages
        get the text unchanged."""
        return f"\u2066{text}\u2069" if self.rtl else text

    @property
    def arrow(self) -> str:
        """An arrow that points forward in reading order (old → new, this month → next)."""
        return "←" if self.rtl else "→"

    @property
    def back_arrow(self) -> str:
        return "→" if self.rtl else "←"

    def kind(self, kind: Kind) -> str:
        """The kind's short name, as a month grid shows it."""
        return self(kind.facts.label)

    def kind_term(self, kind: Kind) -> str:
        """IATA's own term for the kind."""
        return self(kind.facts.term)

    def frequency(self, frequency: Frequency) -> str:
        return self(frequency.label)

    def calendar(self, key: CalendarKey) -> str:
        """`BSP ES EUR monthly` / `BSP ES EUR mensual`."""
        return f"{key.system} {key.country} {key.currency} {self.frequency(key.frequency)}"

    def country(self, code: str) -> str:
        """The country's name in this language, else the code."""
        return str(self.locale.territories.get(code, code))

    def date(self, day: datetime.date, style: str = "medium") -> str:
        """`Dec 8, 2026` / `8 dic 2026`; style `full` adds the weekday, `short` is numeric."""
        return babel_dates.format_date(day, style, locale=self.locale)

    def date_span(self, first: datetime.date, last: datetime.date) -> str:
        """`Mar 1 – 31, 2026` / `1–31 mar 2026`: CLDR's interval of two days."""
        return babel_dates.format_interval(first, last, "yMMMd", locale=self.locale)

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

    def weekday(self, day: datetime.date) -> str:
        """`Tue` / `mar`."""
        return babel_dates.format_date(day, "EEE", locale=self.locale)

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
    """The Translator of language code `lang`; English for a code we don't have."""
    return Translator(LANGUAGES.get(lang) or LANGUAGES[DEFAULT_LANGUAGE])


@functools.cache
def _locale(locale: str) -> Locale:
    return Locale.parse(locale)
