"""A release's columns and its header line: which column is where.

Split from `rows` (which checks the records under the header); both read the same column names.
"""

from __future__ import annotations

import dataclasses
import operator
import re
from collections.abc import Callable, Sequence

from settlecal.errors import ReleaseProblem
from settlecal.release_format.cells import Cell, cell_text, is_blank_cell

COLUMNS = (
    "system", "country", "currency", "frequency", "period", "period_start", "period_end",
    "submission", "billing", "remittance", "remittance_cutoff", "settlement",
    "correction_cutoff", "dispute_deadline", "remarks",
)  # fmt: skip
REQUIRED_COLUMNS = COLUMNS[:7]
YEAR = "year"
"""The optional column naming the year a period belongs to when the rule (`period_year`) does not
fit; `settlecal export` writes it after COLUMNS, and only when a row needs it."""
SUBMISSION_CUTOFF = "submission_cutoff"
TIMEZONE = "timezone"
"""Optional columns `settlecal export` writes only when a row needs them: the agents' submission
cut-off (after `submission`) and the operation's zone when it is not the country's principal one
(after `remarks`)."""
KNOWN_COLUMNS = (*COLUMNS, YEAR, SUBMISSION_CUTOFF, TIMEZONE)



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


