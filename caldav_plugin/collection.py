"""A calendar collection: one settlement calendar, read from the database at one revision.

The collection carries its calendar's state (id, key, revision, time of that revision), so its ETag,
CTag, sync token and Last-Modified cost nothing. Its events come from the revision's render, made
once for the whole deployment and stored (settlecal/renders.py, stored.py), then kept per process
(cache.py): time-range REPORTs filter its event index, incremental syncs read only the changed rows'
names from the change log.
"""

from __future__ import annotations

import contextlib
import contextvars
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, Protocol, overload

from radicale import item as radicale_item
from radicale import storage as radicale_storage
from radicale.item import filter as radicale_filter
from sqlalchemy import Engine

from settlecal import hrefs
from settlecal.formats import ical as render
from settlecal.formats.ical import RenderedEvent  # by name: the method `render` shadows the module in the class
from settlecal.formats import timed
from settlecal.formats.timed import Timing
from caldav_plugin.cache import CalendarRender, RenderCache
from caldav_plugin.stored import Flights, RenderWriter
from settlecal import renders
from settlecal.db import queries
from settlecal.db import renders as stored_renders
from caldav_plugin.errors import InvalidSyncToken, ReadOnly
from caldav_plugin.etags import revision_etag
from caldav_plugin.settings import PluginSettings
from settlecal.db.snapshot import reading

SYNC_TOKEN_PREFIX: Final = "http://settlecal.invalid/ns/sync/"
_TIME_RANGE: Final = "{urn:ietf:params:xml:ns:caldav}time-range"


class Sample:
    """While Radicale answers over a calendar's first events only (templates.py): how many it gets,
    and every event the full answer would have held, in order (None until a listing ran)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.events: list[RenderedEvent] | None = None
        self.exact = True  # False when Radicale checks the events itself after us, or lists twice
        self.truncated = False  # whether a listing was cut: else Radicale's answer is the whole one
        # The time range (POSIX seconds) a calendar-query selected its events by, when it was exact.
        self.window: tuple[int, int] | None = None

    def take(self, events: Iterable[RenderedEvent], exact: bool = True) -> list[RenderedEvent]:
        if self.events is not None:
            self.exact = False
        self.events = list(events)
        self.exact = self.exact and exact
        self.truncated = self.truncated or len(self.events) > self.limit
        return self.events[:self.limit]


_sample: contextvars.ContextVar[Sample | None] = contextvars.ContextVar("settlecal_sample", default=None)


@contextlib.contextmanager
def sampled(limit: int) -> Iterator[Sample]:
    """Inside the block, a calendar's listings hold their first `limit` events only."""
    sample = Sample(limit)
    token = _sample.set(sample)
    try:
        yield sample
    finally:
        _sample.reset(token)


def sync_token(revision: int) -> str:
    return f"{SYNC_TOKEN_PREFIX}{revision}"


def parse_sync_token(token: str) -> int:
    """The revision a token names; InvalidSyncToken for anything this server did not issue."""
    number = token.removeprefix(SYNC_TOKEN_PREFIX)
    if number == token or not number.isdigit() or not number.isascii():
        raise InvalidSyncToken(token)
    return int(number)


class Source(Protocol):
    """Where a collection reads from: the storage plugin (a Protocol, so this module does not import it)."""

    @property
    def settings(self) -> PluginSettings: ...
    @property
    def engine(self) -> Engine: ...
    @property
    def cache(self) -> RenderCache: ...
    @property
    def flights(self) -> Flights: ...
    @property
    def writer(self) -> RenderWriter: ...


