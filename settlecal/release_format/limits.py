"""Bounds on the work reading a release may take, and the file opened within them.

A release comes from outside: a truncated copy, a FIFO typed by mistake, a 5 MB XLSX that expands to
gigabytes. Each bound is checked before the work it bounds, or while counting it, so any file is
refused within seconds and in bounded memory with one `file:line:column` line (docs/release-format.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pathlib
import stat
from collections.abc import Sequence
from typing import BinaryIO, TypeVar

from settlecal.errors import ReleaseNotFound, ReleaseTooLarge, ReleaseUnreadable

C = TypeVar("C")
MB = 1_000_000
MIB = 1 << 20
DEFAULT_MAX_FILE_SIZE = 200 * MB


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """The bounds; the defaults are many times what the largest real releases need."""

    max_file_size: int = DEFAULT_MAX_FILE_SIZE  # bytes of the file itself ([import] max_file_size)
    max_columns: int = 256  # cells of a record that may hold data (blank ones beyond are dropped)
    max_cell: int = 10_000  # characters of one cell
    max_line: int = 4 * MIB  # characters of one physical line of a CSV
    max_lines: int = 1_000_000  # physical lines of a CSV (the largest real release has 170,000 rows)
    max_expanded: int = 500 * MB  # XLSX: bytes all parts of the workbook expand to
    max_part: int = 32 * MB  # XLSX: bytes of each part but the worksheet (openpyxl parses them whole)
    max_ratio: int = 200  # XLSX: expanded / compressed size of a part over 1 MiB (real sheets: 5 to 30)
    max_sheet_row: int = 1_048_576  # XLSX: the last row a spreadsheet can have
    max_row_gap: int = 100_000  # XLSX: empty rows allowed between two rows with data


def sized(count: int) -> str:
    """A byte count people read: 200 MB, 3.2 GB (decimal, as file managers show them)."""
    for unit, size in (("GB", 1_000_000_000), ("MB", MB), ("kB", 1000)):
        if count >= size:
            return f"{count / size:.1f} {unit}".replace(".0 ", " ")
    return f"{count} bytes"


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))  # fmt: skip


def open_release_file(path: pathlib.Path, limits: Limits) -> BinaryIO:
    """The file at `path` opened for reading, once it is known to be a regular file within the size limit.

    Opened non-blocking: opening a FIFO with no writer would otherwise wait for ever.
    """
    file = str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except IsADirectoryError as error:
        raise ReleaseNotFound(file, "expected a release file, got a directory") from error
    except (FileNotFoundError, NotADirectoryError) as error:
        raise ReleaseNotFound(file, "expected a release file, found none there") from error
    except OSError as error:
        raise ReleaseUnreadable(file, f"cannot read the file: {error.strerror}") from error
    try:
        found = os.fstat(fd)
        if stat.S_ISDIR(found.st_mode):
            raise ReleaseNotFound(file, "expected a release file, got a directory")
        if not stat.S_ISREG(found.st_mode):
            kind = next((name for test, name in _KINDS if test(found.st_mode)), "a special file")
            raise ReleaseUnreadable(file, f"expected a regular file, got {kind}")
        check_size(file, found.st_size, limits)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def check_size(file: str, size: int, limits: Limits) -> None:
    if size > limits.max_file_size:
        raise ReleaseTooLarge(file, f"expected a file of at most {sized(limits.max_file_size)} "
                                    f"([import] max_file_size), got {sized(size)}")


class CountingReader:
    """Reads a file once, hashing it and refusing it as soon as it grows past the size limit
    (the size checked on opening says nothing of a file still being written)."""

    def __init__(self, file: str, fp: BinaryIO, limits: Limits):
        self.file, self._fp, self._limits = file, fp, limits
        self.count = 0
        self.sha256 = hashlib.sha256()

    def read(self, size: int) -> bytes:
        data = self._fp.read(size)
        self.count += len(data)
        check_size(self.file, self.count, self._limits)
        self.sha256.update(data)
        return data


def trimmed(file: str, line: int, cells: Sequence[C], limits: Limits) -> Sequence[C]:
    """`cells` without the blank cells past `max_columns`; a cell with data there is refused.

    A header saved with a million empty columns then costs nothing per row.
    """
    if len(cells) <= limits.max_columns:
        return cells
    for index in range(limits.max_columns, len(cells)):
        cell = cells[index]
        if cell is not None and not (isinstance(cell, str) and not cell.strip()):
            raise ReleaseTooLarge(file, f"expected at most {limits.max_columns} columns, got a cell in "
                                        f"column {index + 1}", line, index + 1)
    return cells[:limits.max_columns]
