"""Release rows: numbered records of raw cells in, frozen `ReleaseRow`s and every problem out.

`release_file` only splits a file into numbered records; what a release means is checked here, so
CSV and XLSX files obey exactly the same rules. A release has many rows but few distinct codes and
dates, so each conversion is cached by raw cell: rows share one `CalendarKey`, one period string
and one `date` per distinct value, which keeps a 170,000-row file fast and small.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple, TypeVar, cast


from settlecal.domain import MAX_PERIOD_CODE, CalendarKey, Frequency, Kind, System, period_year

from settlecal.errors import Omitted, ReleaseProblem
from settlecal.release_format.problems import MAX_COUNTED, ProblemList
from settlecal.release_format.cells import (
    Cached, CalendarFaults, Cell, Fault, Operation, cell_text, is_blank_cell, parse_calendar, parse_date,
    parse_period, parse_remarks, parse_time, parse_year, parse_zone,
)
from settlecal.zones import country_zone
from settlecal.release_format.columns import (
    COLUMNS, KNOWN_COLUMNS, REQUIRED_COLUMNS, SUBMISSION_CUTOFF, TIMEZONE, YEAR, Layout, read_header,
)

__all__ = ["COLUMNS", "KNOWN_COLUMNS", "REQUIRED_COLUMNS", "SUBMISSION_CUTOFF", "TIMEZONE", "YEAR",
           "ReleaseRow", "ValidatedRows", "validate_rows"]

T = TypeVar("T")

_TIME = "a time of day (HH:MM, 00:00 to 23:59)"
_DATE = "a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY)"
_EXPECTED = dict.fromkeys(COLUMNS[5:14], _DATE) | {
    "system": " or ".join((", ".join(System)).rsplit(", ", 1)),
    "country": "an ISO 3166-1 alpha-2 country code such as ES",
    "currency": "an ISO 4217 currency code such as EUR",
    "frequency": f"one of {', '.join(Frequency)}",
    "period": f"a period code such as 2026-03-4 (text, at most {MAX_PERIOD_CODE} characters)",
    "remarks": "text without control characters",
    "remittance_cutoff": _TIME,
    SUBMISSION_CUTOFF: _TIME,
    TIMEZONE: "an IANA time zone such as Europe/Madrid",
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
    submission_cutoff: datetime.time | None = None
    timezone: str | None = None  # the `timezone` cell; None: the country's principal zone
    # The member countries of the multi-country operation whose row this is (`AE|BH|OM` gives one
    # row per member, each with its own `calendar`), None for a single country.
    members: tuple[str, ...] | None = None

    @property
    def zone(self) -> str:
        """The operation's zone: the one given, else the country's principal zone."""
        return self.timezone or country_zone(self.calendar.country)

    def __post_init__(self) -> None:
        year = period_year(self.period_start, self.period_end) if self.given_year is None else self.given_year
        object.__setattr__(self, "year", year)

    def key_dates(
        self,
    ) -> Iterator[tuple[Kind, datetime.date, datetime.date, datetime.time | None]]:
        """(kind, first day, last day inclusive, cut-off) in `Kind` order, skipping empty cells.

        `PERIOD` spans period_start to period_end; the other kinds are single days; `SUBMISSION`
        and `REMITTANCE` carry a cut-off time.
        """
        yield Kind.PERIOD, self.period_start, self.period_end, None
        for kind, column in _SINGLE_DAY_KINDS:
            day: datetime.date | None = getattr(self, column)
            if day is not None:
                cutoff = (self.remittance_cutoff if kind is Kind.REMITTANCE
                          else self.submission_cutoff if kind is Kind.SUBMISSION else None)
                yield kind, day, day, cutoff


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
    layout, found = read_header(*header, allow_extra_columns)
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


# -- rows --------------------------------------------------------------------------------------

_Span = tuple[datetime.date, datetime.date, int, str]  # start, end, line, period
_OPTIONAL_DATES = tuple(
    (COLUMNS.index(kind.column), kind.column) for kind in Kind if kind is not Kind.PERIOD
)  # (index, name); `check` reads the other cells by their fixed index in COLUMNS


class _RowChecker:
    """Checks records one by one, then what only the whole file shows (overlapping periods)."""

    def __init__(self, layout: Layout, problems: ProblemList):
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
        self._zones = Cached(parse_zone)
        self._calendars = Cached(self._shared_calendar)
        self._shared: dict[CalendarKey, CalendarKey] = {}
        # Per calendar: its zone and its members, with the line that first gave them (one of each).
        self._settings: dict[CalendarKey, tuple[str, tuple[str, ...] | None, int]] = {}
        self._first_lines: dict[CalendarKey, dict[str, int]] = {}
        self._spans: dict[CalendarKey, list[_Span]] = {}

    def check(self, line: int, cells: Sequence[Cell]) -> None:
        self.count += 1
        before = len(self.problems)
        raw = self._cells(line, cells)
        value, dates = self._value, self._dates
        operation = self._calendar(line, raw[:4])
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
        submission_cutoff = self._times[raw[16]]
        if isinstance(submission_cutoff, Fault):
            submission_cutoff = value(line, SUBMISSION_CUTOFF, raw[16], submission_cutoff)
        zone = self._zones[raw[17]]
        if isinstance(zone, Fault):
            zone = value(line, TIMEZONE, raw[17], zone)
        remarks = self._remarks[raw[14]]
        if isinstance(remarks, Fault):
            remarks = value(line, "remarks", raw[14], remarks)
        self._check_order(line, start, end, remittance)
        year = self._year(line, raw[15], start, end)
        if cutoff is not None and dates[raw[9]] is None:
            message = f"expected a remittance date for the cut-off time {cutoff:%H:%M}, got none"
            self._report(line, "remittance_cutoff", message)
        if submission_cutoff is not None and dates[raw[7]] is None:
            message = f"expected a submission date for the cut-off time {submission_cutoff:%H:%M}, got none"
            self._report(line, SUBMISSION_CUTOFF, message)
        if operation is None or period is None:
            return
        for calendar in operation.calendars:
            self._check_unique(line, calendar, period, start, end)
            self._check_settings(line, calendar, zone or country_zone(calendar.country), operation.members)
        if start is not None and end is not None and len(self.problems) == before:
            for calendar in operation.calendars:
                row = ReleaseRow(line, calendar, period, start, end, submission, billing, remittance, cutoff,
                                 settlement, correction, dispute, remarks, year,
                                 submission_cutoff=submission_cutoff, timezone=zone, members=operation.members)
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

    def _shared_calendar(self, cells: tuple[Cell, ...]) -> Operation | CalendarFaults:
        """One object per calendar, however its cells are spelled ('BSP' or 'bsp')."""
        found = parse_calendar(cells)
        if not isinstance(found, Operation):
            return found
        shared = tuple(self._shared.setdefault(key, key) for key in found.calendars)
        return Operation(shared, found.members)

    def _calendar(self, line: int, cells: tuple[Cell, ...]) -> Operation | None:
        found = self._calendars[cells]
        if isinstance(found, Operation):
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

    def _check_settings(self, line: int, calendar: CalendarKey, zone: str,
                        members: tuple[str, ...] | None) -> None:  # fmt: skip
        """A calendar has one zone and one set of members: every row of it must give the same."""
        first_zone, first_members, first = self._settings.setdefault(calendar, (zone, members, line))
        if zone != first_zone:
            message = (f"expected one time zone per calendar, got {zone} for {calendar.label} "
                       f"(line {first} gives {first_zone})")
            self._report(line, TIMEZONE, message)
        if members != first_members:
            def shown(given: tuple[str, ...] | None) -> str:
                return "|".join(given) if given else calendar.country
            message = (f"expected the same member countries on every row of {calendar.label}, got "
                       f"'{shown(members)}' (line {first} gives '{shown(first_members)}')")
            self._report(line, "country", message)

    def _report(self, line: int, name: str, message: str) -> None:
        self.problems.add(line, self._layout.positions.get(name), name, message)
