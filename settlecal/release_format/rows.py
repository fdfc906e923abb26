"""Release rows: numbered records of raw cells in, frozen `ReleaseRow`s and every problem out.

`release_file` only splits a file into numbered records; what a release means is checked here, so
CSV and XLSX files obey exactly the same rules. A release has many rows but few distinct codes and
dates, so each conversion is cached by raw cell: rows share one `CalendarKey`, one period string
and one `date` per distinct value, which keeps a 170,000-row file fast and small.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple, TypeVar, cast


from settlecal.domain import (
    CUTOFF_KINDS, MAX_PERIOD_CODE, SINGLE_DAY_KINDS, CalendarKey, Frequency, Kind, System, period_year,
)

from settlecal.errors import Omitted, ReleaseProblem
from settlecal.release_format.problems import MAX_COUNTED, ProblemList
from settlecal.release_format.cells import (
    Cached, CalendarFaults, Cell, Fault, Operation, cell_text, is_blank_cell, parse_calendar, parse_date,
    parse_period, parse_remarks, parse_time, parse_year, parse_zone,
)
from settlecal.zones import country_zone
from settlecal.release_format.columns import (
    COLUMNS, KNOWN_COLUMNS, PERIOD_END, REMARKS, REQUIRED_COLUMNS, TIMEZONE, YEAR, Layout, cells_at, read_header,
)

__all__ = ["COLUMNS", "KNOWN_COLUMNS", "REQUIRED_COLUMNS", "TIMEZONE", "YEAR",
           "ReleaseRow", "ValidatedRows", "kind_cutoffs", "kind_dates", "validate_rows"]

T = TypeVar("T")

_TIME = "a time of day (HH:MM, 00:00 to 23:59)"
_DATE = "a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY)"
_EXPECTED = dict.fromkeys((Kind.PERIOD.column, PERIOD_END, *(facts.column for facts in SINGLE_DAY_KINDS)), _DATE) | {
    "system": " or ".join((", ".join(System)).rsplit(", ", 1)),
    "country": "an ISO 3166-1 alpha-2 country code such as ES",
    "currency": "an ISO 4217 currency code such as EUR",
    "frequency": f"one of {', '.join(Frequency)}",
    "period": f"a period code such as 2026-03-4 (text, at most {MAX_PERIOD_CODE} characters)",
    REMARKS: "text without control characters",
    TIMEZONE: "an IANA time zone such as Europe/Madrid",
    YEAR: "a year such as 2026 (four digits)",
} | {facts.cutoff_column: _TIME for facts in CUTOFF_KINDS if facts.cutoff_column}


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseRow:
    """One period of one calendar as a release gives it; dates are local calendar days.

    `dates` holds a date or None per kind of SINGLE_DAY_KINDS, `cutoffs` a time or None per kind of
    CUTOFF_KINDS, in those orders (tuples, not mappings: a release has a million rows; build them from
    mappings with `kind_dates` and `kind_cutoffs`, read them with `date` and `cutoff`).
    """

    line: int
    calendar: CalendarKey
    period: str
    period_start: datetime.date
    period_end: datetime.date
    dates: tuple[datetime.date | None, ...]
    cutoffs: tuple[datetime.time | None, ...]
    remarks: str | None
    given_year: int | None = None  # the `year` cell, when the release has one
    # The calendar year the period belongs to (a release replaces whole years): the year the release
    # gives, else the one that holds most of the period's days. Computed once: imports read it often.
    year: int = dataclasses.field(init=False, repr=False, compare=False)
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

    def date(self, kind: Kind) -> datetime.date | None:
        """The date of a single-day kind; None when the row has none."""
        return self.dates[_DATE_INDEX[kind]]

    def cutoff(self, kind: Kind) -> datetime.time | None:
        """The cut-off time of a kind that has one; None when the row has none."""
        return self.cutoffs[_CUTOFF_INDEX[kind]]

    def with_kinds(self, dates: Mapping[Kind, datetime.date | None] = {},
                   cutoffs: Mapping[Kind, datetime.time | None] = {}) -> ReleaseRow:  # fmt: skip
        """This row with the dates and cut-offs given changed (None: removed), the others kept."""
        mine = {**dict(zip(_KINDS, self.dates)), **dates}
        kept = {**dict(zip((facts.kind for facts in CUTOFF_KINDS), self.cutoffs)), **cutoffs}
        return dataclasses.replace(self, dates=kind_dates(mine), cutoffs=kind_cutoffs(kept))

    def key_dates(
        self,
    ) -> Iterator[tuple[Kind, datetime.date, datetime.date, datetime.time | None]]:
        """(kind, first day, last day inclusive, cut-off) in `Kind` order, skipping empty cells.

        `PERIOD` spans period_start to period_end; the other kinds are single days; the kinds of
        CUTOFF_KINDS (submission, remittance) carry a cut-off time.
        """
        yield Kind.PERIOD, self.period_start, self.period_end, None
        cutoffs = self.cutoffs
        for kind, day, index in zip(_KINDS, self.dates, _CUTOFF_OF):
            if day is not None:
                yield kind, day, day, None if index is None else cutoffs[index]


def kind_dates(given: Mapping[Kind, datetime.date | None]) -> tuple[datetime.date | None, ...]:
    """`ReleaseRow.dates` from a date per kind (the kinds not given have none)."""
    if unknown := set(given) - _DATE_INDEX.keys():
        raise ValueError(f"expected single-day kinds, got {sorted(unknown)}")
    return tuple(given.get(facts.kind) for facts in SINGLE_DAY_KINDS)


def kind_cutoffs(given: Mapping[Kind, datetime.time | None]) -> tuple[datetime.time | None, ...]:
    """`ReleaseRow.cutoffs` from a cut-off time per kind (the kinds not given have none)."""
    if unknown := set(given) - _CUTOFF_INDEX.keys():
        raise ValueError(f"expected kinds with a cut-off, got {sorted(unknown)}")
    return tuple(given.get(facts.kind) for facts in CUTOFF_KINDS)


# Resolved once from KINDS: these loops run for every key date of a release.
_KINDS = tuple(facts.kind for facts in SINGLE_DAY_KINDS)
_DATE_INDEX = {kind: index for index, kind in enumerate(_KINDS)}
_CUTOFF_INDEX = {facts.kind: index for index, facts in enumerate(CUTOFF_KINDS)}
_CUTOFF_OF = tuple(_CUTOFF_INDEX.get(kind) for kind in _KINDS)  # per single-day kind: its cut-off's index


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
# `check` reads the cells the layout picks in KNOWN_COLUMNS order by these fixed indices.
_OPTIONAL_DATES = tuple((KNOWN_COLUMNS.index(facts.column), facts.column) for facts in SINGLE_DAY_KINDS)
# Per kind of CUTOFF_KINDS: (cell index, name, cell index of its kind's date). Its problems are
# reported in column order (_CUTOFF_ORDER), as before the columns were read from KINDS.
_CUTOFF_CELLS = tuple(
    (KNOWN_COLUMNS.index(facts.cutoff_column), facts.cutoff_column, KNOWN_COLUMNS.index(facts.column))
    for facts in CUTOFF_KINDS if facts.cutoff_column
)
_DATE_CELLS = cells_at(tuple(index for index, _ in _OPTIONAL_DATES))
_TIME_CELLS = cells_at(tuple(index for index, _, _ in _CUTOFF_CELLS))
_NO_CUTOFFS = (None,) * len(_CUTOFF_CELLS)
_CUTOFF_ORDER = tuple(sorted(range(len(CUTOFF_KINDS)), key=lambda index: _CUTOFF_CELLS[index][0]))
_REMITTANCE = _DATE_INDEX[Kind.REMITTANCE]  # a remittance on or after the period's end
_REMARKS, _YEAR, _TIMEZONE = (KNOWN_COLUMNS.index(name) for name in (REMARKS, YEAR, TIMEZONE))


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
        converted = tuple([dates[cell] for cell in _DATE_CELLS(raw)])  # faster than map() of a dict subclass
        if Fault in map(type, converted):
            converted = tuple(value(line, name, raw[i], day) for (i, name), day in zip(_OPTIONAL_DATES, converted))
        days = cast("tuple[datetime.date | None, ...]", converted)  # no Fault is left: value() reported each
        times = self._times
        found = tuple([times[cell] for cell in _TIME_CELLS(raw)])
        if Fault in map(type, found):
            fixed = list(found)
            for index in _CUTOFF_ORDER:
                i, name, _ = _CUTOFF_CELLS[index]
                fixed[index] = value(line, name, raw[i], found[index])
            found = tuple(fixed)
        cutoffs = cast("tuple[datetime.time | None, ...]", found)
        zone = self._zones[raw[_TIMEZONE]]
        if isinstance(zone, Fault):
            zone = value(line, TIMEZONE, raw[_TIMEZONE], zone)
        remarks = self._remarks[raw[_REMARKS]]
        if isinstance(remarks, Fault):
            remarks = value(line, REMARKS, raw[_REMARKS], remarks)
        self._check_order(line, start, end, days[_REMITTANCE])
        year = self._year(line, raw[_YEAR], start, end)
        if cutoffs != _NO_CUTOFFS:
            for index in _CUTOFF_ORDER:
                cutoff, (_, name, date_cell) = cutoffs[index], _CUTOFF_CELLS[index]
                if cutoff is not None and dates[raw[date_cell]] is None:
                    message = (f"expected a {KNOWN_COLUMNS[date_cell]} date for the cut-off time "
                               f"{cutoff:%H:%M}, got none")
                    self._report(line, name, message)
        if operation is None or period is None:
            return
        for calendar in operation.calendars:
            self._check_unique(line, calendar, period, start, end)
            self._check_settings(line, calendar, zone or country_zone(calendar.country), operation.members)
        if start is not None and end is not None and len(self.problems) == before:
            for calendar in operation.calendars:
                row = ReleaseRow(line, calendar, period, start, end, days, cutoffs, remarks, year,
                                 timezone=zone, members=operation.members)
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
            self._report(line, Kind.REMITTANCE.column, message)

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
