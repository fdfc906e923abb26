"""Hostile HTTP: every malformed, oversized or sneaky request gets a 4xx (or the ordinary answer when
it is harmless), never a 500, never a stack trace or an internal path in the body, and the calendars
stay as they were. In-process over the WSGI entry, and the raw cases over a real socket."""

from __future__ import annotations

import http.client
import socket
import urllib.parse

import pytest
from sqlalchemy import Engine, func, select

from settlecal.db.snapshot import reading
from settlecal.db.models import KeyDate, Release
from caldav_plugin.wsgi import make_application
from tests.conftest import ROOT
from tests.hostile.http_cases import CASES
from tests.live.conftest import server  # noqa: F401  (the live server fixture)
from tests.protocol.conftest import loaded  # noqa: F401  (what the live server serves)
from tests.protocol.client import Response, WsgiClient

LEAKS = (b"Traceback", b'File "', b".py", str(ROOT).encode(), b"site-packages", b"sqlalchemy", b"psycopg",
         b"sqlite3", b"root:x:0:0")


def assert_clean(response: Response | tuple[int, bytes], expected: frozenset[int], what: str) -> None:
    status, body = (response.status, response.body) if isinstance(response, Response) else response
    assert status < 500, f"{what}: {status} {body[:200]!r}"
    assert status in expected, f"{what}: {status} {body[:200]!r}"
    for leak in LEAKS:
        assert leak not in body, f"{what}: {leak!r} in the body"


def database_state(engine: Engine) -> tuple[int, int]:
    with reading(engine) as session:
        return (session.scalar(select(func.count()).select_from(KeyDate)) or 0,
                session.scalar(select(func.count()).select_from(Release)) or 0)


def test_there_are_many_kinds() -> None:
    assert len(CASES) >= 40


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory) -> tuple[WsgiClient, Engine]:
    """One loaded SQLite database for every in-process case (they change nothing, as asserted)."""
    from settlecal.db.engine import make_engine
    from settlecal.releases.service import import_release
    from settlecal.release_format.file import read_release
    from tests.conftest import SAMPLES

    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'settlecal.sqlite3'}"
    engine = make_engine(url)
    import_release(engine, read_release(SAMPLES / "sample-release.csv"), operator="tests")
    return WsgiClient(make_application(database_url=url)), engine


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_request_in_process(hostile_client: tuple[WsgiClient, Engine], name: str) -> None:
    client, engine = hostile_client
    before = database_state(engine)
    method, path, headers, body, expected = CASES[name]
    assert_clean(client.request(method, path, headers=headers, body=body), expected, name)
    assert database_state(engine) == before


def raw(base: str, request: bytes) -> tuple[int, bytes]:
    """Sends bytes as they are (no client normalises the path or the headers) and reads the answer."""
    address = urllib.parse.urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        response = http.client.HTTPResponse(connection)
        response.begin()
        return response.status, response.read()


RAW = {
    "dot-dot": (b"GET /bsp/../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", None),
    "encoded slash and dots": (b"GET /bsp%2F..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                               None),
    "absolute URI to elsewhere": (b"GET http://169.254.169.254/latest/meta-data/ HTTP/1.1\r\nHost: x\r\n"
                                  b"Connection: close\r\n\r\n", None),
    "Content-Length not a number": (b"PROPFIND /bsp/ HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n"
                                    b"Connection: close\r\n\r\n", None),
    "two Content-Lengths": (b"PROPFIND /bsp/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 5\r\n"
                            b"Connection: close\r\n\r\n<a/>", None),
    "oversized body announced": (b"PROPFIND /bsp/ HTTP/1.1\r\nHost: x\r\nContent-Length: 5000000000\r\n"
                                 b"Connection: close\r\n\r\n<a/>", frozenset({413})),
    "chunked billion laughs": (
        b"PROPFIND /bsp/ HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        + hex(len(CASES["billion laughs"][3])).encode()[2:] + b"\r\n" + str(CASES["billion laughs"][3]).encode()
        + b"\r\n0\r\n\r\n", frozenset({400})),
    "header of 100 KB": (b"GET /bsp/es-eur-monthly.ics HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000
                         + b"\r\nConnection: close\r\n\r\n", frozenset({200, 400, 431})),
    "lower-case method": (b"propfind /bsp/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", None),
    "HTTP/0.9-style request": (b"GET /\r\n\r\n", None),
    "garbage request line": (b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 TLS hello\r\n\r\n", None),
}


@pytest.mark.parametrize("name", list(RAW))
def test_hostile_request_over_a_socket(server: str, name: str) -> None:  # noqa: F811
    request, expected = RAW[name]
    try:
        answer = raw(server, request)
    except (http.client.BadStatusLine, ConnectionError):
        return  # the server hung up: no answer at all is a refusal too
    assert_clean(answer, expected or frozenset(range(200, 500)) - {500}, name)
    if expected is None and answer[0] >= 200:
        # Whatever passed the parser must not have served a file from outside the calendars.
        assert b"BEGIN:VCALENDAR" not in answer[1] or name == "header of 100 KB"


@pytest.mark.parametrize("name", [n for n in CASES if isinstance(CASES[n][3], str) and len(CASES[n][3]) < 100_000
                                  and "\x00" not in CASES[n][1] and "\x1b" not in CASES[n][1]])
def test_hostile_request_through_the_live_server(server: str, name: str) -> None:  # noqa: F811
    method, path, headers, body, expected = CASES[name]
    data = body.encode() if isinstance(body, str) else body
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", f"Content-Length: {len(data)}",
             *(f"{k}: {v}" for k, v in headers.items())]
    answer = raw(server, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + data)
    if answer[0] in (400, 414, 431) and answer[0] not in expected:
        expected = expected | {answer[0]}  # the HTTP server itself may refuse first; still a 4xx
    assert_clean(answer, expected, name)
