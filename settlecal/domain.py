"""The settlement domain's vocabulary: systems, remittance frequencies, key-date kinds, calendar keys.

Shared by the importer (which validates release files against it) and the plugin (which names
collections and events with it), so both speak of a calendar in exactly the same words.
"""

from __future__ import annotations

import dataclasses
import enum


# The longest period code a calendar may use; the database column is this wide.
MAX_PERIOD_CODE = 40


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
