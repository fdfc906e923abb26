"""Rendered calendars kept per (collection, revision) in each process, bounded in bytes.

A calendar's rendering only changes when its revision does, so the key is the revision itself:
nothing is ever invalidated, an import simply makes new keys. Putting a calendar's newer revision
drops its older ones at once: requests still reading an older snapshot are rare and short, and read
its stored row again, while imports in a loop would otherwise fill the budget with revisions nobody
asks for again. The cache
is shared by every Storage built for one database URL in a process (Radicale builds two). It is only
the first tier: a miss reads the revision's stored render from the database (settlecal/renders.py),
one row, and renders only when no server has stored it yet.

What an entry costs is counted in bytes: the body, its gzip, the event index, and (once a CalDAV
request needed them) the events' own text and objects, which are counted up front.
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import threading
from collections.abc import Mapping

from settlecal import renders
from settlecal.db.renders import StoredRow
from settlecal.formats.ical import RenderedEvent

# Bytes a materialised event costs beyond its text (the RenderedEvent, its strings and the dict slot).
_PER_EVENT = 600


@dataclasses.dataclass(slots=True)
class CalendarRender:
    """One revision of one calendar, rendered: the whole-calendar stream, its gzip and its events."""

    stored: StoredRow
    _events: tuple[RenderedEvent, ...] | None = None
    _by_name: Mapping[str, RenderedEvent] | None = None
    _index: renders.Index | None = None
    _size: int = 0

    @property
    def revision(self) -> int:
        return self.stored.revision

    @property
    def body(self) -> bytes:  # the whole calendar, UTF-8
        return self.stored.body

    @property
    def size(self) -> int:
        if not self._size:
            stored = self.stored
            # The body and its copy in the events once materialised, the gzip, the index (as text, then parsed).
            self._size = (2 * len(stored.body) + len(stored.gzipped) + 2 * len(stored.events)
                          + _PER_EVENT * stored.events.count("\n"))
        return self._size

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def gzipped(self) -> bytes:
        return self.stored.gzipped

    @property
    def index(self) -> renders.Index:
        if self._index is None:
            self._index = renders.Index.of(self.stored.events)
        return self._index

    @property
    def events(self) -> tuple[RenderedEvent, ...]:
        # Parsed on first use: a GET needs only the body, so most entries never pay for this.
        if self._events is None:
            index, body = self.index, self.stored.body
            self._events = tuple(index.event(body, i) for i in range(len(index)))
        return self._events

    def overlapping(self, start: int, end: int) -> list[RenderedEvent]:
        """The events overlapping [start, end) (POSIX seconds), made only for those when the
        others were never needed: a time-range REPORT on a calendar read from the database."""
        if self._events is not None:
            return [event for event in self._events if event.time_range[0] < end and start < event.time_range[1]]
        index, body = self.index, self.stored.body
        return [index.event(body, i) for i in index.overlapping(start, end)]

    @property
    def by_name(self) -> Mapping[str, RenderedEvent]:
        if self._by_name is None:
            self._by_name = {event.name: event for event in self.events}
        return self._by_name


class RenderCache:
    """A thread-safe LRU of CalendarRender by (collection path, revision), at most `budget` bytes."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self._entries: collections.OrderedDict[tuple[str, int], CalendarRender] = collections.OrderedDict()
        self._revisions: dict[str, set[int]] = {}  # the revisions kept of each path
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
            kept = self._revisions.setdefault(path, set())
            for older in [each for each in kept if each <= revision]:
                self._size -= self._entries.pop((path, older)).size
                kept.discard(older)
            self._entries[(path, revision)] = render
            kept.add(revision)
            self._size += render.size
            while self._size > self.budget:
                (evicted_path, evicted_revision), evicted = self._entries.popitem(last=False)
                self._size -= evicted.size
                self._revisions[evicted_path].discard(evicted_revision)
                if not self._revisions[evicted_path]:
                    del self._revisions[evicted_path]

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
