"""Operation time zones, from the tz database (the `tzdata` package, so every machine has the same one).

A cut-off time is a wall-clock time in the operation's zone. A release may name the zone; when it
does not, the zone is the country's principal one: the first the tz database's `zone.tab` lists for
the country (ES → Europe/Madrid, not Africa/Ceuta or Atlantic/Canary).
"""

from __future__ import annotations

import datetime
import functools
import importlib.resources
import zoneinfo
from collections.abc import Mapping


@functools.cache
def _zones() -> Mapping[str, str]:
    """Every zone name the tz database knows, by its lower case."""
    return {name.lower(): name for name in zoneinfo.available_timezones()}


def canonical_zone(text: str) -> str | None:
    """`europe/madrid` → `Europe/Madrid`; None for a name the tz database does not know."""
    return _zones().get(text.strip().lower())


@functools.cache
def _principal_zones() -> Mapping[str, str]:
    table = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    first: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _, zone, *_ = line.split("\t")
            first.setdefault(country, zone)
    return first


def country_zone(country: str) -> str:
    """The principal zone of a country (ISO 3166-1 alpha-2); UTC for one the tz database lacks."""
    return _principal_zones().get(country.upper(), "UTC")


def zone_info(zone: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(zone)


def local_moment(zone: str, day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The aware moment of a wall-clock time on a day in a zone (a time a DST change skips or
    repeats resolves as zoneinfo does: fold 0, the earlier offset)."""
    return datetime.datetime.combine(day, time, tzinfo=zone_info(zone))


def abbreviation(zone: str, day: datetime.date, time: datetime.time) -> str:
    """The zone's abbreviation at that time: `CET` in winter and `CEST` in summer for Europe/Madrid,
    `+04` for Asia/Dubai (the tz database writes numbers where no abbreviation is in use)."""
    return local_moment(zone, day, time).tzname() or zone
