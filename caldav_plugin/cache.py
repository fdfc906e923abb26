"""Rendered calendars kept per (collection, revision), bounded by size.

A calendar's rendering only changes when its revision does, so the key is the revision itself:
nothing is ever invalidated, an import simply makes new keys and the old entries age out. The cache
is shared by every Storage built for one database URL in a process (Radicale builds two).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import gzip
import threading
from collections.abc import Mapping

from settlecal.formats.ical import RenderedEvent

# Rough bytes held per byte of the calendar's body: the body itself, each event's VEVENT text and
# the gzipped body; only used to bound the cache.
_OVERHEAD = 3


@dataclasses.dataclass(slots=True)
class CalendarRender:
    """One revision of one calendar, rendered: its events by href and the whole-calendar stream."""

    events: tuple[RenderedEvent, ...]
    by_name: Mapping[str, RenderedEvent]
    body: bytes  # the whole calendar, UTF-8
    _gzipped: bytes | None = None

    @property
    def size(self) -> int:
        return len(self.body) * _OVERHEAD + 512 * len(self.events)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def gzipped(self) -> bytes:
        # Computed at most once per revision; mtime=0 keeps the bytes deterministic.
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def calendar_render(events: tuple[RenderedEvent, ...], text: str) -> CalendarRender:
    return CalendarRender(events, {event.name: event for event in events}, text.encode("utf-8"))


class RenderCache:
    """A thread-safe LRU of CalendarRender by (collection path, revision), at most `budget` bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: collections.OrderedDict[tuple[str, int], CalendarRender] = collections.OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, path: str, revision: int) -> CalendarRender | None:
        with self._lock:
            entry = self._entries.get((path, revision))
            if entry is not None:
                self._entries.move_to_end((path, revision))
            return entry

    def put(self, path: str, revision: int, render: CalendarRender) -> None:
        if render.size > self.budget:
            return
        with self._lock:
            old = self._entries.pop((path, revision), None)
            if old is not None:
                self._size -= old.size
            self._entries[(path, revision)] = render
            self._size += render.size
            while self._size > self.budget:
                _, evicted = self._entries.popitem(last=False)
                self._size -= evicted.size

    def __len__(self) -> int:
        return len(self._entries)


@functools.cache
def render_cache(database_url: str, budget: int) -> RenderCache:
    """The process-wide cache for one database (and budget)."""
    return RenderCache(budget)


class FeedCache:
    """Rendered feeds by ETag, the most recently used, at most `budget` bytes (subscribers poll the
    same selections; a count alone let 39 variants of the biggest feeds hold 75 MB)."""

    def __init__(self, budget: int = 16 * 1024 * 1024) -> None:
        self.budget = budget
        self._bodies: collections.OrderedDict[str, bytes] = collections.OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get(self, etag: str) -> bytes | None:
        with self._lock:
            body = self._bodies.get(etag)
            if body is not None:
                self._bodies.move_to_end(etag)
            return body

    def put(self, etag: str, body: bytes) -> None:
        # A body bigger than a quarter of the budget would evict most of the others: not kept.
        if len(body) > self.budget // 4:
            return
        with self._lock:
            old = self._bodies.pop(etag, None)
            self._size -= len(old) if old is not None else 0
            self._bodies[etag] = body
            self._size += len(body)
            while self._size > self.budget:
                _, evicted = self._bodies.popitem(last=False)
                self._size -= len(evicted)

    @property
    def size(self) -> int:
        """Bytes held."""
        return self._size

    def __len__(self) -> int:
        return len(self._bodies)
