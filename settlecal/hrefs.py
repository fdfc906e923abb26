"""Paths and names as clients see them: principals, calendar collections, the `.ics` alias, events.

Pure functions, no I/O. Every key date has exactly one href and one UID, both derived from the
calendar, the period code and the kind, so they never change while the key date exists:

    /bsp/                                       the BSP principal (its calendar home)
    /bsp/es-eur-monthly/                        a calendar collection
    /bsp/es-eur-monthly.ics                     the same calendar for "subscribe from web"
    /bsp/es-eur-monthly/2026-03-4-remittance.ics    one key date

Period codes are the operator's free-form labels, so they are escaped into a safe, canonical form:
`[A-Za-z0-9.-]` stay, every other UTF-8 byte becomes `_XX` (upper-case hex), and so does a leading
dot. The mapping is injective, and parsing accepts only the canonical spelling, so one key date can
never be reached under two names.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from settlecal.domain import CalendarKey, Frequency, Kind, System

ICS: Final = ".ics"
_SAFE: Final = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-")
_HEX: Final = frozenset("0123456789ABCDEF")
# Longest first: no kind is a suffix of another today, but the parse must not depend on that.
_KINDS_BY_LENGTH: Final = sorted(Kind, key=lambda kind: len(kind.value), reverse=True)
_UID_DOMAIN: Final = "settlecal"


def escape(code: str) -> str:
    """The safe, canonical form of a period code: `2026-03-4` stays, `26/03 A` → `26_2F03_20A`."""
    out = []
    for index, byte in enumerate(code.encode("utf-8")):
        if byte in _SAFE and not (index == 0 and byte == ord(".")):
            out.append(chr(byte))
        else:
            out.append(f"_{byte:02X}")
    return "".join(out)


def unescape(text: str) -> str | None:
    """The period code `escape` turned into `text`, or None if `text` is not a canonical escape."""
    raw = bytearray()
    index = 0
    while index < len(text):
        char = text[index]
        if char == "_":
            digits = text[index + 1 : index + 3]
            if len(digits) != 2 or not set(digits) <= _HEX:
                return None
            raw.append(int(digits, 16))
            index += 3
        elif char.isascii() and ord(char) in _SAFE:
            raw.append(ord(char))
            index += 1
        else:
            return None
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    # Only the canonical spelling: `_41` for `A` or a bare leading dot would alias another name.
    return decoded if decoded and escape(decoded) == text else None


def event_name(period: str, kind: Kind) -> str:
    """The item's href inside its collection: `2026-03-4-remittance.ics`."""
    return f"{escape(period)}-{kind.value}{ICS}"


def parse_event_name(name: str) -> tuple[str, Kind] | None:
    """(period code, kind) of an item href, or None when the name is not one `event_name` makes."""
    if not name.endswith(ICS):
        return None
    stem = name[: -len(ICS)]
    for kind in _KINDS_BY_LENGTH:
        suffix = f"-{kind.value}"
        if stem.endswith(suffix):
            period = unescape(stem[: -len(suffix)])
            return None if period is None else (period, kind)
    return None


def event_uid(calendar: CalendarKey, period: str, kind: Kind) -> str:
    """The UID, stable for ever: `2026-03-4-remittance@es-eur-monthly.bsp.settlecal`."""
    return f"{escape(period)}-{kind.value}@{calendar.slug}.{calendar.system.lower()}.{_UID_DOMAIN}"


def parse_slug(system: System, slug: str) -> CalendarKey | None:
    """The calendar a collection name such as `es-eur-four-times-monthly` stands for."""
    parts = slug.split("-", 2)
    if len(parts) != 3:
        return None
    country, currency, frequency = parts
    if not (len(country) == 2 and len(currency) == 3 and country.isalpha() and currency.isalpha()):
        return None
    if not (country.islower() and currency.islower() and country.isascii() and currency.isascii()):
        return None
    try:
        return CalendarKey(system, country.upper(), currency.upper(), Frequency(frequency))
    except ValueError:
        return None


def parse_system(name: str) -> System | None:
    """The system a principal name stands for: `bsp` → BSP. Only the lower-case spelling."""
    for system in System:
        if name == system.lower():
            return system
    return None


@dataclasses.dataclass(frozen=True, slots=True)
class Root:
    """`/`: lists the principals."""


@dataclasses.dataclass(frozen=True, slots=True)
class Principal:
    """`/bsp/`: a system's principal and calendar home."""

    system: System


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarPath:
    """`/bsp/es-eur-monthly/`, or its alias `/bsp/es-eur-monthly.ics` when `alias` is set."""

    key: CalendarKey
    alias: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class EventPath:
    """`/bsp/es-eur-monthly/2026-03-4-remittance.ics`."""

    key: CalendarKey
    period: str
    kind: Kind

    @property
    def name(self) -> str:
        return event_name(self.period, self.kind)


Target = Root | Principal | CalendarPath | EventPath


def parse_path(path: str) -> Target | None:
    """What a request path names, with or without slashes at either end; None for nothing we serve."""
    parts = [part for part in path.split("/") if part]
    if not parts:
        return Root()
    system = parse_system(parts[0])
    if system is None or len(parts) > 3:
        return None
    if len(parts) == 1:
        return Principal(system)
    alias = len(parts) == 2 and parts[1].endswith(ICS)
    slug = parts[1][: -len(ICS)] if alias else parts[1]
    key = parse_slug(system, slug)
    if key is None:
        return None
    if len(parts) == 2:
        return CalendarPath(key, alias)
    event = parse_event_name(parts[2])
    return None if event is None else EventPath(key, *event)


def collection_path(key: CalendarKey) -> str:
    """The collection's path as Radicale spells it, without slashes at the ends: `bsp/es-eur-monthly`."""
    return key.path


def alias_path(key: CalendarKey) -> str:
    """The URL path of the `.ics` alias: `/bsp/es-eur-monthly.ics`."""
    return f"/{key.path}{ICS}"
