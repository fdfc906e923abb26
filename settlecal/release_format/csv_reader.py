"""CSV releases read as a stream: UTF-8 checked chunk by chunk, each physical line and cell bounded,
and a last line that lacks its newline refused (a file still being written or copied).

Lines end in \\n, \\r\\n or \\r, as `csv` counts them, so line numbers are what an editor shows.
"""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterator, Sequence

from settlecal.errors import ReleaseCutShort, ReleaseFormatUnknown, ReleaseNotUtf8, ReleaseTooLarge, ReleaseUnreadable
from settlecal.release_format.cells import Cell, restored
from settlecal.release_format.limits import CountingReader, Limits, trimmed

_BOM = "\ufeff"
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0"  # Excel 97-2003 .xls
_CHUNK = 1 << 20
_LINE_END = re.compile(r"\r\n|\n|\r(?!\Z)")  # a \r ending a chunk may be the first half of \r\n
_ENDS = re.compile(r"\r\n|\r|\n")


def csv_records(file: str, source: CountingReader, limits: Limits) -> Iterator[tuple[int, Sequence[Cell]]]:
    """(line where each record starts, cells); the separator is the one of ; and , the header uses more."""
    lines = _lines(file, source, limits)
    peeked: list[str] = []
    for line in lines:
        peeked.append(line)
        if line.strip():
            break
    header = peeked[-1] if peeked else ""

    def replayed() -> Iterator[str]:
        yield from peeked
        yield from lines

    delimiter = ";" if header.count(";") > header.count(",") else ","
    # strict: an unterminated quote is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(replayed(), delimiter=delimiter, strict=True)
    start = 1
    try:
        for cells in reader:
            if start > limits.max_lines:
                raise ReleaseTooLarge(file, f"expected at most {limits.max_lines:,} lines, got more", start)
            yield start, [restored(cell) for cell in _bounded(file, start, trimmed(file, start, cells, limits), limits)]
            start = reader.line_num + 1
    except _LongLine as long:
        reason = f"expected lines of at most {limits.max_line:,} characters, got a longer one"
        column = _long_cell(long.text, delimiter, limits) if long.line == start else None
        raise ReleaseTooLarge(file, reason, long.line, column) from None
    except csv.Error as error:
        if "field larger than field limit" in str(error):
            reason = f"expected cells of at most {limits.max_cell:,} characters, got a longer one"
            raise ReleaseTooLarge(file, reason, start) from error
        if "unexpected end of data" in str(error):
            reason = "expected a closing quote before the end of the file, got a file cut off in a quoted cell"
            raise ReleaseCutShort(file, reason, start) from error
        raise ReleaseUnreadable(file, f"expected CSV, got {error} (an unterminated quote?)", start) from error


class _LongLine(Exception):
    """A physical line past `max_line`; `csv_records` says where, knowing the separator."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(line)
        self.line, self.text = line, text


def _long_cell(text: str, delimiter: str, limits: Limits) -> int | None:
    """The column of the first cell longer than `max_cell` in a record that starts with `text`."""
    column = 1
    token = re.compile(f'"(?:[^"]+|"")*(?:"|\\Z)|[^"{delimiter}]+|"|{delimiter}')
    for match in token.finditer(text):
        if match.group() == delimiter:
            column += 1
        elif match.end() - match.start() > limits.max_cell:
            return column
    return None


def _bounded(file: str, line: int, cells: Sequence[str], limits: Limits) -> Sequence[str]:
    if not cells or max(map(len, cells)) <= limits.max_cell:
        return cells
    for column, cell in enumerate(cells, 1):
        if len(cell) > limits.max_cell:
            reason = f"expected a cell of at most {limits.max_cell:,} characters, got {len(cell):,}"
            raise ReleaseTooLarge(file, reason, line, column)
    return cells


def _lines(file: str, source: CountingReader, limits: Limits) -> Iterator[str]:
    """The file's physical lines with their ends; the last one must have its end too."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    pending, line, first = "", 1, True
    while chunk := source.read(_CHUNK):
        if first:
            _check_magic(file, chunk)
        buffered = decoder.getstate()[0]
        try:
            text = decoder.decode(chunk)
        except UnicodeDecodeError as error:
            offset = source.count - len(chunk) - len(buffered) + error.start
            valid = (buffered + chunk)[:error.start].decode("utf-8")
            at = line + len(_ENDS.findall(pending + valid))
            raise ReleaseNotUtf8(file, offset, at, (buffered + chunk)[error.start:error.start + 1]) from error
        if first:
            text, first = text.removeprefix(_BOM), False
        pending += text
        end = 0
        for match in _LINE_END.finditer(pending):
            yield pending[end:match.end()]
            end = match.end()
            line += 1
        pending = pending[end:]
        if len(pending) > limits.max_line:
            raise _LongLine(line, pending)
    buffered = decoder.getstate()[0]
    if buffered:  # the file ends inside a multi-byte character
        raise ReleaseNotUtf8(file, source.count - len(buffered), line + len(_ENDS.findall(pending)), buffered[:1])
    if pending.endswith("\r"):
        yield pending
    elif pending.strip():
        reason = ("expected the last line to end with a newline, got a line cut off "
                  "(a file still being written or copied?)")
        raise ReleaseCutShort(file, reason, line)


def _check_magic(file: str, head: bytes) -> None:
    if head.startswith(_ZIP):
        raise ReleaseFormatUnknown(file, "expected CSV text, got a zip archive (an XLSX file named .csv?)")
    if head.startswith(_OLE2):
        reason = "expected CSV or XLSX, got an Excel 97-2003 workbook; save it as .xlsx or CSV UTF-8"
        raise ReleaseFormatUnknown(file, reason)
