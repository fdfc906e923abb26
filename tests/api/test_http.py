"""The API over HTTP: ETag/304, cache and CORS headers, HEAD, OPTIONS, 405, and a clear 4xx with a
stable code for everything a stranger can send: never a 5xx."""

from __future__ import annotations

import base64
import gzip
import json
import pathlib
from typing import Any

import pytest
from sqlalchemy import Engine

from caldav_plugin.wsgi import make_application
from settlecal.api import cursor
from tests.api.conftest import API, get
from tests.production.test_access import private_config
from tests.protocol.client import WsgiClient

CORS = {"access-control-allow-origin": "*", "access-control-expose-headers": "ETag, Link, X-Settlecal-Revision"}


def test_an_etag_and_304_until_a_release(api: WsgiClient) -> None:
    first, body = get(api, "/calendars?system=BSP")
    etag = first.headers["etag"]

    again, _ = get(api, "/calendars?system=BSP", **{"If-None-Match": etag})
    listed, _ = get(api, "/calendars?system=BSP", **{"If-None-Match": f'"other", {etag.removeprefix("W/")}'})
    other_query, _ = get(api, "/calendars?system=CASS", **{"If-None-Match": etag})

    assert etag.startswith('W/"') and first.headers["cache-control"] == "public, max-age=300"
    assert (again.status, again.body, again.headers["etag"]) == (304, b"", etag)
    assert again.headers["x-settlecal-revision"] == str(body["revision"])
    assert CORS.items() <= again.headers.items()
    assert listed.status == 304
    assert other_query.status == 200


def test_a_star_is_no_etag_of_a_missing_release(api: WsgiClient) -> None:
    assert get(api, "/releases/99", **{"If-None-Match": "*"})[0].status == 404


def test_the_same_question_gets_the_same_bytes(api: WsgiClient) -> None:
    first, _ = get(api, "/key-dates?country=ES&limit=50")
    second, _ = get(api, "/key-dates?country=ES&limit=50")

    assert first.body == second.body and first.headers["etag"] == second.headers["etag"]


def test_json_with_cors_and_the_revision(api: WsgiClient) -> None:
    answer, body = get(api, "/key-dates?limit=2")

    assert answer.headers["content-type"] == "application/json"
    assert CORS.items() <= answer.headers.items()
    assert "access-control-allow-credentials" not in answer.headers
    assert answer.headers["x-settlecal-revision"] == str(body["revision"]) == "4"
    assert answer.headers["link"] == f'<{body["next"]}>; rel="next"'


def test_head_is_get_without_the_body(api: WsgiClient) -> None:
    got = api.request("GET", f"{API}/calendars")
    head = api.request("HEAD", f"{API}/calendars")

    assert head.status == 200 and head.body == b""
    assert {k: v for k, v in head.headers.items()} == {k: v for k, v in got.headers.items()}
    assert int(head.headers["content-length"]) == len(got.body)


def test_a_cors_preflight(api: WsgiClient) -> None:
    answer = api.request("OPTIONS", f"{API}/key-dates", headers={
        "Origin": "https://backoffice.example", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "if-none-match"})

    assert answer.status == 204
    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["access-control-allow-methods"] == "GET, HEAD, OPTIONS"
    assert answer.headers["access-control-allow-headers"] == "If-None-Match"
    assert answer.headers["allow"] == "GET, HEAD, OPTIONS"
    assert "access-control-allow-credentials" not in answer.headers


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "PROPFIND", "MKCALENDAR", "FROBNICATE"])
def test_nothing_but_reads(api: WsgiClient, method: str) -> None:
    answer = api.request(method, f"{API}/releases", body=b'{"action": "rollback"}')

    problem = json.loads(answer.body)
    assert (answer.status, answer.headers["allow"], problem["code"]) == (405, "GET, HEAD, OPTIONS",
                                                                       "method_not_allowed")
    assert get(api, "/releases")[1]["revision"] == 4


