"""`/.web/changes.atom?system=…&country=…&currency=…&frequency=…&kind=…&lang=…`: the change log as an
Atom feed (settlecal.formats.atom), with an ETag computed before anything is rendered."""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from radicale import types as radicale_types
from sqlalchemy import Engine

from settlecal.db import queries
from settlecal.db.snapshot import reading
from settlecal.domain import Kind
from settlecal.filters import FilterInvalid, calendar_filter
from settlecal.formats import atom
from settlecal.formats.query import Query
from settlecal.i18n.languages import DEFAULT_LANGUAGE, language
from caldav_plugin.etags import revision_etag, tags
from caldav_plugin.web import limits

MAX_AGE: Final = 300


def handle(environ: Mapping[str, Any], engine: Engine, *, origin: str, configured: bool = True,
           ) -> radicale_types.WSGIResponse:
    """Answers GET or HEAD of the feed; `origin` is the server's public base URL, `configured` whether
    it is the configured one (else it came from the request's Host, and caches must key on Host)."""
    text = environ.get("QUERY_STRING", "")
    try:
        where, kinds = calendar_filter(text)
    except FilterInvalid as error:
        return 400, {"Content-Type": "text/plain; charset=utf-8"}, f"{error}\n".encode(), None
    lang = language(_last(text, "lang")) or DEFAULT_LANGUAGE
    query = Query(where, tuple(kind for kind in Kind if kind in (kinds or ())), lang=lang, origin=origin)
    canonical = sorted(atom.canonical_parameters(query).items())
    with reading(engine) as session:
        revision = queries.current_revision(session)
        etag = revision_etag(revision, repr((atom.RENDER_VERSION, canonical, lang, origin)))
        # The feed's links are absolute: built from the Host header, a shared cache must not serve
        # one Host's answer to another.
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={MAX_AGE}",
                   "Vary": "Accept-Encoding" if configured else "Accept-Encoding, Host"}
        if etag in tags(environ.get("HTTP_IF_NONE_MATCH")):
            return 304, headers, None, None
        if limits.is_head(environ):
            return 200, {"Content-Type": atom.MEDIA_TYPE, **headers}, b"", None
        try:
            with limits.expensive():
                body = atom.render(session, query)
        except limits.Busy:
            return limits.busy_text()
    return 200, {"Content-Type": atom.MEDIA_TYPE, **headers}, body, None


def _last(query_string: str, name: str) -> str | None:
    values = urllib.parse.parse_qs(query_string).get(name)
    return values[-1] if values else None
