"""A release's columns and its header line: which column is where.

Split from `rows` (which checks the records under the header); both read the same column names.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Callable, Sequence
from typing import Final

from settlecal.domain import SINGLE_DAY_KINDS, Kind, KindFacts

from settlecal.errors import ReleaseProblem
from settlecal.release_format.cells import Cell, cell_text, is_blank_cell

CALENDAR_COLUMNS = ("system", "country", "currency", "frequency")
PERIOD = "period"
PERIOD_END = "period_end"
REMARKS = "remarks"


def _first_version(facts: KindFacts) -> tuple[str, ...]:
    """The kind's columns of the format's first version, in the order they are written."""
    cutoff = (facts.cutoff_column,) if facts.cutoff_column and facts.cutoff_tag is None else ()
    return (*((facts.column,) if facts.date_tag is None else ()), *cutoff)


# The columns every release may have and `settlecal export` always writes, in order: the calendar,
# the period, each kind's date (and cut-off) of the format's first version in KINDS order, remarks.
COLUMNS: Final[tuple[str, ...]] = (
    *CALENDAR_COLUMNS, PERIOD, Kind.PERIOD.column, PERIOD_END,
    *(name for facts in SINGLE_DAY_KINDS for name in _first_version(facts)), REMARKS,
)
REQUIRED_COLUMNS = COLUMNS[:7]
YEAR = "year"
"""The optional column naming the year a period belongs to when the rule (`period_year`) does not
fit; `settlecal export` writes it after COLUMNS, and only when a row needs it."""
TIMEZONE = "timezone"
"""The optional column of the operation's zone, which `settlecal export` writes (after `remarks`)
only when it is not the country's principal one."""
# The kinds' columns added since the first version (KindFacts.date_tag, cutoff_tag), in KINDS order:
# `settlecal export` writes each only when a row needs it, right after its kind's date column.
LATER_COLUMNS: Final[tuple[str, ...]] = tuple(
    name for facts in SINGLE_DAY_KINDS
    for name, tag in ((facts.column, facts.date_tag), (facts.cutoff_column, facts.cutoff_tag))
    if name and tag is not None
)
KNOWN_COLUMNS = (*COLUMNS, YEAR, *LATER_COLUMNS, TIMEZONE)



@dataclasses.dataclass(frozen=True, slots=True)
class Layout:
    """Where the header put each column."""

    width: int
    positions: dict[str, int]  # 1-based, of the known columns present
    must_be_empty: tuple[int, ...]  # 0-based, of columns without a name (unless extras allowed)

    def picker(self) -> Callable[[Sequence[Cell]], tuple[Cell, ...]]:
        """Picks the cells of KNOWN_COLUMNS in order from a record padded to `width` + 1 cells.

        An absent column reads the padding cell at `width`, which is always empty.
        """
        indices = (self.positions.get(name, self.width + 1) - 1 for name in KNOWN_COLUMNS)
        return operator.itemgetter(*indices)


def cells_at(indices: tuple[int, ...]) -> Callable[[Sequence[Cell]], tuple[Cell, ...]]:
    """`itemgetter(*indices)`, giving a tuple however many indices (itemgetter of one gives the item)."""
    if len(indices) == 1:
        (index,) = indices
        return lambda cells: (cells[index],)
    return operator.itemgetter(*indices)


def column_name(cell: Cell) -> str:
    # "Period Start" and "correction-cutoff" (Kind's spelling) are read as period_start etc.
    return re.sub(r"[\s-]+", "_", cell_text(cell).lower())


def read_header(
    line: int, cells: Sequence[Cell], allow_extra_columns: bool
) -> tuple[Layout | None, list[ReleaseProblem]]:
    problems: list[ReleaseProblem] = []
    positions: dict[str, int] = {}
    unnamed: list[int] = []
    for position, cell in enumerate(cells, 1):
        name, given = column_name(cell), cell_text(cell)
        if not name:
            unnamed.append(position - 1)
        elif name in positions:
            first = positions[name]
            message = f"expected each column once, got '{given}' again (first at column {first})"
            problems.append(ReleaseProblem(line, position, name, message))
        elif name in KNOWN_COLUMNS:
            positions[name] = position
        elif not allow_extra_columns:
            known = ", ".join(KNOWN_COLUMNS)
            message = f"unknown column '{given}' (column {position}); expected one of {known}"
            problems.append(ReleaseProblem(line, position, given, message))
    missing = [name for name in REQUIRED_COLUMNS if name not in positions]
    found = ", ".join(f"'{cell_text(cell)}'" for cell in cells if not is_blank_cell(cell))
    for name in missing:
        required = ", ".join(REQUIRED_COLUMNS)
        message = f"missing required column '{name}'; expected {required}, got {found}"
        problems.append(ReleaseProblem(line, None, name, message))
    if missing:
        return None, problems
    return Layout(len(cells), positions, () if allow_extra_columns else tuple(unnamed)), problems


