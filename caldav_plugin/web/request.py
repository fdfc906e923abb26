"""The request context every page handler gets, and what it needs of the plugin (`Site`).

A leaf module: handlers import it, the router builds it, so no handler imports the router.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import jinja2
from radicale import types as radicale_types
from sqlalchemy import Engine

from caldav_plugin.cache import FeedCache
from caldav_plugin.settings import WebSettings
from caldav_plugin.web import responses
from caldav_plugin.web.signups import ClientLimiter
from caldav_plugin.web.responses import StaticFiles
from settlecal import filters as selection
from settlecal.filters import Problem, Selection
from settlecal.i18n.languages import LANGUAGES
from settlecal.i18n.translator import Translator
from settlecal.domain import KINDS

PREFIX = "/.web"


class Site(Protocol):
    """What handlers use of the web plugin (caldav_plugin.web.Web)."""

    settings: WebSettings
    engine: Engine
    write_engine: Engine  # sign-ups and unsubscribes: the primary when `engine` reads a replica
    templates: jinja2.Environment
    static: StaticFiles
    feeds: FeedCache
    signups: ClientLimiter  # sign-ups per client address (subscriptions.py)
    today: Callable[[], datetime.date]


@dataclasses.dataclass(frozen=True)
class Request:
    web: Site
    environ: Mapping[str, Any]
    base_prefix: str
    selection: Selection
    problems: list[Problem]
    t: Translator
    lang_asked: bool  # whether the URL says the language (else it was negotiated)

    @property
    def origin(self) -> str:
        """`http://127.0.0.1:5232` (+ the base prefix behind a proxy), or the configured public URL."""
        if self.web.settings.public_url:
            return self.web.settings.public_url
        scheme = self.environ.get("wsgi.url_scheme", "http")
        host = self.environ.get("HTTP_HOST")
        if not host:
            port = str(self.environ.get("SERVER_PORT", ""))
            default = "443" if scheme == "https" else "80"
            host = self.environ.get("SERVER_NAME", "localhost") + ("" if port in ("", default) else f":{port}")
        return f"{scheme}://{host}{self.base_prefix}"

    def url(self, page: str = "", **changes: Any) -> str:
        """A link to a page of the plugin with the selection (with `changes`) in its query."""
        return f"{self.base_prefix}{PREFIX}/{page}{self.selection.query(**changes)}"

    def absolute(self, path: str) -> str:
        """An absolute URL of a server path (`/bsp/es-eur-monthly.ics`)."""
        return self.origin + path

    def static(self, name: str) -> str:
        return f"{self.base_prefix}{PREFIX}/static/{name}?v={self.web.static.version(name)}"

    def render(self, template: str, status: int = 200, **context: Any) -> radicale_types.WSGIResponse:
        values: dict[str, Any] = {
            "request": self, "t": self.t, "ngettext": self.t.ngettext, "sel": self.selection,
            "describe": selection.describe, "languages": LANGUAGES.values(),
            "palette": {facts.kind: facts.colour for facts in KINDS},
            "current": "", "lang_page": "",
            "stamp": None, "title": None,
        }
        page = self.web.templates.get_template(template).render({**values, **context})
        # Parameters that mean nothing (month=9999-12, kind=lunch) are shown as a notice on a page
        # that ignores them; the status says the request was not understood whole.
        if status == 200 and self.problems:
            status = 400
        return responses.html(page, lang=self.t.tag, status=status)
