"""What a release changes: the vocabulary shared by the diff, the writer, reports, e-mails and feeds."""

from __future__ import annotations

import dataclasses
import datetime
import enum
from typing import NamedTuple

from settlecal.domain import CalendarKey, Kind


class Action(enum.StrEnum):
    ADDED = "added"
    MOVED = "moved"  # its dates changed
    CHANGED = "changed"  # only its cut-off time or its period's remarks changed
    REMOVED = "removed"


@dataclasses.dataclass(frozen=True, slots=True)
class KeyDateState:
    """Everything a release says about one key date. Remarks belong to the period's own key date."""

    date: datetime.date
    end: datetime.date
    cutoff: str | None = None
    remarks: str | None = None


KeyDateId = tuple[str, Kind]  # (period code, kind): unique within a calendar, and the UID's basis


@dataclasses.dataclass(frozen=True, slots=True)
class KeyDateChange:
    period: str
    kind: Kind
    action: Action
    old: KeyDateState | None
    new: KeyDateState | None

    @property
    def id(self) -> KeyDateId:
        return (self.period, self.kind)


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarDiff:
    calendar: CalendarKey
    changes: tuple[KeyDateChange, ...]

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action is action)


class Removal(NamedTuple):
    """How many of the key dates in force of one (calendar, year) an import removes."""

    calendar: CalendarKey
    year: int
    removed: int
    in_force: int  # before the import

    @property
    def mass(self) -> bool:
        """More than a quarter of them (all of them is more than a quarter too): what only
        `--allow-removals` lets through."""
        return 4 * self.removed > self.in_force

    @property
    def share(self) -> str:
        """'all 260 key dates in force', '160 of 260 key dates in force (61.5%)'."""
        if self.removed == self.in_force:
            return f"all {self.in_force} key dates in force"
        return f"{self.removed} of {self.in_force} key dates in force ({self.removed / self.in_force:.1%})"


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarReport:
    """What one release did to one calendar.

    `changes` lists every change, except the key dates of a calendar the release created: those are
    only counted, since a first load would otherwise print the whole calendar. `removals` counts, per
    year, the key dates in force an import removes.
    """

    calendar: CalendarKey
    created: bool
    counts: dict[Action, int]
    changes: tuple[KeyDateChange, ...]
    removals: tuple[Removal, ...] = ()
