"""Release rows: numbered records of raw cells in, frozen `ReleaseRow`s and every problem out.

`release_file` only splits a file into numbered records; what a release means is checked here, so
CSV and XLSX files obey exactly the same rules. A release has many rows but few distinct codes and
dates, so each conversion is cached by raw cell: rows share one `CalendarKey`, one period string
and one `date` per distinct value, which keeps a 170,000-row file fast and small.
"""

from __future__ import annotations

import dataclasses
import datetime
import operator
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple, TypeVar, cast


from settlecal.domain import MAX_PERIOD_CODE, CalendarKey, Frequency, Kind, period_year

from settlecal.errors import Omitted, ReleaseProblem
from settlecal.release_format.problems import MAX_COUNTED, ProblemList
from settlecal.release_format.cells import (
    Cached, CalendarFaults, Cell, Fault, cell_text, is_blank_cell, parse_calendar, parse_date,
    parse_period, parse_remarks, parse_time, parse_year,
)

T = TypeVar("T")

COLUMNS = (
    "system", "country", "currency", "frequency", "period", "period_start", "period_end",
    "submission", "billing", "remittance", "remittance_cutoff", "settlement",
    "correction_cutoff", "dispute_deadline", "remarks",
)  # fmt: skip
REQUIRED_COLUMNS = COLUMNS[:7]
YEAR = "year"
"""The optional column naming the year a period belongs to when the rule (`period_year`) does not
fit; `settlecal export` writes it after COLUMNS, and only when a row needs it."""
KNOWN_COLUMNS = (*COLUMNS, YEAR)
_DATE = "a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY)"
_EXPECTED = dict.fromkeys(COLUMNS[5:14], _DATE) | {
    "system": "BSP or CASS",
    "country": "an ISO 3166-1 alpha-2 country code such as ES",
    "currency": "an ISO 4217 currency code such as EUR",
    "frequency": f"one of {', '.join(Frequency)}",
    "period": f"a period code such as 2026-03-4 (text, at most {MAX_PERIOD_CODE} characters)",
    "remarks": "text without control characters",
    "remittance_cutoff": "a time of day (HH:MM, 00:00 to 23:59)",
    YEAR: "a year such as 2026 (four digits)",
}


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseRow:
    """One period of one calendar as a release gives it; dates are local calendar days."""

    line: int
    calendar: CalendarKey
    period: str
    period_start: datetime.date
    period_end: datetime.date
    submission: datetime.date | None
    billing: datetime.date | None
    remittance: datetime.date | None
    remittance_cutoff: datetime.time | None
    settlement: datetime.date | None
    correction_cutoff: datetime.date | None
    dispute_deadline: datetime.date | None
    remarks: str | None
    given_year: int | None = None  # the `year` cell, when the release has one
    # The calendar year the period belongs to (a release replaces whole years): the year the release
    # gives, else the one that holds most of the period's days. Computed once: imports read it often.
    year: int = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        year = period_year(self.period_start, self.period_end) if self.given_year is None else self.given_year
        object.__setattr__(self, "year", year)

    def key_dates(
        self,
    ) -> Iterator[tuple[Kind, datetime.date, datetime.date, datetime.time | None]]:
        """(kind, first day, last day inclusive, cut-off) in `Kind` order, skipping empty cells.

        `PERIOD` spans period_start to period_end; the other kinds are single days; only
        `REMITTANCE` carries a cut-off time.
        """
        yield Kind.PERIOD, self.period_start, self.period_end, None
        for kind, column in _SINGLE_DAY_KINDS:
            day: datetime.date | None = getattr(self, column)
            if day is not None:
                yield kind, day, day, self.remittance_cutoff if kind is Kind.REMITTANCE else None


# With their columns resolved once: this loop runs for every key date of a release.
_SINGLE_DAY_KINDS = tuple((kind, kind.column) for kind in Kind if kind is not Kind.PERIOD)


class ValidatedRows(NamedTuple):
    """What `validate_rows` found: the good rows, the first problems (the release is bad if any) and
    the count of the others by kind and column."""

    rows: tuple[ReleaseRow, ...]
    problems: tuple[ReleaseProblem, ...]
    omitted: tuple[Omitted, ...] = ()

    @property
    def total(self) -> int:
        """How many problems there are in all."""
        return len(self.problems) + sum(each.count for each in self.omitted)