def _forged(position: list[Any], revision: Any = 0, version: Any = 1) -> str:
    digest = cursor.query_digest("/releases", "&since=0")
    raw = json.dumps([version, digest, revision, position]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


ERRORS = [
    ("/calendars?frequncy=monthly", 400, "unknown_parameter", "frequncy"),
    ("/calendars?lang=es", 400, "unknown_parameter", "lang"),
    ("/calendars?month=2026-01", 400, "unknown_parameter", "month"),
    ("/calendars?=x", 400, "unknown_parameter", ""),
    ("/calendars?system=XYZ", 400, "invalid_parameter", "system"),
    ("/calendars?system=BSP&system=CASS", 400, "invalid_parameter", "system"),
    ("/calendars?country=", 400, "invalid_parameter", "country"),
    ("/calendars?country=Atlantis", 400, "invalid_parameter", "country"),
    ("/calendars?currency=QQQ", 400, "invalid_parameter", "currency"),
    ("/calendars?country=%00", 400, "invalid_parameter", "country"),
    ("/calendars?country=%ED%A0%80", 400, "invalid_parameter", "country"),
    ("/key-dates?kind=remitance", 400, "invalid_parameter", "kind"),
    ("/key-dates?kind=remittance,", 400, "invalid_parameter", "kind"),
    ("/key-dates?limit=0", 400, "invalid_parameter", "limit"),
    ("/key-dates?limit=1001", 400, "invalid_parameter", "limit"),
    ("/key-dates?limit=1e3", 400, "invalid_parameter", "limit"),
    ("/key-dates?limit=%EF%BC%95", 400, "invalid_parameter", "limit"),  # a full-width 5
    ("/key-dates?limit=-1", 400, "invalid_parameter", "limit"),
    ("/key-dates?from=2026-02-30", 400, "invalid_parameter", "from"),
    ("/key-dates?from=2026-03-01&to=2026-02-01", 400, "invalid_parameter", "to"),
    ("/key-dates?cursor=!!!", 400, "invalid_cursor", "cursor"),
    ("/key-dates?cursor=" + "A" * 600, 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([2], version=2), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([2**63]), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([2**31]), 400, "invalid_cursor", "cursor"),  # past PostgreSQL's integer
    ("/releases?cursor=" + _forged([-1]), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([2.0]), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([True]), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([[[[2]]]]), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([2, 3]), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + _forged([2], revision="x"), 400, "invalid_cursor", "cursor"),
    ("/releases?cursor=" + base64.urlsafe_b64encode(b"\xff\xfe").decode().rstrip("="), 400, "invalid_cursor",
     "cursor"),
    ("/changes?since=-1", 400, "invalid_parameter", "since"),
    ("/changes?since=99999999999999999999", 400, "invalid_parameter", "since"),
    ("/changes?since=2147483648", 400, "invalid_parameter", "since"),
    ("/changes?since=2147483647", 400, "since_in_future", "since"),
    ("/changes?since=5", 400, "since_in_future", "since"),
    ("/releases/0", 404, "not_found", None),
    ("/releases/abc", 404, "not_found", None),
    ("/releases/007", 404, "not_found", None),
    ("/releases/%EF%BC%99", 404, "not_found", None),  # a full-width 9
    ("/releases/99", 404, "not_found", None),
    ("/releases/2147483647", 404, "not_found", None),
    ("/releases/2147483648", 404, "not_found", None),
    ("/releases/9223372036854775807", 404, "not_found", None),
    ("/releases/9223372036854775808", 404, "not_found", None),
    ("/releases/" + "9" * 5000, 404, "not_found", None),
    ("/releases/1/", 404, "not_found", None),
    ("/calendars/", 404, "not_found", None),
    ("/nothing", 404, "not_found", None),
    ("/.web/api", 404, "not_found", None),
    ("/.web/api/v2/calendars", 404, "not_found", None),
    ("/.web/api/v1/releases/1\x1b[2J", 404, "not_found", None),
    ("/calendars?system=" + "B" * 3000, 414, "query_too_long", None),
]


@pytest.mark.parametrize(("path", "status", "code", "parameter"), ERRORS, ids=[path[:60] for path, *_ in ERRORS])
def test_a_clear_error_for_what_a_stranger_sends(api: WsgiClient, path: str, status: int, code: str,
                                                 parameter: str | None) -> None:
    answer, problem = get(api, path)

    assert (answer.status, problem["code"], problem["parameter"]) == (status, code, parameter)
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["cache-control"] == "no-store"
    assert CORS.items() <= answer.headers.items()
    assert problem["status"] == status and problem["type"] == "about:blank"
    assert problem["revision"] == int(answer.headers["x-settlecal-revision"]) == 4
    assert len(problem["detail"]) < 400, "a message repeats a short part of what was sent"


def test_a_cursor_serves_only_its_own_query(api: WsgiClient) -> None:
    _, spain = get(api, "/key-dates?country=ES&limit=5")

    answer, problem = get(api, f"/key-dates?country=FR&limit=5&cursor={spain['next_cursor']}")
    other_limit, _ = get(api, f"/key-dates?country=ES&limit=7&cursor={spain['next_cursor']}")

    assert (answer.status, problem["code"]) == (400, "invalid_cursor")
    assert other_limit.status == 200, "the page size may change from page to page"


@pytest.mark.parametrize("host", ["evil.example\r\nSet-Cookie: x=1", "evil.example\n", "a b", "évil.example"])
def test_links_never_carry_a_forged_host(api: WsgiClient, host: str) -> None:
    answer, body = get(api, "/key-dates?country=JP&limit=1", Host=host)

    assert body["next"].startswith("http://127.0.0.1:5232/.web/api/v1/key-dates?")
    assert answer.headers["link"].startswith("<http://127.0.0.1:5232/")


def test_gzip_for_clients_that_take_it(api: WsgiClient) -> None:
    plain = api.request("GET", f"{API}/key-dates?limit=20")
    zipped = api.request("GET", f"{API}/key-dates?limit=20", headers={"Accept-Encoding": "gzip, br"})
    refused = api.request("GET", f"{API}/key-dates?limit=20", headers={"Accept-Encoding": "gzip;q=0"})

    assert zipped.headers["content-encoding"] == "gzip" and zipped.headers["vary"] == "Accept-Encoding"
    assert gzip.decompress(zipped.body) == plain.body and len(zipped.body) < len(plain.body) / 4
    assert zipped.headers["etag"] == plain.headers["etag"]
    assert "content-encoding" not in plain.headers and "content-encoding" not in refused.headers


def test_a_private_server_has_no_api(loaded: Engine, database_url: str, tmp_path: pathlib.Path) -> None:
    """Like the page, the API has no login: where the page is off, so is the API."""
    private = WsgiClient(make_application(private_config(tmp_path), database_url=database_url))

    for method in ("GET", "OPTIONS"):
        answer = private.request(method, f"{API}/calendars")
        assert "json" not in answer.headers.get("content-type", "") and b"es-eur" not in answer.body
        assert "access-control-allow-origin" not in answer.headers
