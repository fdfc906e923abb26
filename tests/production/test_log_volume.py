"""One request's repeated warnings are one line and a count, not one line each (issue 16: a multiget of
50,000 bad hrefs wrote 50,000 WARNING lines, 9.1 MB of log)."""

from __future__ import annotations

import logging
import pathlib

import pytest
from sqlalchemy import Engine

from caldav_plugin.wsgi import make_application
from tests.protocol.client import WsgiClient, multiget


def test_a_multiget_of_fifty_thousand_bad_hrefs_logs_two_lines(
    loaded: Engine, database_url: str, caplog: pytest.LogCaptureFixture, tmp_path: pathlib.Path
) -> None:
    larger = tmp_path / "radicale.conf"
    larger.write_text("[server]\nmax_content_length = 3000000\n")  # the edge's 1 MB would refuse the body
    client = WsgiClient(make_application(larger, database_url=database_url))
    body = multiget(*(f"/x{n}" for n in range(50_000)))
    caplog.clear()  # what the application said as it started
    with caplog.at_level(logging.WARNING, logger="radicale"):
        answer = client.request("REPORT", "/bsp/es-eur-monthly/", headers={"Depth": "1"}, body=body)
    assert answer.status == 207
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 2, warnings[:5]
    assert warnings[0].startswith("Skipping invalid path '/x") and "in REPORT request" in warnings[0]
    assert warnings[1].endswith("(and 49999 more like it in this request, not logged)")
    assert sum(map(len, warnings)) < 1000


def test_different_warnings_and_later_requests_are_each_logged(
    loaded: Engine, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    client = WsgiClient(make_application(database_url=database_url))
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="radicale"):
        for _ in range(2):
            client.request("REPORT", "/bsp/es-eur-monthly/", headers={"Depth": "1"}, body=multiget("/x"))
    warnings = [record.getMessage() for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(warnings) == 2 and all(w.startswith("Skipping invalid path '/x'") for w in warnings)
