"""What operators rely on, in-process: the health endpoint, the revision header, the access log, and
503 + Retry-After (never a 500) when the database fails inside a request."""

from __future__ import annotations

import json
import logging
import pathlib
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from caldav_plugin.edge import access_log, health
from caldav_plugin.edge.settings import DEFAULT_RETRY_AFTER
from settlecal.db import queries
from settlecal.db.schema import head
from settlecal.version import version
from caldav_plugin.wsgi import make_application
from tests.protocol.client import Client, WsgiClient, propfind, sync_collection
from tests.protocol.conftest import Importer


@pytest.fixture
def dav(loaded: Engine, database_url: str) -> WsgiClient:
    return WsgiClient(make_application(database_url=database_url))


def test_health_reports_the_served_revision(dav: Client, reimport: Importer, amendment: pathlib.Path) -> None:
    answer = dav.request("GET", "/.web/health")
    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["cache-control"] == "no-store"
    assert json.loads(answer.body) == {"status": "ok", "revision": 1, "database": "ok", "schema": head(),
                                       "schema_expected": head(), "writes": "ok", "version": version()}
    reimport(amendment)
    assert json.loads(dav.request("GET", "/.web/health").body)["revision"] == 2
    assert dav.request("HEAD", "/.web/health").status == 200
    assert dav.request("POST", "/.web/health").status == 405


def test_every_read_carries_the_revision(dav: Client, reimport: Importer, amendment: pathlib.Path) -> None:
    reads = [
        ("GET", "/bsp/es-eur-monthly.ics", {}, ""),
        ("GET", "/bsp/es-eur-monthly/", {}, ""),
        ("PROPFIND", "/bsp/", {"Depth": "1"}, propfind("D:displayname")),
        ("REPORT", "/bsp/es-eur-monthly/", {}, sync_collection()),
        ("OPTIONS", "/", {}, ""),
        ("GET", "/.web/", {}, ""),
    ]
    for method, path, headers, body in reads:
        assert dav.request(method, path, headers=headers, body=body).headers["x-settlecal-revision"] == "1"
    etag = dav.request("GET", "/bsp/es-eur-monthly.ics").headers["etag"]
    not_modified = dav.request("GET", "/bsp/es-eur-monthly.ics", headers={"If-None-Match": etag})
    assert not_modified.status == 304 and not_modified.headers["x-settlecal-revision"] == "1"
    reimport(amendment)
    for method, path, headers, body in reads:
        assert dav.request(method, path, headers=headers, body=body).headers["x-settlecal-revision"] == "2"


def test_access_log_is_one_json_line_without_secrets(dav: Client, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger=access_log.ACCESS_LOGGER)
    dav.request("GET", "/bsp/es-eur-monthly.ics", headers={"Authorization": "Basic YnNwOmh1bnRlcjI="})
    dav.request("GET", "/.web/?system=BSP&token=s3cr3t-t0ken&api_key=k3y&lang=es")
    dav.request("PUT", "/bsp/es-eur-monthly/x.ics", body="BEGIN:VCALENDAR")
    lines = [r.getMessage() for r in caplog.records if r.name == access_log.ACCESS_LOGGER]
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    first, page, write = records
    assert set(first) == {"time", "remote", "method", "path", "status", "bytes", "duration_ms", "revision"}
    assert (first["method"], first["path"], first["status"], first["revision"]) == (
        "GET", "/bsp/es-eur-monthly.ics", 200, 1)
    assert first["bytes"] > 1000 and first["duration_ms"] >= 0
    assert page["path"] == "/.web/?system=BSP&token=***&api_key=***&lang=es"
    assert (write["status"], write["revision"]) == (403, None)
    everything = "\n".join(r.getMessage() for r in caplog.records)
    for secret in ("s3cr3t-t0ken", "k3y", "YnNwOmh1bnRlcjI=", "hunter2"):
        assert secret not in everything


def test_database_failure_before_radicale_is_503(dav: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def unreachable(session: object) -> int:
        raise OperationalError("SELECT max(id)", {}, Exception("connection refused"))

    monkeypatch.setattr(queries, "current_revision", unreachable)
    for method, path in (("GET", "/bsp/es-eur-monthly.ics"), ("PROPFIND", "/bsp/"), ("GET", "/.web/health")):
        answer = dav.request(method, path, headers={"Depth": "1"})
        assert answer.status == 503, (method, path)
        assert answer.headers["retry-after"] == str(DEFAULT_RETRY_AFTER)
        assert b"Traceback" not in answer.body and b"SELECT" not in answer.body
    assert json.loads(dav.request("GET", "/.web/health").body)["database"] == "unreachable"


def test_database_failure_inside_radicale_is_503_not_500(dav: Client, monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture) -> None:
    # A real driver error raised through the engine while Radicale is answering a PROPFIND: on
    # PostgreSQL the server ends the request's own connection, on SQLite the database "loses" a table.
    def broken(session: Any, *args: object) -> list[object]:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        session.execute(text("SELECT * FROM no_such_table"))
        return []

    monkeypatch.setattr(queries, "calendar_states", broken)
    caplog.set_level(logging.INFO)
    answer = dav.request("PROPFIND", "/bsp/", headers={"Depth": "1"}, body=propfind("D:displayname"))
    assert answer.status == 503
    assert "retry-after" in answer.headers
    assert b"no_such_table" not in answer.body
    # One WARNING line, without SQL; none of Radicale's ERROR traceback and CRITICAL "500" lines.
    assert [r.levelname for r in caplog.records if r.levelno >= logging.ERROR] == []
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and "unavailable" in r.getMessage()]
    assert warning.startswith("PROPFIND '/bsp/': database unavailable (") and "SELECT" not in warning


def test_a_bug_is_a_short_500_without_a_traceback(dav: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def bug(*args: object, **kwargs: object) -> None:
        raise KeyError("internal detail /srv/secret/path")

    monkeypatch.setattr(health, "revision", bug)
    answer = dav.request("GET", "/bsp/es-eur-monthly.ics")
    assert answer.status == 500
    assert answer.body == b"500 Internal Server Error\n"
