"""Static publishing: `settlecal publish` behind Debian's nginx with config/nginx-static.conf serves the
calendars with the server's bytes, its own ETags, 304s on a kept-alive connection and the .gz files,
and proxies CalDAV, the page and anything with a query string to settlecal."""

from __future__ import annotations

import gzip
import http.client
import os
import pathlib
import shutil
import tempfile
import urllib.parse
from collections.abc import Iterator

import pytest
import requests

from bench.nginx import nginx
from bench.servers import settlecal_serve
from tests.conftest import ROOT, SAMPLES, Settlecal

CONFIG = ROOT / "config" / "nginx-static.conf"
CALENDAR = "/bsp/es-eur-monthly.ics"  # one the amendment changes
UNCHANGED = "/cass/de-eur-twice-monthly.ics"


@pytest.fixture
def public() -> Iterator[pathlib.Path]:
    """A folder nginx's unprivileged worker can read (pytest's own are private to root)."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="settlecal-publish-"))
    os.chmod(folder, 0o755)
    yield folder
    shutil.rmtree(folder)


def shipped(port: int, root: pathlib.Path, upstream: str) -> str:
    text = CONFIG.read_text()
    for old, new in (("listen 80;", f"listen 127.0.0.1:{port};"), ("/var/www/settlecal", str(root)),
                     ("server 127.0.0.1:5232;", f"server {upstream};")):
        assert old in text
        text = text.replace(old, new)
    return text


def get(base: str, path: str, **headers: str) -> requests.Response:
    return requests.get(base + path, headers={"Accept-Encoding": "identity", **headers}, timeout=30)


def test_nginx_serves_published_calendars_and_proxies_the_rest(tmp_path: pathlib.Path, public: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'settlecal.sqlite3'}"
    settlecal = Settlecal(url)
    assert settlecal("import", SAMPLES / "sample-release.csv", "--no-notify", "--publish", public).exit_code == 0
    assert (public / "bsp" / "es-eur-monthly.ics.gz").exists() and (public / ".web" / "feed.ics").exists()

    with settlecal_serve(url) as server:
        upstream = urllib.parse.urlsplit(server.url).netloc
        with nginx(public, lambda port: shipped(port, public, upstream)) as front:
            direct, static = get(server.url, CALENDAR), get(front.url, CALENDAR)
            assert static.status_code == 200 and static.content == direct.content
            assert "X-Settlecal-Revision" not in static.headers  # nginx answered it itself
            assert static.headers["Content-Type"] == "text/calendar; charset=utf-8"
            assert static.headers["Last-Modified"] == direct.headers["Last-Modified"]
            assert static.headers["Cache-Control"] == "public, max-age=300"
            assert get(front.url, "/.web/feed.ics").content == get(server.url, "/.web/feed.ics").content

            zipped = requests.get(front.url + CALENDAR, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=30)
            assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
            assert gzip.decompress(zipped.raw.read()) == direct.content

            # A 304 on a connection nginx keeps open: the second request goes over the same socket.
            connection = http.client.HTTPConnection(urllib.parse.urlsplit(front.url).netloc, timeout=30)
            connection.request("GET", CALENDAR, headers={"If-None-Match": static.headers["ETag"]})
            first = connection.getresponse()
            assert first.status == 304 and first.read() == b""
            socket_before = connection.sock
            connection.request("HEAD", CALENDAR)
            assert connection.getresponse().status == 200 and connection.sock is socket_before
            connection.close()

            proxied = {
                "health": requests.get(front.url + "/.web/health", timeout=30),
                "query": get(front.url, CALENDAR + "?lang=fr"),
                "caldav": requests.request("PROPFIND", front.url + "/bsp/es-eur-monthly/", headers={"Depth": "0"},
                                           timeout=30),
                "collection": get(front.url, "/bsp/es-eur-monthly/"),
            }
            assert {name: answer.status_code for name, answer in proxied.items()} == {
                "health": 200, "query": 200, "caldav": 207, "collection": 200}
            assert all("X-Settlecal-Revision" in answer.headers for answer in proxied.values())

            before = {path: get(front.url, path).headers["ETag"] for path in (CALENDAR, UNCHANGED)}
            moved = settlecal("import", SAMPLES / "amendment.csv", "--no-notify", "--publish", public)
            assert moved.exit_code == 0, moved.output
            after = {path: get(front.url, path) for path in (CALENDAR, UNCHANGED)}
            assert after[CALENDAR].headers["ETag"] != before[CALENDAR]
            assert after[CALENDAR].content == get(server.url, CALENDAR).content
            assert after[UNCHANGED].headers["ETag"] == before[UNCHANGED]  # not rewritten: same ETag


def test_publish_writes_each_file_once_with_the_revision_time(tmp_path: pathlib.Path) -> None:
    import json

    url = f"sqlite:///{tmp_path / 'settlecal.sqlite3'}"
    settlecal = Settlecal(url)
    assert settlecal("import", SAMPLES / "sample-release.csv", "--no-notify").exit_code == 0
    target = tmp_path / "public"

    first = json.loads(settlecal("publish", target, "--json", "--public-url", "https://cal.example.org").output)
    again = json.loads(settlecal("publish", target, "--json", "--public-url", "https://cal.example.org").output)

    calendars = sorted(str(p.relative_to(target)) for system in ("bsp", "cass") for p in target.glob(f"{system}/*.ics"))
    assert len(calendars) == 16 and first["unchanged"] == 0
    assert sorted(first["written"]) == sorted([*calendars, ".web/feed.ics", ".web/changes.atom"])
    assert again["written"] == [] and again["unchanged"] == len(first["written"])
    assert "https://cal.example.org/" in (target / ".web" / "changes.atom").read_text()
    assert not [p for p in target.rglob(".*") if p.is_file()]  # no temporary file left behind
    mtimes = {p.stat().st_mtime for p in target.glob("bsp/*.ics")}
    assert len(mtimes) == 1 and mtimes != {p.stat().st_mtime for p in target.glob(".web/feed.ics")}
