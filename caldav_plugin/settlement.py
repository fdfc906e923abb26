"""The settlement domain's vocabulary: systems, remittance frequencies, key-date kinds, calendar keys.

Shared by the importer (which validates release files against it) and the plugin (which names
collections and events with it), so both speak of a calendar in exactly the same words.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum


# The longest period code a calendar may use; the database column is this wide.
MAX_PERIOD_CODE = 40


def period_year(start: datetime.date, end: datetime.date) -> int:
    """The calendar year a period belongs to: the one that holds most of its days.

    A release speaks for whole (calendar, year) pairs, so this decides what republishing a year
    replaces. For ISO weeks it is the week's own year: 2026-W01 (29 December 2025 to 4 January
    2026) belongs to 2026, 2026-W53 (28 December 2026 to 3 January 2027) to 2026 and 2027-W52
    (27 December 2027 to 2 January 2028) to 2027.

    A tie (31 December to 1 January) goes to the earlier year, the one the period starts in:
    operators number periods by the month they start in (`2026-12-5`), and a year's calendar ends
    with the period that runs into January, as its December period is billed and paid in January.
    """
    if start.year == end.year:
        return start.year

    def days_in(year: int) -> int:
        return (min(end, datetime.date(year, 12, 31)) - max(start, datetime.date(year, 1, 1))).days + 1

    return max(range(start.year, end.year + 1), key=lambda year: (days_in(year), -year))


class System(enum.StrEnum):
    """A settlement scheme: passenger (BSP) or cargo (CASS)."""

    BSP = "BSP"
    CASS = "CASS"


class Frequency(enum.StrEnum):
    """How often agents remit; part of a calendar's identity."""

    MONTHLY = "monthly"
    TWICE_MONTHLY = "twice-monthly"
    FOUR_TIMES_MONTHLY = "four-times-monthly"
    TEN_DAILY = "ten-daily"
    WEEKLY = "weekly"


class Kind(enum.StrEnum):
    """A kind of key date. `PERIOD` is the span of the billing period itself."""

    PERIOD = "period"
    SUBMISSION = "submission"
    BILLING = "billing"
    REMITTANCE = "remittance"
    SETTLEMENT = "settlement"
    CORRECTION_CUTOFF = "correction-cutoff"
    DISPUTE_DEADLINE = "dispute-deadline"

    @property
    def column(self) -> str:
        """The release-file column that carries this kind's date (`period` uses `period_start`)."""
        return "period_start" if self is Kind.PERIOD else self.value.replace("-", "_")


@dataclasses.dataclass(frozen=True, slots=True, order=True)
class CalendarKey:
    """The four filters that identify one calendar, in canonical case."""

    system: System
    country: str
    currency: str
    frequency: Frequency

    @property
    def slug(self) -> str:
        """The collection name under the system's principal: `es-eur-monthly`."""
        return f"{self.country}-{self.currency}-{self.frequency}".lower()

    @property
    def path(self) -> str:
        """The collection path without slashes: `bsp/es-eur-monthly`."""
        return f"{self.system.lower()}/{self.slug}"

    @property
    def label(self) -> str:
        """How people name it in one line: `BSP ES EUR monthly`."""
        return f"{self.system} {self.country} {self.currency} {self.frequency}"


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarFilter:
    """The portal's four filters; a missing one matches every calendar."""

    system: System | None = None
    country: str | None = None
    currency: str | None = None
    frequency: Frequency | None = None

    def matches(self, key: CalendarKey) -> bool:
        return all(
            wanted is None or wanted == actual
            for wanted, actual in (
                (self.system, key.system),
                (self.country, key.country),
                (self.currency, key.currency),
                (self.frequency, key.frequency),
            )
        )
