"""The problems of a release, in bounded memory: the first ones in full, the rest counted.

A two-million-row release with one wrong date format has two million problems; listing them all
fills memory and the operator's screen and says nothing more than the first hundred and a count
per kind of problem and column ("1,999,900 × expected a date … in column billing").
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Iterator

from settlecal.errors import Omitted, ReleaseProblem

KEPT = 100
"""Problems kept in full."""
MAX_COUNTED = 200_000
"""Problems counted before checking stops: that many say all there is to say, and counting millions
costs minutes (a hostile file must be refused within seconds)."""
_KINDS = 1000
"""Distinct (kind, column) counted; the rest are counted together, so memory stays bounded."""
_CACHED = 10_000
_VALUES = re.compile(r"'[^']*'|\d[\d:-]*")


def kind_of(message: str) -> str:
    """What a problem's message expected, without the values: the part before ', got', numbers and
    quoted values replaced by '…'."""
    return _VALUES.sub("…", message.partition(", got")[0])


class ProblemList:
    """Collects problems like a list, but keeps only the first `kept` of them; `len` counts them all."""

    def __init__(self, problems: Iterable[ReleaseProblem] = (), *, kept: int = KEPT):
        self.kept: list[ReleaseProblem] = []
        self.total = 0
        self._limit = kept
        self._counts: collections.Counter[tuple[str, str | None]] = collections.Counter()
        self._kinds: dict[str, str] = {}  # message → kind: most messages repeat ("got an empty cell")
        self.extend(problems)

    def append(self, problem: ReleaseProblem) -> None:
        self.add(problem.line, problem.column, problem.column_name, problem.message, problem)

    def add(self, line: int | None, column: int | None, column_name: str | None, message: str,
            problem: ReleaseProblem | None = None) -> None:
        """Like append(ReleaseProblem(...)), without making the problem once the list is full: a
        release with millions of bad rows is counted in seconds."""
        self.total += 1
        if len(self.kept) < self._limit:
            self.kept.append(problem or ReleaseProblem(line, column, column_name, message))
            return
        kind = self._kinds.get(message)
        if kind is None:
            kind = kind_of(message)
            if len(self._kinds) < _CACHED:
                self._kinds[message] = kind
        key = (kind, column_name)
        if key not in self._counts and len(self._counts) >= _KINDS:
            key = ("other problems", None)
        self._counts[key] += 1

    def extend(self, problems: Iterable[ReleaseProblem]) -> None:
        for problem in problems:
            self.append(problem)

    def __len__(self) -> int:
        return self.total

    def __iter__(self) -> Iterator[ReleaseProblem]:
        return iter(self.kept)

    def omitted(self) -> tuple[Omitted, ...]:
        """The problems not kept, by kind and column, most frequent first (then by name: deterministic)."""
        ordered = sorted(self._counts.items(), key=lambda item: (-item[1], item[0][0], item[0][1] or ""))
        return tuple(Omitted(count, kind, column) for (kind, column), count in ordered)
