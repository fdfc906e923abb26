"""The Radicale storage plugin: `[storage] type = caldav_plugin.storage`.

Maps request paths to collections read from the settlement database (see hrefs.py for the paths)
and refuses every write. Radicale calls these methods positionally and has grown their signatures
between releases, so each accepts and ignores extra arguments.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from radicale import config as radicale_config
from radicale import item as radicale_item
from radicale import storage as radicale_storage
from radicale import types as radicale_types
from radicale.log import logger
from sqlalchemy import Engine

from caldav_plugin import principal
from settlecal import hrefs
from caldav_plugin.cache import RenderCache, render_cache
from caldav_plugin.stored import Flights, RenderWriter
from caldav_plugin.collection import CalendarCollection
from settlecal.db import queries
from settlecal.db.engine import make_engine, shown
from caldav_plugin.errors import ReadOnly
from caldav_plugin.settings import PLUGIN_CONFIG_SCHEMA, PluginSettings
from settlecal.config import PoolSettings
from settlecal.domain import CalendarKey, System
from settlecal.db.snapshot import reading


class Storage(radicale_storage.BaseStorage):
    """Read-only storage over the settlement database; engines and caches are shared per URL."""

    settings: PluginSettings
    engine: Engine
    cache: RenderCache
    flights: Flights
    writer: RenderWriter

    def __init__(self, configuration: radicale_config.Configuration) -> None:
        super().__init__(configuration.copy(PLUGIN_CONFIG_SCHEMA))
        self.settings = PluginSettings.from_configuration(self.configuration)
        # Read-only: a server never creates a database file, nor writes through this engine.
        self.engine = make_engine(self.settings.database_url, mode="ro", pool=self.settings.pool)
        self.cache = render_cache(self.settings.database_url, self.settings.cache_bytes)
        self.flights, self.writer = _renderers(self.settings.database_url, self.settings.write_database_url,
                                               self.settings.refresh_minutes, self.settings.pool)

    def discover(
        self,
        path: str,
        depth: str = "0",
        child_context_manager: Callable[[str, str | None], contextlib.AbstractContextManager[None]] | None = None,
        user_groups: Iterable[str] | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> Iterator[radicale_types.CollectionOrItem]:
        """The collection or item at `path`, then its children unless `depth` is "0"."""
        target = hrefs.parse_path(path)
        if target is None:
            return iter(())
        with reading(self.engine) as session:
            found = self._find(session, target)
        if found is None:
            return iter(())
        if depth == "0" or not isinstance(found, radicale_storage.BaseCollection):
            return iter((found,))
        # Children lazily: Radicale asks for depth 1 of the user's principal on every logged-in
        # request and only looks at the first entry.
        return itertools.chain((found,), self._children(found))

    def _find(self, session: Any, target: hrefs.Target) -> radicale_types.CollectionOrItem | None:
        if isinstance(target, hrefs.Root):
            return principal.root()
        if isinstance(target, hrefs.Principal):
            return principal.principal(target.system)
        state = queries.calendar_state(session, target.key)
        if state is None:
            return None
        collection = CalendarCollection(self, state)
        if isinstance(target, hrefs.CalendarPath):
            return collection
        return next(iter(collection.get_multi([target.name])))[1]

    def _children(self, parent: radicale_storage.BaseCollection) -> Iterator[radicale_types.CollectionOrItem]:
        if isinstance(parent, CalendarCollection):
            yield from parent.get_all()
            return
        system = hrefs.parse_system(parent.path)
        if system is None:  # the root
            yield from (principal.principal(each) for each in System)
            return
        with reading(self.engine) as session:
            states = queries.calendar_states(session, system)
        yield from (CalendarCollection(self, state) for state in states)

    def calendar(self, key: CalendarKey) -> CalendarCollection | None:
        """The collection of one calendar (a CalendarKey), or None; for the WSGI entry's fast paths."""
        with reading(self.engine) as session:
            state = queries.calendar_state(session, key)
        return None if state is None else CalendarCollection(self, state)

    @contextlib.contextmanager
    def acquire_lock(self, mode: str, user: str = "", *args: Any, **kwargs: Any) -> Iterator[None]:
        # Nothing to lock: the database isolates readers from the importer (see settlecal/db/snapshot.py).
        yield

    def move(self, item: radicale_item.Item, to_collection: radicale_storage.BaseCollection,
             to_href: str, *args: Any, **kwargs: Any) -> None:
        raise ReadOnly("move", item.href or "")

    def create_collection(self, href: str, items: Iterable[radicale_item.Item] | None = None,
                          props: Mapping[str, str] | None = None, *args: Any, **kwargs: Any) -> Any:
        raise ReadOnly("create", href)

    def verify(self, *args: Any, **kwargs: Any) -> bool:
        """`radicale --verify-storage`: the database answers and every calendar renders; says what it read."""
        with reading(self.engine) as session:
            states = queries.calendar_states(session)
            revision = queries.current_revision(session)
        for state in states:
            CalendarCollection(self, state).render()
        self.writer.drain()
        logger.info("Verified %d calendars at revision %d of %s", len(states), revision, shown(self.settings.database_url))
        return True


@functools.cache
def _renderers(database_url: str, write_url: str, refresh_minutes: int,
               pool: PoolSettings) -> tuple[Flights, RenderWriter]:
    """The process's single flights and render writer for one database (Radicale builds two storages)."""
    return Flights(), RenderWriter(write_url, pool, refresh_minutes)
