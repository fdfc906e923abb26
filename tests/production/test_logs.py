"""The server's log: one stream of JSON lines (access records and Radicale's own alike), an access log
file that follows logrotate, and client addresses from X-Forwarded-For of trusted proxies only."""

from __future__ import annotations

import ipaddress
import json
import pathlib

import requests
from sqlalchemy import Engine

from bench.servers import settlecal_serve
from caldav_plugin.edge.access_log import client_address
from tests.production.test_faults import wait_for

PROXY = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("::1/128"))


def test_client_address_from_trusted_proxies_only() -> None:
    forwarded = {"HTTP_X_FORWARDED_FOR": "203.0.113.7, 10.1.2.3"}

    assert client_address({"REMOTE_ADDR": "10.9.9.9", **forwarded}, PROXY) == "203.0.113.7"
    assert client_address({"REMOTE_ADDR": "198.51.100.1", **forwarded}, PROXY) == "198.51.100.1"  # not a proxy
    assert client_address({"REMOTE_ADDR": "10.9.9.9", **forwarded}, ()) == "10.9.9.9"
    # A client cannot hide behind an address it writes itself: the nearest untrusted hop is the client.
    spoofed = {"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_FOR": "1.1.1.1, 203.0.113.7"}
    assert client_address(spoofed, PROXY) == "203.0.113.7"
    assert client_address({"REMOTE_ADDR": "::1", "HTTP_X_FORWARDED_FOR": "not-an-address"}, PROXY) == "::1"


def test_one_stream_of_json_lines_with_forwarded_addresses(loaded: Engine, database_url: str) -> None:
    env = {"SETTLECAL_TRUSTED_PROXIES": "127.0.0.1"}
    with settlecal_serve(database_url, env=env) as server:
        requests.get(server.url + "/bsp/es-eur-monthly.ics", headers={"X-Forwarded-For": "203.0.113.7"}, timeout=30)
        requests.get(server.url + "/no/such/calendar.ics", timeout=30)
        requests.request("PROPFIND", server.url + "/bsp/", headers={"Depth": "1"}, auth=("bsp", "x"), timeout=30)
        wait_for(lambda: server.log.count('"method": ') >= 3, "three access records")
    lines = [line for line in server.lines if not line.startswith("Serving settlement calendars on")]
    records = [json.loads(line) for line in lines]  # every line is JSON

    access = [record for record in records if record["logger"] == "settlecal.access"]
    assert [(record["method"], record["remote"]) for record in access] == [
        ("GET", "203.0.113.7"), ("GET", "127.0.0.1"), ("PROPFIND", "127.0.0.1")]
    assert any(record["logger"] == "radicale" for record in records)
    assert all({"time", "level", "logger"} <= set(record) for record in records)


def test_the_access_log_file_follows_logrotate(loaded: Engine, database_url: str, tmp_path: pathlib.Path) -> None:
    log = tmp_path / "access.log"
    with settlecal_serve(database_url, env={"SETTLECAL_ACCESS_LOG": str(log)}) as server:
        requests.get(server.url + "/bsp/es-eur-monthly.ics", timeout=30)
        wait_for(lambda: log.exists() and log.read_text().count("\n") == 1, "the first access line")
        log.rename(tmp_path / "access.log.1")  # what logrotate does, without copytruncate or a signal
        requests.get(server.url + "/bsp/es-eur-monthly/", timeout=30)
        wait_for(lambda: log.exists() and log.read_text().count("\n") == 1, "the next line in a new file")
    assert json.loads(log.read_text())["path"] == "/bsp/es-eur-monthly/"
    assert json.loads((tmp_path / "access.log.1").read_text())["path"] == "/bsp/es-eur-monthly.ics"
    assert '"settlecal.access"' not in server.log  # the access lines went to the file only
