"""Release cells: each converter turns one raw cell into its value, None when empty, or a `Fault`.

CSV cells arrive as text, XLSX cells as typed values; both pass through the same converters, so
the two formats obey the same rules. `Cached` converts each distinct raw value once: a release has
many rows but few distinct dates and codes.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from collections.abc import Callable, Hashable
from typing import TypeVar, cast

import pycountry

from settlecal.domain import (
    FREQUENCY_ALIASES, MAX_PERIOD_CODE, MEMBER_SEPARATOR, SYSTEM_ALIASES, CalendarKey, Frequency, System,
)
from settlecal.zones import canonical_zone

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
Cell = str | int | float | datetime.date | datetime.time | datetime.timedelta | None
"""What a record holds: strings from CSV; typed values from XLSX (a datetime is a date)."""

EMPTY_MARKERS = frozenset({"n/a", "na"})
"""Besides blank, what means "no value" in the date, cut-off and remarks columns (any case).

Not in the code columns: NA is Namibia's country code.
"""
_CALENDAR_COLUMNS = ("system", "country", "currency", "frequency")


def is_blank_cell(cell: Cell) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


@dataclasses.dataclass(frozen=True, slots=True)
class Fault:
    """A cell that does not convert, and how to show what was found; cached like a value."""

    found: str


def cell_text(cell: Cell) -> str:
    if isinstance(cell, str):
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))  # a spreadsheet's number 2606 is the code '2606', not '2606.0'
    return str(cell)  # also makes an XLSX time cell '12:00:00', which parse_time reads


def optional_text(cell: Cell) -> str | None:
    text = cell_text(cell)
    return None if not text or text.lower() in EMPTY_MARKERS else text


_ISO_DATE = re.compile(r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})")
_DMY_DATE = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")
_DMONY_DATE = re.compile(r"(?P<d>\d{1,2})-(?P<mon>[A-Za-z]{3})-(?P<y>\d{2}|\d{4})")
_MONTHS = {
    name: number
    for number, name in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)
}


def parse_date(cell: Cell) -> datetime.date | Fault | None:
    if isinstance(cell, datetime.datetime):  # XLSX date cells arrive as midnight datetimes
        if cell.time() != datetime.time():
            return Fault(f"'{cell}' (a date with a time of day)")
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    text = optional_text(cell)
    if text is None:
        return None
    match = _ISO_DATE.fullmatch(text) or _DMY_DATE.fullmatch(text) or _DMONY_DATE.fullmatch(text)
    if match is None:
        return Fault(f"'{text}'")
    parts = match.groupdict()
    month = _MONTHS.get(parts["mon"].lower()) if "mon" in parts else int(parts["m"])
    if month is None:
        return Fault(f"'{text}' (no such month; expected Jan, Feb, ..., Dec)")
    year = int(parts["y"]) + (2000 if len(parts["y"]) == 2 else 0)
    try:
        return datetime.date(year, month, int(parts["d"]))
    except ValueError:
        return Fault(f"'{text}' (no such day)")


_CLOCK_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?|(\d{1,2})(\d{2})")


def parse_time(cell: Cell) -> datetime.time | Fault | None:
    text = optional_text(cell)
    if text is None:
        return None
    match = _CLOCK_TIME.fullmatch(text)
    if match is None:
        return Fault(f"'{text}'")
    hour, minute, second, hhmm_hour, hhmm_minute = match.groups()
    hours, minutes = int(hour or hhmm_hour), int(minute or hhmm_minute)
    if hours > 23 or minutes > 59:
        return Fault(f"'{text}' (no such time)")
    if second not in (None, "00"):
        return Fault(f"'{text}' (cut-off times are to the minute)")
    return datetime.time(hours, minutes)


_YEAR = re.compile(r"[0-9]{4}")


def parse_year(cell: Cell) -> int | Fault | None:
    """A four-digit year: text, or a spreadsheet's number (2026 or 2026.0)."""
    if isinstance(cell, (datetime.date, datetime.time, datetime.timedelta)):
        return Fault(f"'{cell}' (a date or time, not a year)")
    text = optional_text(cell)
    if text is None:
        return None
    return int(text) if _YEAR.fullmatch(text) else Fault(f"'{text}'")


def cell_code(cell: Cell) -> str | None:
    return cell_text(cell) or None


# Control characters have no place in a label, and PostgreSQL cannot store NUL at all. XML 1.0 (the
# Atom feed, CalDAV REPORT answers) cannot carry U+FFFE, U+FFFF or lone surrogates either. In codes,
# format characters too (bidi overrides U+202A-202E and U+2066-2069, zero-width spaces and joiners,
# U+FEFF …): invisible, they make two codes that look alike differ, or reverse what a reader sees.
_NOT_XML = "\ufffe\uffff\ud800-\udfff"
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f" + _NOT_XML + r"\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e"
                      r"\u2060-\u206f\ufeff\ufff9-\ufffb]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + _NOT_XML + "]")  # tabs and line breaks allowed


