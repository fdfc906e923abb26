"""The JSON API's HTTP answers: JSON with ETag, cache and CORS headers; 304; the CORS preflight; problem
details. The one place where the core's typed errors (settlecal/api/errors.py) become statuses and codes.
"""

from __future__ import annotations

import gzip
import http
from collections.abc import Mapping
from typing import Any, Final

from caldav_plugin import etags
from caldav_plugin.http import Answer, accepts_gzip
from caldav_plugin.edge.answers import REVISION_HEADER
from caldav_plugin.web.api.openapi import JSON, PROBLEM
from settlecal.api import errors
from settlecal.api.encode import to_json
from settlecal.api.resources import Problem, ProblemCode

ALLOWED: Final = "GET, HEAD, OPTIONS"
PREFLIGHT_MAX_AGE: Final = 86400
CORS: Final = (
    ("Access-Control-Allow-Origin", "*"),
    ("Access-Control-Expose-Headers", f"ETag, Link, {REVISION_HEADER}"),
)
_COMMON: Final = (("X-Content-Type-Options", "nosniff"), *CORS)
# Smaller answers are not worth compressing.
_GZIP_FROM: Final = 1024
# Each error class: its status and code, most specific first.
STATUS: Final[tuple[tuple[type[errors.ApiError], int, ProblemCode], ...]] = (
    (errors.CursorInvalid, 400, "invalid_cursor"),
    (errors.ParameterInvalid, 400, "invalid_parameter"),
    (errors.ParameterUnknown, 400, "unknown_parameter"),
    (errors.SinceInFuture, 400, "since_in_future"),
    (errors.CursorStale, 410, "cursor_stale"),
    (errors.ReleaseUnknown, 404, "not_found"),
    (errors.EndpointUnknown, 404, "not_found"),
    (errors.QueryTooLong, 414, "query_too_long"),
)

Headers = list[tuple[str, str]]


def ok(environ: Mapping[str, Any], body: bytes, etag: str, max_age: int, next_url: str | None = None) -> Answer:
    """200 with the JSON, gzipped for clients that take it (a page of key dates shrinks tenfold); the weak
    ETag names both forms."""
    headers = [("Content-Type", JSON), *_cached(etag, max_age)]
    if next_url is not None:
        headers.append(("Link", f'<{next_url}>; rel="next"'))
    if len(body) >= _GZIP_FROM and accepts_gzip(environ):
        headers.append(("Content-Encoding", "gzip"))
        body = gzip.compress(body, mtime=0)  # no time stamp: the same answer, the same bytes
    return _answer(200, headers, body)


def not_modified(etag: str, max_age: int) -> Answer:
    return _answer(304, _cached(etag, max_age), b"")


def problem(error: errors.ApiError, revision: int) -> Answer:
    status, code = next((status, code) for kind, status, code in STATUS if isinstance(error, kind))
    return _problem(status, code, str(error), error.parameter, revision)


def method_not_allowed(method: str, revision: int) -> Answer:
    detail = f"{method[:20]} is not allowed: the API only reads (GET, HEAD, OPTIONS)"
    answer = _problem(405, "method_not_allowed", detail, None, revision)
    answer.headers.append(("Allow", ALLOWED))
    return answer


def preflight() -> Answer:
    """OPTIONS: what may be asked, for a CORS preflight or anyone else."""
    return _answer(204, [
        ("Allow", ALLOWED), ("Access-Control-Allow-Methods", ALLOWED),
        ("Access-Control-Allow-Headers", "If-None-Match"), ("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE)),
        *CORS,
    ], b"")


def fresh(if_none_match: str | None, etag: str) -> bool:
    """Whether the client holds this answer (If-None-Match, weak comparison, RFC 9110 §13.1.2).

    `*` is left out: it would also match an answer that is about to be a 404.
    """
    return etag.removeprefix("W/") in etags.tags(if_none_match)


def _problem(status: int, code: ProblemCode, detail: str, parameter: str | None, revision: int) -> Answer:
    body = Problem("about:blank", http.HTTPStatus(status).phrase, status, code, detail, parameter, revision)
    return _answer(status, [("Content-Type", PROBLEM), ("Cache-Control", "no-store"), *_COMMON], to_json(body))


def _answer(status: int, headers: Headers, body: bytes) -> Answer:
    if status not in (204, 304):
        headers.append(("Content-Length", str(len(body))))
    return Answer(f"{status} {http.HTTPStatus(status).phrase}", headers, [body] if body else [])


def _cached(etag: str, max_age: int) -> Headers:
    return [("ETag", etag), ("Cache-Control", f"public, max-age={max_age}"), ("Vary", "Accept-Encoding"), *_COMMON]
