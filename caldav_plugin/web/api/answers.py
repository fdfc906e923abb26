"""The JSON API's HTTP answers: JSON with ETag, cache and CORS headers; 304; problem details.

The one place where the core's typed errors (settlecal/api/errors.py) become statuses and codes.
"""

from __future__ import annotations

import http
from collections.abc import Iterable
from typing import Final

from radicale import types as radicale_types

from settlecal.api import errors
from settlecal.api.encode import to_json
from settlecal.api.resources import Problem, ProblemCode
from caldav_plugin.web.api.openapi import JSON, PROBLEM, REVISION_HEADER

ALLOWED: Final = "GET, HEAD, OPTIONS"
CORS: Final = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": f"ETag, Link, {REVISION_HEADER}",
}
# Radicale compresses an answer when the client accepts gzip.
_COMMON: Final = {"Vary": "Accept-Encoding", "X-Content-Type-Options": "nosniff", **CORS}
# Each error class: its status and code, most specific first.
_STATUS: Final[tuple[tuple[type[errors.ApiError], int, ProblemCode], ...]] = (
    (errors.CursorInvalid, 400, "invalid_cursor"),
    (errors.ParameterInvalid, 400, "invalid_parameter"),
    (errors.ParameterUnknown, 400, "unknown_parameter"),
    (errors.SinceInFuture, 400, "since_in_future"),
    (errors.CursorStale, 410, "cursor_stale"),
    (errors.ReleaseUnknown, 404, "not_found"),
    (errors.EndpointUnknown, 404, "not_found"),
    (errors.QueryTooLong, 414, "query_too_long"),
)


def ok(body: bytes, etag: str, max_age: int, next_url: str | None = None) -> radicale_types.WSGIResponse:
    headers = {"Content-Type": JSON, **_cached(etag, max_age)}
    if next_url is not None:
        headers["Link"] = f'<{next_url}>; rel="next"'
    return 200, headers, body, None


def not_modified(etag: str, max_age: int) -> radicale_types.WSGIResponse:
    return 304, _cached(etag, max_age), None, None


def problem(error: errors.ApiError, revision: int | None) -> radicale_types.WSGIResponse:
    status, code = next((status, code) for kind, status, code in _STATUS if isinstance(error, kind))
    headers, body = problem_parts(status, code, str(error), error.parameter, revision)
    return status, headers, body, None


def problem_parts(status: int, code: ProblemCode, detail: str, parameter: str | None,
                  revision: int | None) -> tuple[dict[str, str], bytes]:
    """The headers and body of a problem answer."""
    body = Problem("about:blank", phrase(status), status, code, detail, parameter, revision)
    headers = {"Content-Type": PROBLEM, "Cache-Control": "no-store", **_COMMON}
    if status == 405:
        headers["Allow"] = ALLOWED
    return headers, to_json(body)


def phrase(status: int) -> str:
    return http.HTTPStatus(status).phrase


def fresh(if_none_match: str | None, etag: str) -> bool:
    """Whether the client holds this answer (If-None-Match, weak comparison, RFC 9110 §13.1.2).

    `*` is left out: it would also match an answer that is about to be a 404.
    """
    return etag.removeprefix("W/") in _tags(if_none_match)


def _tags(header: str | None) -> Iterable[str]:
    return {tag.strip().removeprefix("W/") for tag in (header or "").split(",") if tag.strip()}


def _cached(etag: str, max_age: int) -> dict[str, str]:
    return {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", **_COMMON}