def parse_period(cell: Cell) -> str | Fault | None:
    if isinstance(cell, (datetime.date, datetime.time)):  # Excel turns '2026-03-4' into 4 March
        return Fault(f"the date '{cell}' (format the period column as text)")
    code = cell_code(cell)
    if code is not None and len(code) > MAX_PERIOD_CODE:
        return Fault(f"a code of {len(code)} characters (at most {MAX_PERIOD_CODE})")
    if code is not None and (found := _CONTROL.search(code)):
        return Fault(f"the control character {found.group()!r} in {code!r}")
    return code


def parse_remarks(cell: Cell) -> str | Fault | None:
    text = optional_text(cell)
    if text is not None and (found := _CONTROL_IN_TEXT.search(text)):
        return Fault(f"the control character {_named(found.group())}")
    return text


def _named(char: str) -> str:
    return repr(char) if char.isascii() else f"U+{ord(char):04X}"


# A cell a spreadsheet would run as a formula (=HYPERLINK(…), +cmd|…, -2+3+cmd|…, @SUM(…)) is written
# with a leading apostrophe, which spreadsheets show as text and hide; the reader takes it off again,
# so export → import changes nothing. A cell that already starts with apostrophes before such a
# character gets one more, which keeps the two exact inverses of each other.
FORMULA_STARTS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _formula_like(text: str) -> bool:
    stripped = text.lstrip("'")
    return stripped[:1] in FORMULA_STARTS


def neutralised(text: str) -> str:
    """The CSV cell for `text`: a leading apostrophe when a spreadsheet would read a formula."""
    return "'" + text if _formula_like(text) else text


def restored(text: str) -> str:
    """The value of a CSV cell `neutralised` wrote (any other cell is returned as it is)."""
    return text[1:] if text.startswith("'") and _formula_like(text[1:]) else text


_SYSTEMS = {system.value: system for system in System} | dict(SYSTEM_ALIASES)
_FREQUENCIES = {frequency.value: frequency for frequency in Frequency} | dict(FREQUENCY_ALIASES)


def _country(text: str) -> str | None:
    return text if len(text) == 2 and pycountry.countries.get(alpha_2=text) else None


def _members(text: str) -> tuple[str, ...] | None:
    """The countries of a `country` cell: one, or the members of a multi-country operation in the
    order given (`AE|BH|OM`), each once."""
    members = tuple(part.strip() for part in text.upper().split(MEMBER_SEPARATOR))
    if len(set(members)) != len(members) or not all(map(_country, members)):
        return None
    return members


def _calendar_values(texts: list[str | None]) -> list[object]:
    system, country, currency, frequency = (text or "" for text in texts)
    currency = currency.upper()
    return [
        # "CASS Import", "cass_import" and "CASS-EXPORT" are read too.
        _SYSTEMS.get(re.sub(r"[\s_-]+", "-", system.upper())),
        _members(country),
        currency if len(currency) == 3 and pycountry.currencies.get(alpha_3=currency) else None,
        # Spreadsheets say "Twice monthly" or "four_times_monthly" for twice-monthly, operators "Fortnightly".
        _FREQUENCIES.get(re.sub(r"[\s_-]+", "-", frequency.lower())),
    ]


CalendarFaults = tuple[tuple[str, str], ...]  # (column, what was found)


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """The calendars one row speaks for: one per member country (a single country is one member)."""

    calendars: tuple[CalendarKey, ...]
    members: tuple[str, ...] | None  # the member countries of a multi-country operation, else None


def parse_calendar(cells: tuple[Cell, ...]) -> Operation | CalendarFaults:
    """The calendars of (system, country, currency, frequency) cells, or (column, found) faults."""
    texts = [cell_code(cell) for cell in cells]
    values = _calendar_values(texts)
    faults = tuple(
        (name, "an empty cell" if text is None else f"'{text}'")
        for name, text, value in zip(_CALENDAR_COLUMNS, texts, values)
        if value is None
    )
    if faults:
        return faults
    system, members, currency, frequency = values
    countries = cast("tuple[str, ...]", members)
    calendars = tuple(CalendarKey(system, country, currency, frequency)  # type: ignore[arg-type]
                      for country in countries)
    return Operation(calendars, countries if len(countries) > 1 else None)


def parse_zone(cell: Cell) -> str | Fault | None:
    """An IANA time zone such as Europe/Madrid, in the tz database's spelling (any case is read)."""
    text = optional_text(cell)
    if text is None:
        return None
    zone = canonical_zone(text)
    return Fault(f"'{text}' (not a zone of the tz database)") if zone is None else zone


class Cached(dict[K, T]):
    """A converter that converts each distinct raw value once: `cached[raw]`.

    A dict whose misses convert: a hit, by far the common case, never leaves C.
    """

    def __init__(self, convert: Callable[[K], T]):
        super().__init__()
        self._convert = convert

    def __missing__(self, raw: K) -> T:
        value = self[raw] = self._convert(raw)
        return value
