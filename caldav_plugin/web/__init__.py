"""The web page: `[web] type = caldav_plugin.web`, served by Radicale at `/.web/` (`/` leads there).

Filters, month grid, upcoming key dates, CSV/PDF downloads, subscription links and filtered feeds,
release history, in six languages (settlecal.i18n). Server-rendered (Jinja2), read-only, over the same
database and configuration option as the storage plugin (`[storage] database_url`).

    routes.py     paths → handlers
    request.py    the request context handlers get (a leaf: no handler imports the router)
    views.py      the page: facets, month grid, upcoming list, calendars and their links
    month.py      the month grid (pure)
    history.py    releases and what each changed
    downloads.py  CSV (the release format) and PDF
    feed.py       `/.web/feed.ics`: the selection as one iCalendar stream, with ETag/304
    atom.py       `/.web/changes.atom`: the change log as an Atom feed
    subscriptions.py  e-mail sign-up, confirmation and unsubscribe

The URL's parameters are read by settlecal.filters, words by settlecal.i18n.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import jinja2
from radicale import config as radicale_config
from radicale import types as radicale_types
from radicale import web as radicale_web

from settlecal.db.engine import make_engine
from settlecal.formats.ical import settles_text
from caldav_plugin.cache import FeedCache
from caldav_plugin.settings import PLUGIN_CONFIG_SCHEMA as STORAGE_SCHEMA
from caldav_plugin.settings import WEB_CONFIG_SCHEMA as PLUGIN_CONFIG_SCHEMA
from caldav_plugin.settings import WebSettings
from caldav_plugin.web import request, routes
from caldav_plugin.web.responses import StaticFiles
from caldav_plugin.web.signups import ClientLimiter

class Web(radicale_web.BaseWeb):
    """Radicale's web plugin: GET only (the page never changes anything)."""

    settings: WebSettings
    # What "today" is: the month shown by default, the day marked, where "upcoming" starts.
    today: Callable[[], datetime.date]

    def __init__(self, configuration: radicale_config.Configuration) -> None:
        # The storage's options too: one `database_url` setting serves both plugins.
        schema = {**STORAGE_SCHEMA, **PLUGIN_CONFIG_SCHEMA}
        super().__init__(configuration.copy(schema))
        self.settings = WebSettings.from_configuration(self.configuration)
        storage = self.settings.storage
        self.engine = make_engine(storage.database_url, mode="ro", pool=storage.pool)
        # Sign-ups and unsubscribes: the primary when the server reads from a replica.
        self.write_engine = make_engine(storage.write_database_url, mode="rw", pool=storage.pool)
        self.templates = jinja2.Environment(
            loader=jinja2.PackageLoader("caldav_plugin.web", "templates"),
            autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
        )
        # Macros (imported without the page's context) call it too.
        self.templates.globals["settles"] = settles_text
        self.static = StaticFiles()
        self.feeds = FeedCache()
        self.signups = ClientLimiter()
        self.today = datetime.date.today

    def get(self, environ: radicale_types.WSGIEnviron, base_prefix: str, path: str, user: str,
            *args: Any, **kwargs: Any) -> radicale_types.WSGIResponse:
        return routes.dispatch(self, environ, base_prefix, path)

    def post(self, environ: radicale_types.WSGIEnviron, base_prefix: str, path: str, user: str,
             *args: Any, **kwargs: Any) -> radicale_types.WSGIResponse:
        """Only the e-mail subscription forms take a POST (subscriptions.py); the page itself never does."""
        if path == f"{request.PREFIX}/subscriptions" or path.startswith(f"{request.PREFIX}/subscriptions/"):
            return routes.dispatch(self, environ, base_prefix, path)
        return super().post(environ, base_prefix, path, user, *args, **kwargs)


__all__ = ["PLUGIN_CONFIG_SCHEMA", "Web", "WebSettings"]
