"""HTTP behaviour of the feed: write refusal, conditional GET, cache headers, calendar downloads.

Pure request → answer functions over the storage, used by caldav_plugin.wsgi.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email.utils
import time
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from radicale import pathutils
from radicale import rights as radicale_rights
from radicale.log import logger

from settlecal import filters, hrefs
from settlecal.durations import ALARM_EXPECTED
from settlecal.formats.timed import Timing
from settlecal.formats import ical as render
from caldav_plugin import etags
from caldav_plugin.collection import CalendarCollection
from caldav_plugin.storage import Storage

WRITE_METHODS: Final = frozenset({
    "PUT", "DELETE", "MKCOL", "MKCALENDAR", "PROPPATCH", "MOVE", "COPY", "LOCK", "UNLOCK",
    "ACL", "PATCH", "BIND", "UNBIND", "REBIND", "ORDERPATCH",
})
READ_ONLY_TEXT: Final = (
    "403 Forbidden: these settlement calendars are read-only. They change only when the operator "
    "imports a new release; subscribe to follow the changes.\n"
)
# Radicale's own authentication types that read the user from the Authorization header only.
_HEADER_AUTH: Final = frozenset({"htpasswd", "ldap", "imap", "pam", "dovecot", "oauth2", "denyall"})
CALENDAR_TYPE: Final = "text/calendar; charset=utf-8"
# The options of a subscription link to a calendar's `.ics` alias (settlecal.formats.timed).
TIMING_PARAMETERS: Final = frozenset({"deadlines", "alarm"})
_EXPECTED: Final = {"deadlines": "expected deadlines=timed", "alarm": ALARM_EXPECTED}


@dataclasses.dataclass(slots=True)
class Answer:
    status: str
    headers: list[tuple[str, str]]
    body: list[bytes]

    def header(self, name: str) -> str | None:
        lower = name.lower()
        return next((value for key, value in self.headers if key.lower() == lower), None)


def is_write(method: str, path: str) -> bool:
    """Whether the request would change something: refused before Radicale sees it."""
    if method == "POST":
        return not (path == "/.web" or path.startswith("/.web/"))
    return method in WRITE_METHODS


def forbidden_write(method: str) -> Answer:
    body = READ_ONLY_TEXT.encode()
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
               ("Allow", "GET, HEAD, OPTIONS, PROPFIND, REPORT")]
    return Answer("403 Forbidden", headers, [b""] if method == "HEAD" else [body])


def login_of(environ: Mapping[str, Any]) -> str | None:
    """The user name of HTTP Basic credentials, else None (no credentials, or not Basic)."""
    scheme, _, credentials = str(environ.get("HTTP_AUTHORIZATION", "")).partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        return base64.b64decode(credentials.strip(), validate=True).decode("utf-8").partition(":")[0]
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None


def not_modified(environ: Mapping[str, Any], etag: str, last_modified: str) -> bool:
    """RFC 9110 §13.1.2–3: If-None-Match wins; If-Modified-Since only counts without it."""
    if_none_match = environ.get("HTTP_IF_NONE_MATCH")
    if if_none_match is not None:
        held = etags.tags(if_none_match)
        return "*" in held or etag.removeprefix("W/") in held
    if_modified_since = environ.get("HTTP_IF_MODIFIED_SINCE")
    if if_modified_since and last_modified:
        try:
            since = email.utils.parsedate_to_datetime(if_modified_since)
            modified = email.utils.parsedate_to_datetime(last_modified)
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            return False  # not an HTTP date; RFC 9110 says ignore it
        return modified <= since
    return False


def after_radicale(environ: Mapping[str, Any], method: str, answer: Answer) -> Answer:
    """Makes Radicale's GET answers conditional and cacheable, and its OPTIONS honest."""
    if method == "OPTIONS":
        headers = [(k, v) if k.lower() != "allow" else (k, _read_methods(v)) for k, v in answer.headers]
        return Answer(answer.status, headers, answer.body)
    if method not in ("GET", "HEAD") or not answer.status.startswith("200"):
        return answer
    headers = list(answer.headers)
    if answer.header("Cache-Control") is None:
        headers.append(("Cache-Control", "private, no-cache"))
    etag, modified = answer.header("ETag"), answer.header("Last-Modified")
    if etag and not_modified(environ, etag, modified or ""):
        kept = [(k, v) for k, v in headers if k.lower() in ("etag", "last-modified", "cache-control", "vary", "content-length")]
        return Answer("304 Not Modified", kept, [])
    return Answer(answer.status, headers, answer.body)


def _read_methods(allow: str) -> str:
    return ", ".join(m.strip() for m in allow.split(",") if m.strip().upper() not in WRITE_METHODS | {"POST"})


