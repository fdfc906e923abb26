"""A calendar revision's bytes, gzip and event index: rendered once, stored for every server.

What a GET, a PROPFIND or a REPORT of a calendar needs depends only on the calendar's revision (and
the render version and refresh interval, the *variant*), so it is rendered once per revision for the
whole deployment and kept in the database (settlecal/db/renders.py): every worker and host reads the
bytes instead of rendering them again. The index holds, for each event in body order, its href, UID,
ETag, time range, Last-Modified and where its VEVENT lies in the body, so CalDAV answers are built
from it without parsing or rendering.

A render of revision R reuses the VEVENT bytes of the newest stored older render for every key date
whose revision is not newer than that render's: an import that moves a few key dates renders those
few, then splices and compresses.
"""

from __future__ import annotations

import dataclasses
import gzip
import logging
from collections.abc import Iterable, Sequence
from typing import Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from settlecal import hrefs
from settlecal.db import queries, renders
from settlecal.db.engine import writing
from settlecal.db.renders import StoredRow
from settlecal.domain import CalendarKey
from settlecal.formats import ical
from settlecal.formats.ical import RenderedEvent

logger = logging.getLogger("settlecal")

# The refresh interval a server uses unless its `[storage] refresh_interval` says otherwise, in minutes.
DEFAULT_REFRESH_MINUTES: Final = 720
# `settlecal import` renders the calendars it changed right after committing, unless that means
# rendering more key dates than this (about a second): a whole new catalogue is left to the servers'
# first requests (or `settlecal publish`), so that a million-key-date import stays fast.
PRERENDER_MAX_EVENTS: Final = 20_000
GZIP_LEVEL: Final = 6


def variant(refresh_minutes: int) -> str:
    return f"{ical.RENDER_VERSION}/{refresh_minutes}"


@dataclasses.dataclass(frozen=True, slots=True)
class IndexEntry:
    """One event of a stored render, everything but its text (which is body[offset:offset + length])."""

    name: str
    uid: str
    etag: str
    start: int
    end: int
    last_modified: str
    offset: int
    length: int


def build(key: CalendarKey, revision: int, rows: Sequence[queries.EventRow], refresh_minutes: int,
          previous: StoredRow | None = None) -> StoredRow:
    """The render of `rows` (a calendar's key dates in force at `revision`), reusing `previous`."""
    reusable: dict[str, IndexEntry] = {}
    if previous is not None:
        reusable = {entry.name: entry for entry in parse_index(previous.events)}
    head = ical.render_calendar(key, (), refresh_minutes=refresh_minutes).encode("utf-8")
    tail = b"END:VCALENDAR" + ical.CRLF.encode()
    head = head.removesuffix(tail)
    parts = [head]
    lines = []
    offset = len(head)
    for row in rows:
        name = hrefs.event_name(row.period, row.kind)
        # A key date no newer than the previous render renders to the same bytes (they depend only on
        # its row and the time of its revision).
        old = reusable.get(name) if previous is not None and row.revision <= previous.revision else None
        if old is None:
            event = ical.render_event(key, row)
            vevent = event.vevent.encode("utf-8")
            entry = IndexEntry(name, event.uid, event.etag, *event.time_range, event.last_modified, offset,
                               len(vevent))
        else:
            vevent = previous.body[old.offset:old.offset + old.length]  # type: ignore[union-attr]
            entry = dataclasses.replace(old, offset=offset)
        parts.append(vevent)
        lines.append(_index_line(entry))
        offset += len(vevent)
    parts.append(tail)
    body = b"".join(parts)
    return StoredRow(revision, body, gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0), "".join(lines))


def _index_line(entry: IndexEntry) -> str:
    return (f"{entry.name}\t{entry.uid}\t{entry.etag}\t{entry.start}\t{entry.end}\t{entry.last_modified}\t"
            f"{entry.offset}\t{entry.length}\n")


