"""Costly CalDAV requests are bounded: ranges capped before any work, a principal's listing with
every length read from stored renders, and a few expensive requests at a time per process."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Engine

from caldav_plugin.edge import limits, screening
from caldav_plugin.wsgi import make_application
from settlecal import renders
from tests.protocol.client import NS, WsgiClient, propfind
from tests.protocol.test_subscriber import CALENDAR

CALDAV = NS["C"]


def free_busy(start: str | None, end: str | None) -> str:
    bounds = "".join(f' {name}="{value}"' for name, value in (("start", start), ("end", end)) if value)
    return f'<?xml version="1.0"?><C:free-busy-query xmlns:C="{CALDAV}"><C:time-range{bounds}/></C:free-busy-query>'


def expand(start: str, end: str) -> str:
    return (f'<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="{CALDAV}"><D:prop><C:calendar-data>'
            f'<C:expand start="{start}" end="{end}"/></C:calendar-data></D:prop><C:filter>'
            '<C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            f'<C:time-range start="{start}" end="{end}"/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>')


@pytest.mark.parametrize(("body", "says"), [
    (free_busy("20000101T000000Z", "20990101T000000Z"), "spans more than"),
    (free_busy("20260101T000000Z", None), "needs a end"),
    (free_busy("20260101", "20260201T000000Z"), "needs a start"),
    (free_busy("20260201T000000Z", "20260101T000000Z"), "not after its start"),
    (expand("19700101T000000Z", "21000101T000000Z"), "spans more than"),
])
def test_wide_or_open_ranges_are_refused_before_any_work(dav: WsgiClient, body: str, says: str) -> None:
    started = time.perf_counter()
    answer = dav.request("REPORT", CALENDAR, headers={"Depth": "1"}, body=body)
    assert answer.status == 400 and says in answer.text
    assert time.perf_counter() - started < 1  # refused in the screen: no query, no render


def test_ranges_within_the_cap_are_answered(dav: WsgiClient) -> None:
    busy = dav.request("REPORT", CALENDAR, headers={"Depth": "1"},
                       body=free_busy("20260101T000000Z", "20261231T000000Z"))
    expanded = dav.request("REPORT", CALENDAR, headers={"Depth": "1"},
                           body=expand("20260101T000000Z", "20260201T000000Z"))
    assert busy.status == 200 and b"VFREEBUSY" in busy.body
    assert expanded.status == 207 and expanded.responses()
    assert screening.MAX_RANGE_DAYS >= 3 * 365


def test_a_principal_listing_with_lengths_reads_stored_renders(loaded: Engine, database_url: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[object] = []
    real = renders.build_for
    monkeypatch.setattr(renders, "build_for", lambda *args: built.append(args) or real(*args))
    dav = WsgiClient(make_application(database_url=database_url))
    for body in ("", propfind("D:getcontentlength", "D:getetag")):
        answer = dav.request("PROPFIND", "/bsp/", headers={"Depth": "1"}, body=body)
        lengths = [int(text) for text in (r.findtext(".//D:getcontentlength", namespaces=NS)
                                          for r in answer.responses().values()) if text]
        assert answer.status == 207 and len(lengths) > 1 and min(lengths) > 0
    assert built == []  # `settlecal import` stored every calendar's render: none rendered again


def test_expensive_requests_beyond_the_limit_get_503_and_the_rest_is_served(loaded: Engine,
                                                                           database_url: str) -> None:
    application = make_application(database_url=database_url)
    dav = WsgiClient(application)
    allprop = {"method": "PROPFIND", "path": "/bsp/", "headers": {"Depth": "1"}, "body": ""}
    slots = [application.expensive.slot() for _ in range(limits.EXPENSIVE_AT_ONCE)]
    held = [slot.__enter__() for slot in slots]  # as many expensive requests as allowed, running
    try:
        assert all(held)
        refused = dav.request(**allprop)  # type: ignore[arg-type]
        assert refused.status == 503 and refused.headers["retry-after"].isdigit()
        assert dav.request("GET", "/bsp/es-eur-monthly.ics").status == 200
        assert dav.request("GET", "/.web/health").status == 200
        assert dav.request("PROPFIND", CALENDAR, headers={"Depth": "1"}, body=propfind("D:getetag")).status == 207
        assert dav.request("PROPFIND", "/bsp/", headers={"Depth": "1"},
                           body=propfind("D:displayname")).status == 207  # a listing without lengths
        assert dav.request("REPORT", CALENDAR, headers={"Depth": "1"},
                           body=free_busy("20260101T000000Z", "20260201T000000Z")).status == 503
    finally:
        for slot in slots:
            slot.__exit__(None, None, None)
    assert dav.request(**allprop).status == 207  # type: ignore[arg-type]
