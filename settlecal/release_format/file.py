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
import io
import pathlib
from collections.abc import Iterable, Iterator, Sequence
from typing import TextIO

from settlecal.domain import MEMBER_SEPARATOR, CalendarKey

from settlecal.errors import (
    ReleaseFormatUnknown,
    ReleaseInvalid,
    ReleaseNotFound,
    ReleaseNotUtf8,
    ReleaseUnreadable,
)
from settlecal.release_format.cells import Cell, neutralised, restored
from settlecal.release_format.rows import COLUMNS, SUBMISSION_CUTOFF, TIMEZONE, YEAR, ReleaseRow, validate_rows

_BOM = b"\xef\xbb\xbf"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls


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
    path: pathlib.Path, *, format: ReleaseFormat | None = None, allow_extra_columns: bool = False
) -> ReleaseFile:
    """Reads and validates the whole file at `path`.

    The format is `format`, else the suffix (.csv, .xlsx), else sniffed (XLSX is a zip).

    Raises:
        ReleaseInvalid: listing every problem of the content (it never stops at the first).
        ReleaseUnreadable: (or a subclass) when the file is missing, neither CSV nor XLSX, or a
            CSV that is not UTF-8 (`ReleaseNotUtf8` gives the byte offset and line).
    """
    file = str(path)
    data = _read_bytes(path)
    chosen = format or _format_of(path, data)
    read = _xlsx_records if chosen is ReleaseFormat.XLSX else _csv_records
    records = read(file, data)
    rows, problems = validate_rows(records, allow_extra_columns=allow_extra_columns)
    if problems:
        raise ReleaseInvalid(file, problems)
    return ReleaseFile(path.name, hashlib.sha256(data).hexdigest(), chosen, rows)


def write_release_csv(rows: Iterable[ReleaseRow], fp: TextIO) -> None:
    """Writes `rows` as a canonical release: all COLUMNS in order, ISO dates, HH:MM cut-offs, and a
    last `year` column only when a row gives its year.

    Rows are sorted by calendar, then period start, so the output depends only on the rows.
    Lines end in '\\n' (open `fp` with newline=""). `read_release` of the output gives the same
    rows but for line numbers.
    """
    ordered = sorted(rows, key=_export_order)
    writer = csv.writer(fp, lineterminator="\n")
    # The optional columns only when some row needs them, so that older files export unchanged.
    submission_cutoffs = any(row.submission_cutoff is not None for row in ordered)
    zones = any(row.timezone is not None for row in ordered)
    years = any(row.given_year is not None for row in ordered)
    header = list(COLUMNS)
    if submission_cutoffs:
        header.insert(COLUMNS.index("submission") + 1, SUBMISSION_CUTOFF)
    writer.writerow([*header, *([TIMEZONE] if zones else []), *([YEAR] if years else [])])
    for row in ordered:
        cells = _csv_cells(row)
        if submission_cutoffs:
            cells.insert(COLUMNS.index("submission") + 1, _time(row.submission_cutoff))
        if zones:
            cells.append(row.timezone or "")
        if years:
            cells.append("" if row.given_year is None else str(row.given_year))
        writer.writerow(cells)


def _time(value: datetime.time | None) -> str:
    return "" if value is None else f"{value:%H:%M}"


def _export_order(row: ReleaseRow) -> tuple[CalendarKey, datetime.date, datetime.date, str]:
    return row.calendar, row.period_start, row.period_end, row.period


def _csv_cells(row: ReleaseRow) -> list[str]:
    calendar = row.calendar
    cutoff = "" if row.remittance_cutoff is None else f"{row.remittance_cutoff:%H:%M}"
    days = (row.submission, row.billing, row.remittance, row.settlement, row.correction_cutoff,
            row.dispute_deadline)  # fmt: skip
    submission, billing, remittance, *after = ("" if day is None else day.isoformat() for day in days)
    return [neutralised(cell) for cell in (
        calendar.system.value, MEMBER_SEPARATOR.join(row.members) if row.members else calendar.country,
        calendar.currency, calendar.frequency.value,
        row.period, row.period_start.isoformat(), row.period_end.isoformat(),
        submission, billing, remittance, cutoff, *after, row.remarks or "",
    )]  # fmt: skip


def _read_bytes(path: pathlib.Path) -> bytes:
    try:
        return path.read_bytes()
    except IsADirectoryError as error:
        raise ReleaseNotFound(str(path), "expected a release file, got a directory") from error
    except (FileNotFoundError, NotADirectoryError) as error:
        raise ReleaseNotFound(str(path), "expected a release file, found none there") from error
    except OSError as error:
        raise ReleaseUnreadable(str(path), f"cannot read the file: {error.strerror}") from error


def _format_of(path: pathlib.Path, data: bytes) -> ReleaseFormat:
    try:
        return ReleaseFormat(path.suffix.lower().lstrip("."))
    except ValueError:
        pass
    return ReleaseFormat.XLSX if data.startswith(b"PK") else ReleaseFormat.CSV


def _csv_records(file: str, data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    """(line where each record starts, cells); the separator is the one of ; and , the header uses more."""
    _check_text(file, data)
    text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
    header = next((line for line in text if line.strip()), "")
    text.seek(0)
    # strict: an unterminated quote is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(text, delimiter=";" if header.count(";") > header.count(",") else ",", strict=True)
    start = 1
    try:
        for cells in reader:
            yield start, [restored(cell) for cell in cells]
            start = reader.line_num + 1
    except csv.Error as error:
        raise ReleaseUnreadable(file, f"expected CSV, got {error} (an unterminated quote?)", start) from error


def _check_text(file: str, data: bytes) -> None:
    """Rejects bytes that are not UTF-8 text, saying where (spreadsheets also save Latin-1 CSV)."""
    if data.startswith(_ZIP):
        reason = "expected CSV text, got a zip archive (an XLSX file named .csv?)"
        raise ReleaseFormatUnknown(file, reason)
    if data.startswith(_OLE2):
        reason = "expected CSV or XLSX, got an Excel 97-2003 workbook; save it as .xlsx or CSV UTF-8"
        raise ReleaseFormatUnknown(file, reason)
    body = data[len(_BOM):] if data.startswith(_BOM) else data
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as error:
        offset = error.start + len(data) - len(body)
        line = len((data[:offset] + b"x").splitlines())  # counts \r\n, \n and \r line ends alike
        raise ReleaseNotUtf8(file, offset, line, data[offset:offset + 1]) from error


def _xlsx_records(file: str, data: bytes) -> Iterator[tuple[int, Sequence[Cell]]]:
    """(sheet row, cell values) of the first worksheet."""
    try:
        import openpyxl  # here, not at the top: it costs every command 70 ms and only XLSX needs it

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises whatever zipfile or its XML parser raised
        reason = f"expected an XLSX workbook, got an unreadable file ({error})"
        raise ReleaseFormatUnknown(file, reason) from error
    try:
        if not workbook.worksheets:
            raise ReleaseFormatUnknown(file, "expected a workbook with a worksheet, got none")
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong used range; read every row there is
        yield from enumerate(sheet.iter_rows(values_only=True), 1)
    finally:
        workbook.close()
