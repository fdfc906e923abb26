"""The guard against mass removal: an import may drop a period or a key date, not a calendar's year.

A release is the truth for the (calendar, year) pairs it holds, so a file that stopped part-way (an
export cut short, a filter left on in the spreadsheet) would remove the rest of those years. An
import that removes all, or more than a quarter, of the key dates in force of a (calendar, year)
is refused unless the operator confirms it (`settlecal import --allow-removals`).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Mapping, Sequence

from settlecal.changes import Action, CalendarDiff, KeyDateId, Removal
from settlecal.errors import SettlecalError
from settlecal.releases.diff import Current


class RemovalsRefused(SettlecalError):
    """An import would remove all, or more than a quarter, of some (calendar, year)s' key dates."""

    def __init__(self, removals: Sequence[Removal]) -> None:
        self.removals = tuple(removals)
        super().__init__(self.removals)

    def __str__(self) -> str:
        count = len(self.removals)
        lines = [f"refused: the release would remove all or more than a quarter of the key dates in force "
                 f"of {count} calendar year{'' if count == 1 else 's'} (a truncated file?):"]
        lines += [f"  {removal.calendar.label} {removal.year}: {removal.share}" for removal in self.removals]
        lines.append("Nothing was written. If the file is complete, import it with --allow-removals.")
        return "\n".join(lines)


def removed_by_year(diff: CalendarDiff, current: Mapping[KeyDateId, Current]) -> collections.Counter[int]:
    """How many key dates in force the diff removes, by the year of their period."""
    return collections.Counter(
        current[change.id].year for change in diff.changes if change.action is Action.REMOVED
    )


def refused(removals: Iterable[Removal], allow_removals: bool) -> tuple[Removal, ...]:
    """The removals an import must not make, given whether the operator allowed them."""
    return () if allow_removals else tuple(removal for removal in removals if removal.mass)
