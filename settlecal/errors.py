"""The core's errors: one base class, and subclasses that carry what went wrong as data.

The adapters (importer/cli.py, caldav_plugin) turn them into messages and status codes; nothing parses their text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence


class SettlecalError(Exception):
    """Base of every error the core raises on purpose."""


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseProblem:
    """One thing wrong with a release file, located as precisely as the file allows.

    `line` is the 1-based physical line where a CSV record starts (or the XLSX sheet row), and
    `column` the 1-based position of the cell; either is None when the problem is not about one.
    `message` says what was expected and what was found.
    """

    line: int | None
    column: int | None
    column_name: str | None
    message: str

    def __str__(self) -> str:
        place = [f"line {self.line}"] if self.line is not None else []
        if self.column is not None:
            place.append(f"column {self.column}")
        where = ", ".join(place)
        if self.column_name is not None:
            where = f"{where} ({self.column_name})" if where else self.column_name
        return f"{where}: {self.message}" if where else self.message

    @property
    def sort_key(self) -> tuple[int, int]:
        """Whole-file problems first, then by line and column."""
        return (self.line or 0, self.column or 0)


@dataclasses.dataclass(frozen=True, slots=True)
class Omitted:
    """Problems not listed in full: how many, of what kind ('expected a date …'), in which column."""

    count: int
    kind: str
    column_name: str | None


_OMITTED_SHOWN = 20  # kinds of omitted problem listed; the rest are summed on one line


class ReleaseInvalid(SettlecalError):
    """The file was read but its content is not a valid release.

    `problems` holds the first problems in full (sorted by place), `omitted` counts the others by
    kind and column, and `total` is the number of all of them.
    """

    def __init__(self, file: str, problems: Sequence[ReleaseProblem], omitted: Sequence[Omitted] = ()):
        self.file = file
        self.problems = tuple(sorted(problems, key=lambda problem: problem.sort_key))
        self.omitted = tuple(omitted)
        self.total = len(self.problems) + sum(each.count for each in self.omitted)
        super().__init__(file, self.problems)

    def __str__(self) -> str:
        count = self.total
        lines = [f"{self.file}: {count:,} problem{'' if count == 1 else 's'}"]
        lines.extend(self._compiler_style(problem) for problem in self.problems)
        if self.omitted:
            more = sum(each.count for each in self.omitted)
            lines.append(f"{self.file}: and {more:,} more, not listed:")
            lines.extend(f"{self.file}: {each.count:,} × {each.kind}"
                         + (f" in column {each.column_name}" if each.column_name else "")
                         for each in self.omitted[:_OMITTED_SHOWN])
            rest = self.omitted[_OMITTED_SHOWN:]
            if rest:
                lines.append(f"{self.file}: {sum(each.count for each in rest):,} × {len(rest):,} other kinds")
        return "\n".join(lines)

    def _compiler_style(self, problem: ReleaseProblem) -> str:
        place = "".join(
            f":{number}" for number in (problem.line, problem.column) if number is not None
        )
        name = f" {problem.column_name}:" if problem.column_name is not None else ""
        return f"{self.file}{place}:{name} {problem.message}"


class ReleaseUnreadable(SettlecalError):
    """The file cannot be read as a release at all (so its content was never checked)."""

    def __init__(self, file: str, reason: str, line: int | None = None, column: int | None = None):
        self.file = file
        self.reason = reason
        self.line = line
        self.column = column if line is not None else None  # a column without its line locates nothing
        super().__init__(file, reason, line)

    def __str__(self) -> str:
        place = "".join(f":{number}" for number in (self.line, self.column) if number is not None)
        return f"{self.file}{place}: {self.reason}"


class ReleaseTooLarge(ReleaseUnreadable):
    """The file breaks a bound on the work reading it may take (size, expansion, rows, columns, cell
    length): refused at once, before the work is done, so a hostile file costs seconds and bounded memory."""


class ReleaseCutShort(ReleaseUnreadable):
    """The file ends mid-row or without its final newline: a file still being written or copied."""


class ReleaseNotFound(ReleaseUnreadable):
    """No file (or a directory) at the given path."""


class ReleaseFormatUnknown(ReleaseUnreadable):
    """Neither CSV nor XLSX, or an XLSX that is not a readable workbook."""


class ReleaseNotUtf8(ReleaseUnreadable):
    """A CSV whose bytes are not UTF-8; `offset` (0-based) and `line` locate the first bad byte."""

    def __init__(self, file: str, offset: int, line: int, found: bytes):
        self.offset = offset
        super().__init__(
            file,
            f"expected UTF-8 text, got byte {found.hex(' ')} at byte offset {offset}"
            " (save the file as 'CSV UTF-8')",
            line,
        )