class CalendarCollection(radicale_storage.BaseCollection):
    """`/bsp/es-eur-monthly/`: read-only; every write raises ReadOnly."""

    def __init__(self, storage: Source, state: queries.CalendarState) -> None:
        self._storage = storage
        self.state = state
        # Items a sync() read in this request, for the get_multi() Radicale calls next: name →
        # rendered event, or None for a removed key date.
        self._synced: dict[str, RenderedEvent | None] = {}

    @property
    def path(self) -> str:
        return hrefs.collection_path(self.state.key)

    @property
    def tag(self) -> str:
        return "VCALENDAR"

    @property
    def etag(self) -> str:
        # O(1): the revision names the content; the render version and refresh hint change the bytes.
        seed = f"{render.RENDER_VERSION}|{self.path}|{self._storage.settings.refresh_minutes}"
        return revision_etag(self.state.revision, seed)

    @property
    def last_modified(self) -> str:
        return render.http_date(self.state.modified_at)

    @overload
    def get_meta(self, key: None = None) -> Mapping[str, str]: ...

    @overload
    def get_meta(self, key: str) -> str | None: ...

    def get_meta(self, key: str | None = None) -> Mapping[str, str] | str | None:
        meta = render.collection_meta(self.state.key)
        return meta if key is None else meta.get(key)

    def render(self) -> CalendarRender:
        """This revision of the calendar, rendered: from the process's cache, else from the database
        (stored by whichever server rendered it first), else rendered here once and stored."""
        cache = self._storage.cache
        cached = cache.get(self.path, self.state.revision)
        if cached is not None:
            return cached
        with self._storage.flights.flight((self.path, self.state.revision)):
            cached = cache.get(self.path, self.state.revision)  # the request we waited for rendered it
            if cached is not None:
                return cached
            refresh = self._storage.settings.refresh_minutes
            with reading(self._storage.engine) as session:
                row = stored_renders.stored(session, self.state.id, renders.variant(refresh), self.state.revision)
                fresh = row is None
                if row is None:
                    row = renders.build_for(session, self.state, refresh)
            if fresh:
                self._storage.writer.put(self.state.id, row)
            rendered = CalendarRender(row)
            cache.put(self.path, self.state.revision, rendered)
            return rendered

    def timed_etag(self, timing: Timing) -> str:
        """The `.ics` alias asked for timed deadlines or reminders: the options and the zone name it too."""
        seed = f"{self.etag}|{timing.timed}|{timing.alarm}|{self.state.timezone}"
        return revision_etag(self.state.revision, seed)

    def render_timed(self, timing: Timing) -> bytes:
        """The `.ics` alias as `timing` asks (settlecal.formats.timed); not cached: rarely asked for."""
        with reading(self._storage.engine) as session:
            rows = queries.events(session, self.state.id)
        text = timed.render_calendar(self.state.key, self.state.timezone, rows, timing,
                                     refresh_minutes=self._storage.settings.refresh_minutes)
        return text.encode("utf-8")

    def item(self, event: RenderedEvent) -> radicale_item.Item:
        # Every field given, so Radicale never parses the text to find them.
        return radicale_item.Item(
            collection=self, href=event.name, last_modified=event.last_modified, text=event.text,
            etag=event.etag, uid=event.uid, name="VCALENDAR", component_name="VEVENT",
            time_range=event.time_range,
        )

    def get_all(self) -> Iterator[radicale_item.Item]:
        events: Iterable[RenderedEvent] = self.render().events
        sample = _sample.get()
        if sample is not None:
            events = sample.take(events)
        return (self.item(event) for event in events)

    def get_multi(self, hrefs_: Iterable[str]) -> Iterator[tuple[str, radicale_item.Item | None]]:
        names = list(dict.fromkeys(hrefs_))
        found = self._find(names)
        sample = _sample.get()
        if sample is not None and names:
            events = [event for name in names if (event := found.get(name)) is not None]
            if len(events) == len(names):
                # A multiget of hrefs that all exist: the answer is those events in the request's order.
                names = [event.name for event in sample.take(events)]
            else:
                sample.exact = False  # Radicale answers 404 for the others, in between: listed whole
        for name in names:
            event = found.get(name)
            yield name, None if event is None else self.item(event)

    def _find(self, names: list[str]) -> Mapping[str, RenderedEvent | None]:
        if all(name in self._synced for name in names):
            return self._synced
        return self.render().by_name

    def get_filtered(self, filters: Iterable[ET.Element]) -> Iterator[tuple[radicale_item.Item, bool]]:
        """Events whose days overlap the REPORT's time range, selected from the stored event index.

        Radicale's rule: an event [start, end) matches [S, E) when start < E and S < end, all-day
        dates counting as UTC midnight; the index holds each event's [start, end) in those terms.
        Our events never recur, so the answer is exact whenever Radicale says the filter is simple.
        """
        filters = list(filters)
        tag, start, end, simple = radicale_filter.simplify_prefilters(filters, self.tag)
        if tag not in (None, "VEVENT"):
            return
        # Radicale matches nothing for a time-range without start and end; let it decide those.
        exact = simple and not any(
            element.get("start") is None and element.get("end") is None
            for filter_ in filters for element in filter_.iter(_TIME_RANGE)
        )
        events = self.render().overlapping(start, end)
        sample = _sample.get()
        if sample is not None:
            events = sample.take(events, exact)
            sample.window = (start, end) if exact else None
        for event in events:
            yield self.item(event), exact

    def has_uid(self, uid: str) -> bool:
        return any(event.uid == uid for event in self.render().events)

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        """RFC 6578 from the change log: the hrefs of key dates changed after the token's revision.

        The token is the calendar's revision. Removed key dates stay as rows, so every revision
        since the database began is a valid token; only one from the future (another database, a
        restored backup) or from another server is refused, and the client starts over.
        """
        token = sync_token(self.state.revision)
        if not old_token:
            # Lazy: PROPFIND asks for the token alone and never looks at the hrefs.
            return token, self._all_names()
        old = parse_sync_token(old_token)
        if old >= self.state.revision:
            # Nothing changed here since; only a token from the future is suspect.
            with reading(self._storage.engine) as session:
                current = queries.current_revision(session) if old > self.state.revision else old
            if old > current:
                raise InvalidSyncToken(old_token, current)
            return token, []
        with reading(self._storage.engine) as session:
            rows = queries.events(session, self.state.id, since=old)
        by_name = self.render().by_name if rows else {}
        for row in rows:
            name = hrefs.event_name(row.period, row.kind)
            self._synced[name] = None if row.removed else by_name.get(name)
        return token, [hrefs.event_name(row.period, row.kind) for row in rows]

    def _all_names(self) -> Iterator[str]:
        for event in self.render().events:
            yield event.name

    def serialize(self, vcf_to_ics: bool = False, ShareActions: dict[str, Any] | None = None) -> str:
        return self.render().text

    def upload(self, href: str, item: radicale_item.Item) -> Any:
        raise ReadOnly("upload", f"{self.path}/{href}")

    def delete(self, href: str | None = None) -> None:
        raise ReadOnly("delete", f"{self.path}/{href}" if href else self.path)

    def set_meta(self, props: Mapping[str, str]) -> None:
        raise ReadOnly("change the properties of", self.path)
