"""Keyset pagination: where a page starts (after the last item of the previous one) and the cursor of
the next. A page asks the database for one item more than it shows, so the last page never points to
an empty one."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from settlecal.api import cursor
from settlecal.api.errors import CursorStale
from settlecal.api.parameters import Arguments

Item = TypeVar("Item")
NextUrl = Callable[[str], str]  # the URL of the page a cursor starts


@dataclasses.dataclass(frozen=True, slots=True)
class Page:
    items: tuple[Any, ...]
    next_cursor: str | None
    next: str | None


@dataclasses.dataclass(frozen=True, slots=True)
class Pager:
    """One paginated query: `endpoint` and the arguments name it, so a cursor serves only its own query."""

    endpoint: str
    arguments: Arguments
    next_url: NextUrl

    @property
    def fetch(self) -> int:
        """How many items to read: one more than a page shows."""
        return self.arguments.limit + 1

    def after(self, shape: Sequence[cursor.Reader], revision: int = 0) -> tuple[Any, ...] | None:
        """The position the page starts after; None for the first page.

        `revision` is what the query's answer depends on: a cursor made at another one is stale (0: the
        query's earlier pages never change, as in an append-only log).
        """
        if self.arguments.cursor is None:
            return None
        found = cursor.decode(self.arguments.cursor, query=self._digest, shape=shape)
        if found.revision != revision:
            raise CursorStale(found.revision, revision)
        return found.position

    def page(self, rows: Sequence[Item], position: Callable[[Item], tuple[Any, ...]], revision: int = 0) -> Page:
        if len(rows) <= self.arguments.limit:
            return Page(tuple(rows), None, None)
        shown = tuple(rows[: self.arguments.limit])
        token = cursor.encode(cursor.Cursor(self._digest, revision, position(shown[-1])))
        return Page(shown, token, self.next_url(token))

    @property
    def _digest(self) -> str:
        return cursor.query_digest(self.endpoint, self.arguments.canonical)
