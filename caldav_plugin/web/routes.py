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

from collections.abc import Mapping
from typing import Any

from radicale import types as radicale_types

from caldav_plugin.web import atom, downloads, feed, history, limits, responses, subscriptions, views
from caldav_plugin.web.request import PREFIX, Request, Site
from settlecal import filters as selection
from settlecal.i18n import languages
from settlecal.i18n.translator import translator


def dispatch(web: Site, environ: Mapping[str, Any], base_prefix: str, path: str) -> radicale_types.WSGIResponse:
    query = environ.get("QUERY_STRING", "")
    if path == PREFIX:
        return responses.redirect(f"{base_prefix}{PREFIX}/" + (f"?{query}" if query else ""), 301)
    page = path.removeprefix(PREFIX + "/")
    if page.startswith("static/"):
        found = web.static.get(page.removeprefix("static/"), environ)
        return found or responses.answer(404, "text/plain; charset=utf-8", b"Not found\n")
    request = _request(web, environ, base_prefix, query, feed=page == "feed.ics")
    if page == "changes.atom":  # change notifications (atom.py, subscriptions.py)
        return atom.handle(environ, web.engine, origin=request.origin, configured=bool(web.settings.public_url))
    if page == "subscriptions" or page.startswith("subscriptions/"):
        # Links in e-mails come from configuration only, never from the request's Host header,
        # which whoever posts the form controls.
        return subscriptions.handle(environ, path, web.write_engine, origin=web.settings.public_url or None,
                                    base=base_prefix, limiter=web.signups)
    if page == "":
        return views.index(request)
    if page == "feed.ics":
        return feed.respond(request)
    if page == "download.csv":
        return downloads.download(request, "csv")
    if page == "download.pdf":
        return downloads.download(request, "pdf")
    if page in ("releases", "releases/"):
        return history.releases(request)
    number = page.removeprefix("releases/").rstrip("/")
    if (page.startswith("releases/") and number.isascii() and number.isdigit()
            and len(number) <= 10 and int(number) <= limits.MAX_ID):
        return history.release(request, int(number))
    return request.render("error.html", status=404, message=request.t("There is no such page."))


def _request(web: Site, environ: Mapping[str, Any], base_prefix: str, query: str, *, feed: bool) -> Request:
    chosen, problems = selection.parse(query)
    # Feeds are read by calendar apps: English unless the link says otherwise, whatever they send.
    accepted = environ.get("HTTP_ACCEPT_LANGUAGE")
    lang = chosen.lang or (languages.DEFAULT_LANGUAGE if feed else languages.negotiate(accepted))
    return Request(web, environ, base_prefix, chosen, problems, translator(lang), chosen.lang is not None)

