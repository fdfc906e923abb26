"""Requests to `/.web/api/…`, answered by the WSGI entry inside the request's database snapshot.

Radicale never sees them: it would answer OPTIONS and refuse other methods itself, check paths by its
own rules and ask for a password when credentials are wrong, none of which is JSON. So every method
and path under `/.web/api` gets its answer here: GET and HEAD of a route, OPTIONS (CORS preflight),
405 for anything else, and 404 for paths that name nothing.

An answer is a function of the revision, the path, the query, the origin its links use and this
version of the API; the ETag hashes exactly these before anything else is read, so a client that
polls gets 304 for the cost of one indexed query until a release lands.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from radicale import config as radicale_config
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from caldav_plugin.etags import revision_etag
from caldav_plugin.http import Answer
from caldav_plugin.settings import PLUGIN_CONFIG_SCHEMA, WEB_CONFIG_SCHEMA, WebSettings
from caldav_plugin.web.api import answers, openapi
from caldav_plugin.web.api.routes import ROUTES
from caldav_plugin.web.api.table import Call, Route
from settlecal.api import parameters
from settlecal.api.encode import to_json
from settlecal.api.errors import ApiError, EndpointUnknown
from settlecal.api.links import API_PATH, Links
from settlecal.api.paging import Pager
from settlecal.db.snapshot import reading

# Every version's path, so that a request to another version is a JSON 404, and a write a 405.
PREFIX: Final = "/.web/api"
# The web page's plugin: the API is served where the page is, since like the page it has no login
# (a private server, `[web] type = none`, shows nothing to anonymous users).
WEB_PLUGIN: Final = "caldav_plugin.web"
# A Host header fit to put in a link: a name or address and a port, nothing that could end a header.
_HOST: Final = re.compile(r"[A-Za-z0-9.-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")


@dataclasses.dataclass(frozen=True, slots=True)
class Api:
    engine: Engine
    enabled: bool  # where the page is served
    public_url: str  # the configured public base URL; empty: the request's own
    max_age: int  # seconds caches may keep an answer
    extra_headers: tuple[tuple[str, str], ...]  # Radicale's `[headers]`, sent with every answer

    @classmethod
    def from_configuration(cls, configuration: radicale_config.Configuration, engine: Engine) -> Api:
        settings = WebSettings.from_configuration(configuration.copy({**PLUGIN_CONFIG_SCHEMA, **WEB_CONFIG_SCHEMA}))
        extra = tuple((option, configuration.get("headers", option)) for option in configuration.options("headers"))
        enabled = configuration.get("web", "type") == WEB_PLUGIN
        return cls(engine, enabled, settings.public_url, settings.storage.max_age, extra)

    def serves(self, path: str) -> bool:
        """Whether a request path is the API's to answer (every method)."""
        return self.enabled and (path == PREFIX or path.startswith(PREFIX + "/"))

    def respond(self, environ: Mapping[str, Any], method: str, path: str, revision: int) -> Answer:
        """The answer to any request under PREFIX; `revision` is the request snapshot's."""
        if method == "OPTIONS":
            answer = answers.preflight()
        elif method not in ("GET", "HEAD"):
            answer = answers.method_not_allowed(method, revision)
        else:
            with reading(self.engine) as session:
                try:
                    answer = self._read(environ, path, session, revision)
                except ApiError as error:
                    answer = answers.problem(error, revision)
        answer.headers.extend(self.extra_headers)
        return Answer(answer.status, answer.headers, [] if method == "HEAD" else answer.body)

    def _read(self, environ: Mapping[str, Any], path: str, session: Session, revision: int) -> Answer:
        route, values = _route(path)
        relative = path.removeprefix(API_PATH)
        query = str(environ.get("QUERY_STRING", ""))
        arguments = parameters.read(query, route.parameters)
        origin = self.public_url or _origin(environ)
        etag = _etag(revision, path, query, origin)
        if answers.fresh(environ.get("HTTP_IF_NONE_MATCH"), etag):
            return answers.not_modified(etag, self.max_age)
        links = Links(origin)
        pager = Pager(relative, arguments, lambda cursor: links.api(relative, _with_cursor(query, cursor)))
        base = urllib.parse.urlsplit(origin).path
        body = route.handler(Call(session, arguments, pager, links, values, ROUTES, base))
        return answers.ok(environ, to_json(body), etag, self.max_age, getattr(body, "next", None))


def _route(path: str) -> tuple[Route, dict[str, int]]:
    if path.startswith(API_PATH + "/"):
        for route in ROUTES:
            values = route.match(path.removeprefix(API_PATH))
            if values is not None:
                return route, values
    raise EndpointUnknown(path)


def _origin(environ: Mapping[str, Any]) -> str:
    """`http://host:port` as the client named it, with the path the application is mounted at."""
    scheme = "https" if environ.get("wsgi.url_scheme") == "https" else "http"
    host = str(environ.get("HTTP_HOST", ""))
    if not _HOST.fullmatch(host):
        port = str(environ.get("SERVER_PORT", ""))
        default = "443" if scheme == "https" else "80"
        host = str(environ.get("SERVER_NAME", "localhost")) + ("" if port in ("", default) else f":{port}")
    return f"{scheme}://{host}{environ.get('SCRIPT_NAME', '')}"


def _with_cursor(query: str, cursor: str) -> list[tuple[str, str]]:
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    return [(name, value) for name, value in pairs if name != "cursor"] + [("cursor", cursor)]


def _etag(revision: int, path: str, query: str, origin: str) -> str:
    pairs = sorted(urllib.parse.parse_qsl(query, keep_blank_values=True))
    seed = json.dumps([_version(), revision, origin, path, pairs])
    return revision_etag(revision, seed, weak=True)


@functools.cache
def _version() -> str:
    """This version of the API: its document's digest, so a change to any answer's shape changes every ETag."""
    document: dict[str, Any] = openapi.document(ROUTES)
    return hashlib.sha256(json.dumps(document, sort_keys=True).encode()).hexdigest()[:16]
