"""The OpenAPI 3.1 document of the JSON API, built from the route table, the parameters' own
descriptions (settlecal/api/parameters.py) and the answers' dataclasses (settlecal/api/schema.py).

Served at `/.web/api/v1/openapi.json`, rendered into docs/api.md (reference.py), and the source of the
property-based tests (tests/api/test_schemathesis.py): what the code answers and what the document says
cannot drift apart without a test failing.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Sequence
from typing import Any, Final

from caldav_plugin.edge.answers import REVISION_HEADER  # the WSGI entry adds it to every answer
from caldav_plugin.web.api.table import MAX_ID, Route
from settlecal.api.parameters import Parameter
from settlecal.api.resources import Problem
from settlecal.api.schema import component_schemas, reference

JSON: Final = "application/json"
PROBLEM: Final = "application/problem+json"
# The answers beside 200 that every route may give, by status: (component name, description).
COMMON: Final = {
    "304": ("NotModified", "Not modified: the `If-None-Match` header named this answer's ETag."),
    "400": ("BadRequest", "A parameter the endpoint does not take, or a value that names nothing "
                          "(`unknown_parameter`, `invalid_parameter`, `invalid_cursor`, `since_in_future`)."),
    "414": ("QueryTooLong", "The query string is longer than any this API needs (`query_too_long`)."),
    "503": ("Unavailable", "The database cannot be reached; try again after `Retry-After` seconds."),
}
SPECIFIC: Final = {
    "404": ("NotFound", "No such release (`not_found`)."),
    "410": ("CursorStale", "The calendars changed since the first page of this pagination (`cursor_stale`): "
                           "start again without a cursor."),
}
DESCRIPTION: Final = """\
Settlement calendars (IATA BSP and CASS) as JSON, read-only, for back-office systems.

- Every answer is read in one database snapshot and says which global `revision` it was read at
  (in its body and in the `X-Settlecal-Revision` header). Each import or rollback makes a revision.
- Every 200 has an ETag: send it back in `If-None-Match` and get 304 until a release changes it.
- Lists are paginated with opaque cursors (`limit`, `cursor`, `next_cursor`, `next` and a
  `Link: <…>; rel="next"` header), in a stable order, without OFFSET.
- Errors are RFC 9457 problem details with a stable `code`; parameters an endpoint does not take are
  refused (400 `unknown_parameter`), never ignored.
- CORS: any origin may GET, without credentials.
"""


def document(routes: Sequence[Route], base: str = "") -> dict[str, Any]:
    """The document, with the server at `base` + `/.web/api/v1` (`base`: a proxy's path prefix)."""
    answers = [route.answer for route in routes if route.answer is not None]
    return {
        "openapi": "3.1.0",
        "info": {"title": "settlecal JSON API", "version": f"1 ({importlib.metadata.version('settlecal')})",
                 "description": DESCRIPTION,
                 "license": {"name": "GPL-3.0-or-later", "identifier": "GPL-3.0-or-later"}},
        "servers": [{"url": f"{base}/.web/api/v1"}],
        "paths": {route.path: {"get": _operation(route)} for route in routes},
        "components": {
            "schemas": component_schemas(*answers, Problem),
            "parameters": _parameters(routes),
            "headers": _HEADERS,
            "responses": {name: _response(status, description)
                          for status, (name, description) in {**COMMON, **SPECIFIC}.items()},
        },
    }


def _operation(route: Route) -> dict[str, Any]:
    parameters = [{"$ref": f"#/components/parameters/{name}"}
                  for name in (*route.path_names, *(p.name for p in route.parameters), "If-None-Match")]
    content = {"schema": reference(route.answer) if route.answer else {"type": "object"}}
    ok: dict[str, Any] = {"description": "OK", "headers": _headers(route), "content": {JSON: content}}
    if route.follow:
        ok["links"] = {name: dict(link) for name, link in route.follow.items()}
    statuses = {**COMMON, **{str(status): SPECIFIC[str(status)] for status in route.errors}}
    responses = {"200": ok, **{status: {"$ref": f"#/components/responses/{name}"}
                               for status, (name, _) in sorted(statuses.items())}}
    return {"operationId": route.operation_id, "summary": route.summary, "description": route.description,
            "parameters": parameters, "responses": responses}


def _headers(route: Route) -> dict[str, Any]:
    names = ["ETag", "Cache-Control", REVISION_HEADER, "Access-Control-Allow-Origin"]
    if route.follow and "next" in route.follow:
        names.append("Link")
    return {name: {"$ref": f"#/components/headers/{name}"} for name in names}


def _parameters(routes: Iterable[Route]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "release_id": {"name": "release_id", "in": "path", "required": True, "description": "A release id.",
                       "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID}},
        "If-None-Match": {"name": "If-None-Match", "in": "header", "required": False,
                          "description": "The ETag of an answer you hold: 304 while it is current.",
                          "schema": {"type": "string"}},
    }
    for route in routes:
        for parameter in route.parameters:
            found.setdefault(parameter.name, _query_parameter(parameter))
    return found


def _query_parameter(parameter: Parameter) -> dict[str, Any]:
    described: dict[str, Any] = {"name": parameter.name, "in": "query", "required": False,
                                 "description": parameter.description, "schema": parameter.schema}
    if parameter.multiple:
        described |= {"style": "form", "explode": False}
    return described


def _response(status: str, description: str) -> dict[str, Any]:
    if status == "304":
        return {"description": description, "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}}
    if status == "503":  # the WSGI entry's answer while the database is down, for every path
        return {"description": description, "content": {"text/plain": {"schema": {"type": "string"}}}}
    return {"description": description,
            "headers": {"Access-Control-Allow-Origin": {"$ref": "#/components/headers/Access-Control-Allow-Origin"}},
            "content": {PROBLEM: {"schema": reference(Problem)}}}


_HEADERS: Final = {
    "ETag": {"description": "Names this answer: it changes when a release changes what the answer holds.",
             "required": True, "schema": {"type": "string"}},
    "Cache-Control": {"description": "How long caches may keep the answer before asking again (with the ETag).",
                      "required": True, "schema": {"type": "string"}},
    REVISION_HEADER: {"description": "The global revision the answer was read at (as `revision` in the body).",
                      "required": True, "schema": {"type": "integer", "minimum": 0}},
    "Access-Control-Allow-Origin": {"description": "`*`: any web page may read the answer (no credentials).",
                                    "required": True, "schema": {"type": "string", "const": "*"}},
    "Link": {"description": "`<URL>; rel=\"next\"`: the next page, when there is one.", "required": False,
             "schema": {"type": "string"}},
}