def parse_index(text: str) -> list[IndexEntry]:
    entries = []
    for line in text.splitlines():
        name, uid, etag, start, end, modified, offset, length = line.split("\t")
        entries.append(IndexEntry(name, uid, etag, int(start), int(end), modified, int(offset), int(length)))
    return entries


@dataclasses.dataclass(frozen=True, slots=True)
class Index:
    """A stored render's event index as columns (parsed in a few C-level passes, not line by line)."""

    names: list[str]
    uids: list[str]
    etags: list[str]
    starts: list[int]
    ends: list[int]
    modified: list[str]
    offsets: list[int]
    lengths: list[int]

    @classmethod
    def of(cls, text: str) -> Index:
        fields = text.replace("\n", "\t").split("\t")[:-1] if text else []
        return cls(fields[0::8], fields[1::8], fields[2::8], list(map(int, fields[3::8])),
                   list(map(int, fields[4::8])), fields[5::8], list(map(int, fields[6::8])),
                   list(map(int, fields[7::8])))

    def __len__(self) -> int:
        return len(self.names)

    def event(self, body: bytes, i: int) -> RenderedEvent:
        offset = self.offsets[i]
        return RenderedEvent(self.names[i], self.uids[i], body[offset:offset + self.lengths[i]].decode("utf-8"),
                             self.etags[i], (self.starts[i], self.ends[i]), self.modified[i])

    def overlapping(self, start: int, end: int) -> list[int]:
        """The events whose [start, end) overlaps [start, end) (Radicale's rule), in body order."""
        return [i for i, (first, last) in enumerate(zip(self.starts, self.ends)) if first < end and start < last]


def events(row: StoredRow) -> tuple[RenderedEvent, ...]:
    """The stored render's events, as the renderer made them (their text sliced from the body)."""
    index = Index.of(row.events)
    return tuple(index.event(row.body, i) for i in range(len(index)))


def build_for(session: Session, state: queries.CalendarState, refresh_minutes: int) -> StoredRow:
    """Renders one calendar at the session's revision, reusing the newest older stored render."""
    name = variant(refresh_minutes)
    previous = renders.latest_before(session, state.id, name, state.revision)
    return build(state.key, state.revision, queries.events(session, state.id), refresh_minutes, previous)


def store(engine: Engine, calendar_id: int, refresh_minutes: int, row: StoredRow) -> bool:
    """Writes a render in its own transaction; whether it wrote (not when a newer one is there)."""
    with writing(engine) as session:
        return renders.save(session, calendar_id, variant(refresh_minutes), row)


def prerender(engine: Engine, keys: Iterable[CalendarKey], *, refresh_minutes: int = DEFAULT_REFRESH_MINUTES,
              max_events: int = PRERENDER_MAX_EVENTS) -> int:
    """Renders and stores the given calendars at the current revision, unless that would render more
    than `max_events` key dates (then nothing: the servers render on first request). How many it stored."""
    name = variant(refresh_minutes)
    built: list[tuple[int, StoredRow]] = []
    with writing(engine) as session:
        states = [state for key in keys if (state := queries.calendar_state(session, key)) is not None]
        pending = [state for state in states if not renders.is_stored(session, state.id, name, state.revision)]
        to_render = 0
        for state in pending:  # counted by the database, and only until the limit is passed
            to_render += _changed_count(session, state, name)
            if to_render > max_events:
                break
        if to_render > max_events:
            logger.info("not rendering %d key dates now; servers render them on first request", to_render)
            return 0
        for state in pending:
            built.append((state.id, build_for(session, state, refresh_minutes)))
        stored = sum(renders.save(session, calendar_id, name, row) for calendar_id, row in built)
    return stored


def _changed_count(session: Session, state: queries.CalendarState, name: str) -> int:
    since = renders.revision_before(session, state.id, name, state.revision)
    return queries.key_date_count(session, state.id, since=since)