def validate_rows(
    records: Iterable[tuple[int, Sequence[Cell]]], *, allow_extra_columns: bool = False
) -> ValidatedRows:
    """Checks numbered records, the first non-blank one being the header; collects all problems.

    Each record is (line or sheet row, cells). Blank records are skipped. When the header lacks a
    required column the rows are not checked, since every one of them would fail the same way.
    """
    numbered = iter(records)
    header = next((record for record in numbered if not _is_blank(record[1])), None)
    if header is None:
        empty = _whole_file("expected a header naming the columns, got an empty file")
        return ValidatedRows((), (empty,))
    layout, found = _read_header(*header, allow_extra_columns)
    if layout is None:
        return ValidatedRows((), tuple(found))
    problems = ProblemList(found)
    checker = _RowChecker(layout, problems)
    for line, cells in numbered:
        if not _is_blank(cells):
            checker.check(line, cells)
            if problems.total >= MAX_COUNTED:  # enough to judge the file; counting on costs minutes
                problems.kept.append(_whole_file(f"stopped checking at line {line:,} after {MAX_COUNTED:,} "
                                                 "problems; the rest of the file was not checked"))
                break
    if checker.count == 0:
        message = f"expected period rows after the header (line {header[0]}), got none"
        problems.append(_whole_file(message))
    checker.check_overlaps()
    return ValidatedRows(tuple(checker.rows), tuple(problems), problems.omitted())


def _whole_file(message: str) -> ReleaseProblem:
    return ReleaseProblem(None, None, None, message)


def _is_blank(cells: Sequence[Cell]) -> bool:
    return all(map(is_blank_cell, cells))


# -- header ------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class _Layout:
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


def _column_name(cell: Cell) -> str:
    # "Period Start" and "correction-cutoff" (Kind's spelling) are read as period_start etc.
    return re.sub(r"[\s-]+", "_", cell_text(cell).lower())


def _read_header(
    line: int, cells: Sequence[Cell], allow_extra_columns: bool
) -> tuple[_Layout | None, list[ReleaseProblem]]:
    problems: list[ReleaseProblem] = []
    positions: dict[str, int] = {}
    unnamed: list[int] = []
    for position, cell in enumerate(cells, 1):
        name, given = _column_name(cell), cell_text(cell)
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
    return _Layout(len(cells), positions, () if allow_extra_columns else tuple(unnamed)), problems


# -- rows --------------------------------------------------------------------------------------

_Span = tuple[datetime.date, datetime.date, int, str]  # start, end, line, period
_OPTIONAL_DATES = tuple(
    (COLUMNS.index(kind.column), kind.column) for kind in Kind if kind is not Kind.PERIOD
)  # (index, name); `check` reads the other cells by their fixed index in COLUMNS


