"""Release files: CSV or XLSX bytes in, a validated `ReleaseFile` out; and the canonical CSV out.

This module only turns a file into numbered records of cells (and back); `release_rows` decides
what the cells mean, so both formats follow the same rules. See docs/release-format.md.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import enum
import hashlib
import operator
import pathlib
from collections.abc import Iterable
from typing import TextIO

from settlecal.domain import MEMBER_SEPARATOR, SINGLE_DAY_KINDS, CalendarKey

from settlecal.errors import ReleaseInvalid, ReleaseUnreadable
from settlecal.release_format.cells import neutralised
from settlecal.release_format.csv_reader import csv_records
from settlecal.release_format.limits import CountingReader, Limits, open_release_file
from settlecal.release_format.columns import PERIOD_END, REMARKS
from settlecal.release_format.rows import COLUMNS, TIMEZONE, YEAR, ReleaseRow, validate_rows
from settlecal.release_format.xlsx_reader import xlsx_records


class ReleaseFormat(enum.StrEnum):
    """A release file's format; the value is its usual suffix."""

    CSV = "csv"
    XLSX = "xlsx"


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseFile:
    """A release read and validated in full: every row is good."""

    name: str
    sha256: str
    format: ReleaseFormat
    rows: tuple[ReleaseRow, ...]


def read_release(
    path: pathlib.Path, *, format: ReleaseFormat | None = None, allow_extra_columns: bool = False,
    limits: Limits = Limits(),
) -> ReleaseFile:
    """Reads and validates the whole file at `path`, within `limits`.

    The format is `format`, else the suffix (.csv, .xlsx), else sniffed (XLSX is a zip).

    Raises:
        ReleaseInvalid: listing the problems of the content (it never stops at the first; it keeps
            the first ones in full and counts the rest).
        ReleaseUnreadable: (or a subclass) when the file is missing, not a regular file, neither CSV
            nor XLSX, a CSV that is not UTF-8 (`ReleaseNotUtf8` gives the byte offset and line), cut
            short (`ReleaseCutShort`), or beyond a limit (`ReleaseTooLarge`, with its line and column).
    """
    file = str(path)
    try:
        with open_release_file(path, limits) as fp:
            chosen = format or _format_of(path, fp.read(4))
            fp.seek(0)
            if chosen is ReleaseFormat.XLSX:
                source = CountingReader(file, fp, limits)
                while source.read(1 << 20):  # the whole file is hashed, and held to the size limit, first
                    pass
                fp.seek(0)
                found = validate_rows(xlsx_records(file, fp, limits), allow_extra_columns=allow_extra_columns)
            else:
                source = CountingReader(file, fp, limits)
                found = validate_rows(csv_records(file, source, limits), allow_extra_columns=allow_extra_columns)
    except MemoryError as error:  # a bound above is too generous for this machine: say so, not a traceback
        raise ReleaseUnreadable(file, "ran out of memory reading the file; nothing was changed "
                                      "(lower [import] max_file_size, or split the release)") from error
    if found.problems:
        raise ReleaseInvalid(file, found.problems, found.omitted)
    return ReleaseFile(path.name, source.sha256.hexdigest(), chosen, found.rows)


def write_release_csv(rows: Iterable[ReleaseRow], fp: TextIO) -> None:
    """Writes `rows` as a canonical release: all COLUMNS in order, ISO dates, HH:MM cut-offs, and a
    last `year` column only when a row gives its year.

    Rows are sorted by calendar, then period start, so the output depends only on the rows.
    Lines end in '\\n' (open `fp` with newline=""). `read_release` of the output gives the same
    rows but for line numbers.
    """
    ordered = sorted(rows, key=_export_order)
    writer = csv.writer(fp, lineterminator="\n")
    # The columns added since the format's first version only when some row needs them (KindFacts
    # date_tag, cutoff_tag), so that older files export unchanged byte for byte.
    header = [*COLUMNS[:_FIRST_KIND_COLUMN]]
    picks: list[int] = []  # indices into a row's dates + cutoffs, one per kind column written
    cutoff = 0
    for index, facts in enumerate(SINGLE_DAY_KINDS):
        if facts.date_tag is None or any(row.dates[index] is not None for row in ordered):
            header.append(facts.column)
            picks.append(index)
        if facts.cutoff_column:
            if facts.cutoff_tag is None or any(row.cutoffs[cutoff] is not None for row in ordered):
                header.append(facts.cutoff_column)
                picks.append(len(SINGLE_DAY_KINDS) + cutoff)
            cutoff += 1
    zones = any(row.timezone is not None for row in ordered)
    years = any(row.given_year is not None for row in ordered)
    writer.writerow([*header, REMARKS, *([TIMEZONE] if zones else []), *([YEAR] if years else [])])
    pick = operator.itemgetter(*picks)
    for row in ordered:
        cells = _csv_cells(row, pick(row.dates + row.cutoffs))
        if zones:
            cells.append(row.timezone or "")
        if years:
            cells.append("" if row.given_year is None else str(row.given_year))
        writer.writerow(cells)


# The kinds' columns follow the calendar's and the period's (its code, start and end).
_FIRST_KIND_COLUMN = COLUMNS.index(PERIOD_END) + 1


def _text(value: datetime.date | datetime.time | None) -> str:
    if value is None:
        return ""
    return f"{value:%H:%M}" if isinstance(value, datetime.time) else value.isoformat()


def _export_order(row: ReleaseRow) -> tuple[CalendarKey, datetime.date, datetime.date, str]:
    return row.calendar, row.period_start, row.period_end, row.period


def _csv_cells(row: ReleaseRow, kind_values: tuple[datetime.date | datetime.time | None, ...]) -> list[str]:
    calendar = row.calendar
    return [neutralised(cell) for cell in (
        calendar.system.value, MEMBER_SEPARATOR.join(row.members) if row.members else calendar.country,
        calendar.currency, calendar.frequency.value,
        row.period, row.period_start.isoformat(), row.period_end.isoformat(),
        *map(_text, kind_values), row.remarks or "",
    )]  # fmt: skip


def _format_of(path: pathlib.Path, head: bytes) -> ReleaseFormat:
    try:
        return ReleaseFormat(path.suffix.lower().lstrip("."))
    except ValueError:
        pass
    return ReleaseFormat.XLSX if head.startswith(b"PK") else ReleaseFormat.CSV