class FeedResponder:
    """GET/HEAD of calendars, `.ics` aliases and events, straight from the render cache.

    Answers only what it can answer exactly as Radicale would: paths the storage serves, users it
    can identify without checking a password, and rights that grant them read. Anything else is
    left to Radicale (None).
    """

    def __init__(self, storage: Storage, rights: radicale_rights.BaseRights, *, auth_type: str,
                 extra_headers: Mapping[str, str]) -> None:
        self._storage = storage
        self._rights = rights
        self._auth_type = auth_type
        self._extra = list(extra_headers.items())
        self._max_age = storage.settings.max_age

    def respond(self, environ: Mapping[str, Any], method: str, path: str) -> Answer | None:
        query = str(environ.get("QUERY_STRING") or "")
        timing = None
        if query:
            asked = urllib.parse.parse_qs(query, keep_blank_values=True)
            if not asked.keys() & TIMING_PARAMETERS:
                return None  # e.g. Radicale's ?view=freebusy
            timing, refused = _timing(query)
            if refused:
                return refused
        target = hrefs.parse_path(pathutils.sanitize_path(path))
        if not isinstance(target, (hrefs.CalendarPath, hrefs.EventPath)):
            return None
        if timing is not None and not (isinstance(target, hrefs.CalendarPath) and target.alias):
            return None  # only the `.ics` alias takes them; CalDAV collections stay as they are
        collection_path = f"/{target.key.path}/"
        if not self.readable(environ, collection_path):
            return None
        started = time.perf_counter()
        collection = self._storage.calendar(target.key)
        if collection is None:
            return None
        public = "r" in self._rights.authorization("", set(), collection_path)
        cache_control = f"{'public' if public else 'private'}, max-age={self._max_age}"
        if timing is not None:
            etag, modified = collection.timed_etag(timing), collection.last_modified
            headers = [("ETag", etag), ("Last-Modified", modified), ("Cache-Control", cache_control)]
            if not_modified(environ, etag, modified):
                return self._log(method, path, started, Answer("304 Not Modified", headers + self._extra, []))
            body = collection.render_timed(timing)
            filename = urllib.parse.quote(f"{render.display_name(target.key)}.ics")
            headers.append(("Content-Disposition", f"attachment; filename*=utf-8''{filename}"))
        elif isinstance(target, hrefs.CalendarPath):
            etag, modified = collection.etag, collection.last_modified
            headers = [("ETag", etag), ("Last-Modified", modified), ("Cache-Control", cache_control),
                       ("Vary", "Accept-Encoding")]
            if not_modified(environ, etag, modified):
                return self._log(method, path, started, self._not_modified(environ, collection, headers))
            rendered = collection.render()
            body = rendered.body
            if accepts_gzip(environ):
                body = rendered.gzipped()
                headers.append(("Content-Encoding", "gzip"))
            filename = urllib.parse.quote(f"{render.display_name(target.key)}.ics")
            headers.append(("Content-Disposition", f"attachment; filename*=utf-8''{filename}"))
        else:
            item = next(iter(collection.get_multi([target.name])))[1]
            if item is None:
                return None
            etag, modified = item.etag, item.last_modified or ""
            headers = [("ETag", etag), ("Last-Modified", modified), ("Cache-Control", cache_control)]
            body = item.serialize().encode("utf-8")
            if not_modified(environ, etag, modified):
                headers.append(("Content-Length", str(len(body))))
                return self._log(method, path, started, Answer("304 Not Modified", headers + self._extra, []))
        headers += [("Content-Type", CALENDAR_TYPE), ("Content-Length", str(len(body)))]
        answer = Answer("200 OK", headers + self._extra, [] if method == "HEAD" else [body])
        return self._log(method, path, started, answer)

    def readable(self, environ: Mapping[str, Any], collection_path: str) -> bool:
        """Whether Radicale would let this request's user read the collection, known without a
        password check (else False: Radicale decides)."""
        user = self._user(environ)
        return user is not None and "r" in self._rights.authorization(user, set(), collection_path)

    def _not_modified(self, environ: Mapping[str, Any], collection: CalendarCollection,
                      headers: list[tuple[str, str]]) -> Answer:
        # No Content-Length: waitress drops it from a 304 anyway (`settlecal serve` keeps the
        # connection open without one, serve.py), and on a connection that then closes (gunicorn,
        # keepalive 0) it makes http-parser clients such as wrk wait for a body that never comes.
        return Answer("304 Not Modified", headers + self._extra, [])

    def _user(self, environ: Mapping[str, Any]) -> str | None:
        """The user Radicale would see, when that needs no password check; else None."""
        header = environ.get("HTTP_AUTHORIZATION")
        if not header:
            return "" if self._auth_type in _HEADER_AUTH | {"none"} else None
        if self._auth_type != "none":
            return None
        login = login_of(environ)
        if login is None:
            return None
        return login if pathutils.is_safe_path_component(login) else ""

    @staticmethod
    def _log(method: str, path: str, started: float, answer: Answer) -> Answer:
        logger.info("%s response status for %r in %.4f seconds: %s (settlecal)",
                    method, path, time.perf_counter() - started, answer.status)
        return answer


def _timing(query: str) -> tuple[Timing, Answer | None]:
    """The options of a timed `.ics` link, or a 400 saying what is wrong with them."""
    chosen, problems = filters.parse(query)
    wrong = [problem for problem in problems if problem.parameter in TIMING_PARAMETERS]
    if wrong:
        text = "".join(f"{p.parameter}={p.value!r}: {_EXPECTED[p.parameter]}\n" for p in wrong).encode()
        headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(text)))]
        return Timing(), Answer("400 Bad Request", headers, [text])
    return Timing(chosen.timed, chosen.alarm), None


def accepts_gzip(environ: Mapping[str, Any]) -> bool:
    accepted = environ.get("HTTP_ACCEPT_ENCODING", "")
    for coding in accepted.split(","):
        name, _, params = coding.strip().partition(";")
        if name.strip().lower() == "gzip":
            return params.replace(" ", "").lower() not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False