class _RowChecker:
    """Checks records one by one, then what only the whole file shows (overlapping periods)."""

    def __init__(self, layout: _Layout, problems: ProblemList):
        self.problems = problems
        self.rows: list[ReleaseRow] = []
        self.count = 0
        self._layout = layout
        self._pick = layout.picker()
        self._padding: tuple[Cell, ...] = (None,) * (layout.width + 1)
        self._dates = Cached(parse_date)
        self._times = Cached(parse_time)
        self._periods = Cached(parse_period)
        self._remarks = Cached(parse_remarks)
        self._years = Cached(parse_year)
        self._calendars = Cached(self._shared_calendar)
        self._shared: dict[CalendarKey, CalendarKey] = {}
        self._first_lines: dict[CalendarKey, dict[str, int]] = {}
        self._spans: dict[CalendarKey, list[_Span]] = {}

    def check(self, line: int, cells: Sequence[Cell]) -> None:
        self.count += 1
        before = len(self.problems)
        raw = self._cells(line, cells)
        value, dates = self._value, self._dates
        calendar = self._calendar(line, raw[:4])
        # Each cell is converted (cached), and only a missing or faulty one goes through value() to be
        # reported: most rows of a release are good, and this loop runs for every one of them.
        code, first, last = self._periods[raw[4]], dates[raw[5]], dates[raw[6]]
        if None in (code, first, last) or Fault in (type(code), type(first), type(last)):
            code = value(line, "period", raw[4], code, required=True)
            first = value(line, "period_start", raw[5], first, required=True)
            last = value(line, "period_end", raw[6], last, required=True)
        period, start, end = cast("tuple[str | None, datetime.date | None, datetime.date | None]",
                                  (code, first, last))
        converted = [dates[raw[i]] for i, _ in _OPTIONAL_DATES]
        if Fault in map(type, converted):
            converted = [value(line, name, raw[i], day) for (i, name), day in zip(_OPTIONAL_DATES, converted)]
        submission, billing, remittance, settlement, correction, dispute = cast(
            "list[datetime.date | None]", converted)  # no Fault is left: value() reported each
        cutoff = self._times[raw[10]]
        if isinstance(cutoff, Fault):
            cutoff = value(line, "remittance_cutoff", raw[10], cutoff)
        remarks = self._remarks[raw[14]]
        if isinstance(remarks, Fault):
            remarks = value(line, "remarks", raw[14], remarks)
        self._check_order(line, start, end, remittance)
        year = self._year(line, raw[15], start, end)
        if cutoff is not None and dates[raw[9]] is None:
            message = f"expected a remittance date for the cut-off time {cutoff:%H:%M}, got none"
            self._report(line, "remittance_cutoff", message)
        if calendar is None or period is None:
            return
        self._check_unique(line, calendar, period, start, end)
        if start is not None and end is not None and len(self.problems) == before:
            row = ReleaseRow(line, calendar, period, start, end, submission, billing, remittance, cutoff,
                             settlement, correction, dispute, remarks, year)
            self.rows.append(row)

    def check_overlaps(self) -> None:
        for calendar, spans in self._spans.items():
            spans.sort()
            reach = spans[0]  # of the spans seen so far, the one that ends last
            for span in spans[1:]:
                if span[0] <= reach[1]:
                    later, other = (span, reach) if span[2] > reach[2] else (reach, span)
                    message = (
                        f"expected the periods of {calendar.label} not to overlap, got period "
                        f"'{later[3]}' ({later[0]} to {later[1]}) overlapping period '{other[3]}' "
                        f"({other[0]} to {other[1]}) of line {other[2]}"
                    )
                    self._report(later[2], "period_start", message)
                if span[1] > reach[1]:
                    reach = span

    def _cells(self, line: int, cells: Sequence[Cell]) -> tuple[Cell, ...]:
        width = self._layout.width
        for index in self._layout.must_be_empty:
            if index < len(cells) and not is_blank_cell(cells[index]):
                self._stray(line, index, cells[index], "under a column without a name")
        if len(cells) > width:
            for index in range(width, len(cells)):
                if not is_blank_cell(cells[index]):
                    where = f"beyond the header's {width} columns"
                    hint = " (a separator inside an unquoted cell?)"
                    self._stray(line, index, cells[index], where, hint)
            cells = cells[:width]
        return self._pick([*cells, *self._padding[len(cells):]])

    def _stray(self, line: int, index: int, cell: Cell, where: str, hint: str = "") -> None:
        message = f"expected an empty cell {where}, got '{cell_text(cell)}'{hint}"
        self.problems.append(ReleaseProblem(line, index + 1, None, message))

    def _shared_calendar(self, cells: tuple[Cell, ...]) -> CalendarKey | CalendarFaults:
        """One object per calendar, however its cells are spelled ('BSP' or 'bsp')."""
        found = parse_calendar(cells)
        return self._shared.setdefault(found, found) if isinstance(found, CalendarKey) else found

    def _calendar(self, line: int, cells: tuple[Cell, ...]) -> CalendarKey | None:
        found = self._calendars[cells]
        if isinstance(found, CalendarKey):
            return found
        for name, shown in found:
            self._report(line, name, f"expected {_EXPECTED[name]}, got {shown}")
        return None

    def _value(
        self, line: int, name: str, raw: Cell, value: T | Fault | None, required: bool = False
    ) -> T | None:
        if isinstance(value, Fault):
            self._report(line, name, f"expected {_EXPECTED[name]}, got {value.found}")
            return None
        if value is None and required:
            found = "an empty cell" if is_blank_cell(raw) else f"'{cell_text(raw)}'"
            self._report(line, name, f"expected {_EXPECTED[name]}, got {found}")
        return value

    def _year(self, line: int, raw: Cell, start: datetime.date | None, end: datetime.date | None) -> int | None:
        """The `year` cell: a year the period touches, or one either side (a calendar may open with a
        period that ends in December, or close with one that starts in January)."""
        year = self._years[raw]
        if year is None:
            return None
        if isinstance(year, Fault):
            return self._value(line, YEAR, raw, year)
        if start is None or end is None or start.year - 1 <= year <= end.year + 1:
            return year
        message = (f"expected a year from {start.year - 1} to {end.year + 1} (a year the period touches, "
                   f"or the year before or after), got {year}")
        self._report(line, YEAR, message)
        return None

    def _check_order(self, line: int, start: datetime.date | None, end: datetime.date | None,
                     remittance: datetime.date | None) -> None:  # fmt: skip
        if end is None:
            return
        if start is not None and end < start:
            message = f"expected a date on or after period_start {start}, got {end}"
            self._report(line, "period_end", message)
        if remittance is not None and remittance < end:
            message = f"expected a date on or after period_end {end}, got {remittance}"
            self._report(line, "remittance", message)

    def _check_unique(self, line: int, calendar: CalendarKey, period: str,
                      start: datetime.date | None, end: datetime.date | None) -> None:  # fmt: skip
        first = self._first_lines.setdefault(calendar, {}).setdefault(period, line)
        if first != line:
            message = (f"expected each period once per calendar, got period '{period}' of "
                       f"{calendar.label} again (first on line {first})")  # fmt: skip
            self._report(line, "period", message)
        elif start is not None and end is not None and start <= end:
            self._spans.setdefault(calendar, []).append((start, end, line, period))

    def _report(self, line: int, name: str, message: str) -> None:
        self.problems.add(line, self._layout.positions.get(name), name, message)
