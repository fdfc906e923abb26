"""The settlement domain's vocabulary: systems, remittance frequencies, key-date kinds, calendar keys.

Shared by the importer (which validates release files against it) and the plugin (which names
collections and events with it), so both speak of a calendar in exactly the same words.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Mapping
from typing import Final


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


def N_(message: str) -> str:
    """Marks an English message id for `pybabel extract` where it is defined, not shown: the catalogues
    in settlecal/i18n translate it where it is shown. The domain imports no i18n."""
    return message


class System(enum.StrEnum):
    """A settlement scheme: passenger (BSP) or cargo, export (CASS) and import (CASS-IMPORT).

    CASS Export and CASS Import are separate settlement systems, so a country can have both; `CASS`
    keeps its name (it is every existing path and UID), and the value's lower case is the principal:
    `/bsp/`, `/cass/`, `/cass-import/`.
    """

    BSP = "BSP"
    CASS = "CASS"
    CASS_IMPORT = "CASS-IMPORT"


class Frequency(enum.StrEnum):
    """How often agents remit; part of a calendar's identity."""

    MONTHLY = "monthly"
    TWICE_MONTHLY = "twice-monthly"
    FOUR_TIMES_MONTHLY = "four-times-monthly"
    TEN_DAILY = "ten-daily"
    WEEKLY = "weekly"

    @property
    def label(self) -> str:
        """How a calendar's title names it, an English message id: `twice monthly`."""
        return FREQUENCY_LABELS[self]


class Kind(enum.StrEnum):
    """A kind of key date. `PERIOD` is the span of the billing period itself; its facts are in KINDS."""

    PERIOD = "period"
    SUBMISSION = "submission"
    BILLING = "billing"
    REMITTANCE = "remittance"
    SETTLEMENT = "settlement"
    CORRECTION_CUTOFF = "correction-cutoff"
    DISPUTE_DEADLINE = "dispute-deadline"

    @property
    def facts(self) -> KindFacts:
        return KIND_FACTS[self]

    @property
    def column(self) -> str:
        """The release-file column that carries this kind's date (`period` uses `period_start`)."""
        return KIND_FACTS[self].column


@dataclasses.dataclass(frozen=True, slots=True)
class KindFacts:
    """Everything the code knows of one kind of key date. The release reader and writer, the
    fingerprint, the renderers, the page, the PDF, the e-mails and the translations all read it here.

    `label` (a month grid's word) and `term` (IATA's own) are English message ids (marked with N_):
    the catalogues in settlecal/i18n translate them.

    `date_tag` and `cutoff_tag` say whether the kind's date and cut-off columns are in the release
    format's first version (None) or were added since (a short tag, unique across KINDS). A column of
    the first version is always written, and its value is part of a period's fingerprint in KINDS
    order; a later column is written only when some row needs it, and its value is appended to the
    fingerprint as `|<tag><value>` only when given. So files exported and fingerprints stored before
    the column existed stay the same byte for byte: a new kind sets `date_tag` (and `cutoff_tag`).
    """

    kind: Kind
    column: str  # the release column of its date
    cutoff_column: str | None  # the release column of its cut-off time, if it has one
    colour: str  # page and PDF; dark enough for 4.5:1 contrast as text or border beside its tint
    label: str
    term: str
    date_tag: str | None = None
    cutoff_tag: str | None = None


# In the order key dates of one day are listed, and columns of a release are written.
KINDS: Final[tuple[KindFacts, ...]] = (
    KindFacts(Kind.PERIOD, "period_start", None, "#4b5563", N_("Period"), N_("Reporting / billing period")),
    KindFacts(Kind.SUBMISSION, "submission", "submission_cutoff", "#6d28d9", N_("Submission"),
              N_("Agent submission date"), cutoff_tag="s"),
    KindFacts(Kind.BILLING, "billing", None, "#1d4ed8", N_("Billing"), N_("Billing date")),
    KindFacts(Kind.REMITTANCE, "remittance", "remittance_cutoff", "#b91c1c", N_("Remittance"),
              N_("Agent remittance date")),
    KindFacts(Kind.SETTLEMENT, "settlement", None, "#047857", N_("Settlement"), N_("Airline settlement date")),
    KindFacts(Kind.CORRECTION_CUTOFF, "correction_cutoff", None, "#b45309", N_("Correction cut-off"),
              N_("Correction cut-off")),
    KindFacts(Kind.DISPUTE_DEADLINE, "dispute_deadline", None, "#be185d", N_("Dispute deadline"),
              N_("Billing dispute deadline")),
)
KIND_FACTS: Final[Mapping[Kind, KindFacts]] = {facts.kind: facts for facts in KINDS}
# The kinds of one day (all but the period, which spans days), in KINDS order, and of them the ones
# with a cut-off time: a release row holds its dates and cut-offs in these orders.
SINGLE_DAY_KINDS: Final[tuple[KindFacts, ...]] = tuple(facts for facts in KINDS if facts.kind is not Kind.PERIOD)
CUTOFF_KINDS: Final[tuple[KindFacts, ...]] = tuple(facts for facts in SINGLE_DAY_KINDS if facts.cutoff_column)

FREQUENCY_LABELS: Final[Mapping[Frequency, str]] = {
    Frequency.MONTHLY: N_("monthly"),
    Frequency.TWICE_MONTHLY: N_("twice monthly"),
    Frequency.FOUR_TIMES_MONTHLY: N_("four times monthly"),
    Frequency.TEN_DAILY: N_("ten-daily"),
    Frequency.WEEKLY: N_("weekly"),
}


# The names operators write for a frequency, mapped to ours (docs/release-format.md lists them). Keys
# are lower case with hyphens: the reader folds case, spaces and underscores before looking up.
FREQUENCY_ALIASES: Final[Mapping[str, Frequency]] = {
    "fortnightly": Frequency.TWICE_MONTHLY,
    "semi-monthly": Frequency.TWICE_MONTHLY,
    "semimonthly": Frequency.TWICE_MONTHLY,
    "quincenal": Frequency.TWICE_MONTHLY,
    "mensual": Frequency.MONTHLY,
    "semanal": Frequency.WEEKLY,
    "decenal": Frequency.TEN_DAILY,
}

# The names operators write for a system besides ours (case, spaces and underscores folded).
SYSTEM_ALIASES: Final[Mapping[str, System]] = {
    "CASS-EXPORT": System.CASS,
    "CASS-IMPORT": System.CASS_IMPORT,
}

# Between the member countries of a multi-country operation in a release's `country` cell: `AE|BH|OM`.
MEMBER_SEPARATOR: Final = "|"


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
