"""The round-robin benchmark's instrument (bench/bench_roundrobin.py) measures what it says: stock
Radicale and nginx serve the same events and bytes as settlecal, and wrk's script sends every request
of its list, headers and bodies included."""

from __future__ import annotations

import pathlib
import shutil
import tempfile
from collections.abc import Iterator

import icalendar
import pytest

from bench import mirrors, wrk
from bench.nginx import nginx
from bench.scenarios import SCENARIOS, Kind, Learned
from bench.servers import settlecal_serve, stock_radicale
from bench.visits import once_each
from tests.conftest import SAMPLES, Settlecal


def events(body: bytes) -> dict[str, bytes]:
    """Each VEVENT of a calendar by UID, serialised the same way whoever served it."""
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event.to_ical(sorted=True) for event in calendar.walk("VEVENT")}


@pytest.fixture(scope="module")
def settlecal_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`settlecal serve` over SQLite holding the sample release (the instrument, not the database,
    is under test)."""
    url = f"sqlite:///{tmp_path_factory.mktemp('instrument') / 'settlecal.sqlite3'}"
    result = Settlecal(url)("import", SAMPLES / "sample-release.csv", "--no-notify")
    assert result.exit_code == 0, result.output
    with settlecal_serve(url) as server:
        yield server.url


def nginx_installed() -> bool:
    return shutil.which("nginx") is not None or pathlib.Path("/usr/sbin/nginx").exists()


def test_stock_radicale_and_nginx_serve_settlecals_events(settlecal_url: str, tmp_path: pathlib.Path) -> None:
    # Two calendars of the listing: stock Radicale takes ~5 ms an item to parse the first time.
    listing = [c for c in mirrors.calendars(settlecal_url)
               if c.path in ("/bsp/es-eur-monthly/", "/cass/es-eur-twice-monthly/")]
    assert len(listing) == 2
    items = mirrors.write_radicale(settlecal_url, listing, tmp_path / "radicale")
    mirrors.write_static(settlecal_url, listing, tmp_path / "static")
    ours = mirrors.Connection(settlecal_url)
    with stock_radicale(tmp_path / "radicale") as stock:
        theirs = mirrors.Connection(stock.url)
        served = 0
        for calendar in listing:
            expected = ours.request("GET", calendar.ics)[2]
            status, _, body = theirs.request("GET", calendar.path)
            assert status == 200
            assert events(body) == events(expected), calendar.path
            assert (tmp_path / "static" / calendar.ics.lstrip("/")).read_bytes() == expected
            served += len(events(body))
    assert served == items > 0


@pytest.mark.skipif(not nginx_installed(), reason="nginx is not installed (make bench-tools)")
def test_nginx_serves_the_same_bytes_and_304s(settlecal_url: str) -> None:
    listing = mirrors.calendars(settlecal_url)[:3]
    ours = mirrors.Connection(settlecal_url)
    with tempfile.TemporaryDirectory(prefix="settlecal-test-static-") as scratch:
        root = pathlib.Path(scratch)
        root.chmod(0o755)  # nginx reads as nobody when the tests run as root
        mirrors.write_static(settlecal_url, listing, root)
        with nginx(root) as static:
            theirs = mirrors.Connection(static.url)
            for calendar in listing:
                expected = ours.request("GET", calendar.ics)[2]
                for path in (calendar.ics, calendar.path):
                    status, headers, body = theirs.request("GET", path)
                    assert (status, body) == (200, expected), path
                assert theirs.request("GET", calendar.ics, headers={"If-None-Match": headers["etag"]})[0] == 304


def test_a_cold_pass_visits_every_calendar_once_with_its_own_request(settlecal_url: str) -> None:
    listing = mirrors.calendars(settlecal_url)
    learned = Learned(etags={c.path: '"stale"' for c in listing}, tokens={c.path: "" for c in listing})
    for scenario in SCENARIOS:
        requests = scenario.requests(Kind.SETTLECAL, listing, learned)
        figures, sent = once_each(settlecal_url, requests, connections=3, cap_seconds=60)
        assert sent == figures.requests == len(listing), scenario.name
        expected = 200 if scenario.name == "conditional" else scenario.expected  # a stale ETag: 200
        assert figures.statuses == {expected: len(listing)}, scenario.name


@pytest.mark.skipif(not wrk.available(), reason="wrk is not installed (make bench-tools)")
def test_wrk_sends_each_request_with_its_headers_and_body(settlecal_url: str) -> None:
    listing = mirrors.calendars(settlecal_url)
    fresh = {c.path: mirrors.Connection(settlecal_url).request("GET", c.ics)[1]["etag"] for c in listing}
    conditional = next(s for s in SCENARIOS if s.name == "conditional")
    requests = conditional.requests(Kind.SETTLECAL, listing, Learned(fresh, {}))
    figures = wrk.run(settlecal_url, requests, connections=2, seconds=1)
    assert figures.requests > 0 and figures.errors == 0  # a 200 would be fine for wrk; a 4xx is not
    stale = [wrk.Request(r.method, r.path + "-missing", r.headers) for r in requests]
    assert wrk.run(settlecal_url, stale, connections=1, seconds=1).errors > 0  # 404s are counted
