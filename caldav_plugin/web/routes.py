"""Paths under `/.web/` → handlers, and the request context every handler gets.

    /.web/                    the page (filters, month grid, upcoming, sync links, downloads)
    /.web/feed.ics            the selection as one iCalendar feed
    /.web/download.csv|pdf    the selection for a date range
    /.web/releases            release history; /.web/releases/ID what one release changed
    /.web/static/NAME         style sheet and script
    /.web/changes.atom        the change log as an Atom feed (atom.py)
    /.web/subscriptions…      e-mail notifications: subscribe, confirm, unsubscribe (subscriptions.py)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from radicale import types as radicale_types

from caldav_plugin.web import atom, downloads, feed, history, responses, subscriptions, views
from settlecal.i18n import translator as i18n
from settlecal import filters as selection
from settlecal.palette import KIND_COLOURS
from settlecal.filters import Problem, Selection

if TYPE_CHECKING:
    from caldav_plugin.web import Web

PREFIX = "/.web"


@dataclasses.dataclass(frozen=True)
class Request:
    web: Web
    environ: Mapping[str, Any]
    base_prefix: str
    selection: Selection
    problems: list[Problem]
    t: i18n.Translator
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
            "request": self, "t": self.t, "sel": self.selection, "describe": selection.describe,
            "languages": i18n.LANGUAGE_NAMES, "palette": KIND_COLOURS, "current": "", "lang_page": "",
            "stamp": None, "title": None,
        }
        page = self.web.templates.get_template(template).render({**values, **context})
        return responses.html(page, lang=self.t.lang, status=status)


def dispatch(web: Web, environ: Mapping[str, Any], base_prefix: str, path: str) -> radicale_types.WSGIResponse:
    query = environ.get("QUERY_STRING", "")
    if path == PREFIX:
        return responses.redirect(f"{base_prefix}{PREFIX}/" + (f"?{query}" if query else ""), 301)
    page = path.removeprefix(PREFIX + "/")
    if page.startswith("static/"):
        found = web.static.get(page.removeprefix("static/"), environ)
        return found or responses.answer(404, "text/plain; charset=utf-8", b"Not found\n")
    request = _request(web, environ, base_prefix, query, feed=page == "feed.ics")
    if page == "changes.atom":  # change notifications (atom.py, subscriptions.py)
        return atom.handle(environ, web.engine, origin=request.origin)
    if page == "subscriptions" or page.startswith("subscriptions/"):
        # Links in e-mails come from configuration only, never from the request's Host header,
        # which whoever posts the form controls.
        return subscriptions.handle(environ, path, web.write_engine, origin=web.settings.public_url or None)
    if page == "":
        return views.index(request)
    if page == "feed.ics":
        return feed.respond(request)
    if page == "download.csv":
        return downloads.csv_download(request)
    if page == "download.pdf":
        return downloads.pdf_download(request)
    if page in ("releases", "releases/"):
        return history.releases(request)
    number = page.removeprefix("releases/").rstrip("/")
    if page.startswith("releases/") and number.isascii() and number.isdigit():
        return history.release(request, int(number))
    return request.render("error.html", status=404, message=request.t("There is no such page."))


def _request(web: Web, environ: Mapping[str, Any], base_prefix: str, query: str, *, feed: bool) -> Request:
    chosen, problems = selection.parse(query)
    # Feeds are read by calendar apps: English unless the link says otherwise, whatever they send.
    lang = chosen.lang or (i18n.DEFAULT_LANGUAGE if feed else i18n.negotiate(environ.get("HTTP_ACCEPT_LANGUAGE")))
    return Request(web, environ, base_prefix, chosen, problems, i18n.translator(lang), chosen.lang is not None)

