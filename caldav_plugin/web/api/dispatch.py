"""GET and HEAD of `/.web/api/v1/…`: find the route, read the parameters, and answer from the request's
one database snapshot, with an ETag computed before anything but the revision is read.

An answer is a function of the revision, the path, the query and the origin its links use, and of
this version of the API; the ETag hashes exactly these, so a client that polls gets 304 for the cost
of one indexed query until a release lands.
"""

from __future__ import annotations

import functools
import hashlib
import json
import urllib.parse
from typing import TYPE_CHECKING, Any, Final

from sqlalchemy.orm import Session

from caldav_plugin.web.api import answers, openapi
from caldav_plugin.web.api.routes import ROUTES
from caldav_plugin.web.api.table import Call, Route
from settlecal.api import parameters
from settlecal.api.encode import to_json
from settlecal.api.errors import ApiError, EndpointUnknown
from settlecal.api.links import API_PATH, Links
from settlecal.api.paging import Pager
from settlecal.db import queries
from settlecal.db.snapshot import reading

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.request import Request

PAGE_PREFIX: Final = API_PATH.removeprefix("/.web/")  # the page path (after `/.web/`) of the API: `api/v1`


def respond(request: Request, page: str) -> radicale_types.WSGIResponse:
    """The answer to GET or HEAD of `/.web/{page}`, where `page` starts with `api`."""
    with reading(request.web.engine) as session:
        revision = queries.current_revision(session)
        try:
            return _answer(request, page, session, revision)
        except ApiError as error:
            return answers.problem(error, revision)


def _answer(request: Request, page: str, session: Session, revision: int) -> radicale_types.WSGIResponse:
    path = page.removeprefix(PAGE_PREFIX)
    route, values = _route(path if page.startswith(PAGE_PREFIX + "/") else None, page)
    query = str(request.environ.get("QUERY_STRING", ""))
    arguments = parameters.read(query, route.parameters)
    max_age = request.web.settings.storage.max_age
    etag = _etag(revision, path, query, request.origin)
    if answers.fresh(request.environ.get("HTTP_IF_NONE_MATCH"), etag):
        return answers.not_modified(etag, max_age)
    links = Links(request.origin)
    pager = Pager(path, arguments, lambda cursor: links.api(path, _with_cursor(query, cursor)))
    base = urllib.parse.urlsplit(request.origin).path
    body = route.handler(Call(session, arguments, pager, links, values, ROUTES, base))
    return answers.ok(to_json(body), etag, max_age, getattr(body, "next", None))


def _route(path: str | None, page: str) -> tuple[Route, dict[str, int]]:
    for route in ROUTES:
        values = None if path is None else route.match(path)
        if values is not None:
            return route, values
    raise EndpointUnknown(f"/.web/{page}")


def _with_cursor(query: str, cursor: str) -> list[tuple[str, str]]:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return [(name, value) for name, value in pairs if name != "cursor"] + [("cursor", cursor)]


def _etag(revision: int, path: str, query: str, origin: str) -> str:
    pairs = sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))
    seed = json.dumps([_version(), revision, origin, path, pairs])
    return f'W/"{hashlib.sha256(seed.encode()).hexdigest()[:32]}"'


@functools.cache
def _version() -> str:
    """This version of the API: its document's digest, so a change to any answer's shape changes every ETag."""
    document: dict[str, Any] = openapi.document(ROUTES)
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]
