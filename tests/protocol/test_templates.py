"""Calendar listings built from templates (caldav_plugin/templates.py) are byte for byte what Radicale
answers on its own, for every shape of request a client sends, and Radicale answers what does not fit."""

from __future__ import annotations

import base64
import gzip
import pathlib
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from caldav_plugin import templates
from caldav_plugin.wsgi import make_application
from tests.protocol.client import NS, Response, WsgiClient, calendar_query, multiget, propfind, sync_collection
from tests.protocol.conftest import Importer
from tests.protocol.test_subscriber import CALENDAR

CALDAV = NS["C"]
EVENTS = ["2026-01-4-remittance.ics", "2026-02-4-remittance.ics", "2026-03-4-remittance.ics",
          "2026-04-4-remittance.ics", "2026-05-4-remittance.ics"]

REQUESTS: dict[str, tuple[str, dict[str, str], str]] = {
    "propfind-etags": ("PROPFIND", {"Depth": "1"}, propfind("D:getetag", "D:getcontenttype")),
    "propfind-many": ("PROPFIND", {"Depth": "1"}, propfind(
        "D:getetag", "D:getcontentlength", "D:getlastmodified", "D:resourcetype", "CS:getctag", "D:displayname",
        "D:current-user-privilege-set", "D:sync-token", "D:owner", "C:calendar-data", "ICAL:calendar-color")),
    "propfind-allprop": ("PROPFIND", {"Depth": "1"}, '<?xml version="1.0"?><propfind xmlns="DAV:"><allprop/></propfind>'),
    "propfind-empty": ("PROPFIND", {"Depth": "1"}, ""),
    "propfind-propname": ("PROPFIND", {"Depth": "1"}, '<?xml version="1.0"?><propfind xmlns="DAV:"><propname/></propfind>'),
    "propfind-user": ("PROPFIND", {"Depth": "1", "Authorization": "Basic " + base64.b64encode(b"bsp:x").decode()},
                      propfind("D:getetag", "D:current-user-principal")),
    "report-month": ("REPORT", {"Depth": "1"}, calendar_query("20260301T000000Z", "20260601T000000Z")),
    "report-all": ("REPORT", {"Depth": "1"}, calendar_query("20000101T000000Z", None)),
    "report-open": ("REPORT", {"Depth": "1"}, calendar_query(None, None)),
    "report-partial-data": ("REPORT", {"Depth": "1"}, calendar_query("20260101T000000Z", "20280101T000000Z").replace(
        "<C:calendar-data/>", '<C:calendar-data><C:comp name="VCALENDAR"><C:comp name="VEVENT">'
        '<C:prop name="UID"/></C:comp></C:comp></C:calendar-data>')),
    "multiget": ("REPORT", {"Depth": "1"}, multiget(*(CALENDAR + name for name in EVENTS))),
    "multiget-missing": ("REPORT", {"Depth": "1"}, multiget(*(CALENDAR + name for name in EVENTS),
                                                            CALENDAR + "2099-01-1-remittance.ics")),
    "sync-initial": ("REPORT", {"Depth": "1"}, sync_collection()),
    "propfind-gzip": ("PROPFIND", {"Depth": "1", "Accept-Encoding": "gzip, deflate"}, propfind("D:getetag")),
    "report-gzip": ("REPORT", {"Depth": "1", "Accept-Encoding": "gzip"}, calendar_query("20260101T000000Z", None)),
}


# Requests Radicale answers itself: 404s among the hrefs, a time range it matches to nothing. (Radicale
# 3.9 answers a calendar-data that names properties with the whole event, so templates can.)
RADICALE_ALONE = {"multiget-missing", "report-open"}


def both(database_url: str, monkeypatch: pytest.MonkeyPatch, method: str, headers: dict[str, str],
         body: str, path: str = CALENDAR) -> tuple[Response, Response, bool]:
    """The answer with templates, Radicale's own, and whether templates wrote the first."""
    dav = WsgiClient(make_application(database_url=database_url))
    spliced = []
    real = templates._spliced

    def spy(*args: object) -> str | None:
        spliced.append(real(*args))  # type: ignore[arg-type]
        return spliced[-1]

    with monkeypatch.context() as patch:
        patch.setattr(templates, "_spliced", spy)
        fast = dav.request(method, path, headers=headers, body=body)
    with monkeypatch.context() as patch:
        patch.setattr(templates, "applies", lambda *args: False)
        slow = dav.request(method, path, headers=headers, body=body)
    return fast, slow, any(each is not None for each in spliced)


@pytest.mark.parametrize("name", sorted(REQUESTS))
def test_listing_is_radicales_own_answer(loaded: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch,
                                         name: str) -> None:
    method, headers, body = REQUESTS[name]

    fast, slow, spliced = both(database_url, monkeypatch, method, headers, body)

    assert spliced == (name not in RADICALE_ALONE)
    assert slow.status == 207
    assert (fast.status, fast.headers, fast.body) == (slow.status, slow.headers, slow.body)
    if fast.headers.get("content-encoding") == "gzip":
        fast = Response(fast.status, fast.headers, gzip.decompress(fast.body))
    if name != "report-open":  # a time range without bounds matches nothing, in Radicale's rule
        assert len(fast.responses()) > templates.SAMPLE  # more than the sample: every event is there


def test_sync_after_an_import_is_radicales_own_answer(loaded: Engine, database_url: str, reimport: Importer,
                                                      amendment: pathlib.Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    dav = WsgiClient(make_application(database_url=database_url))
    token = dav.request("REPORT", CALENDAR, headers={"Depth": "1"}, body=sync_collection()).xml().findtext(
        "D:sync-token", namespaces=NS)
    assert token
    reimport(amendment)
    for body in (sync_collection(token), sync_collection()):
        fast, slow, _ = both(database_url, monkeypatch, "REPORT", {"Depth": "1"}, body)
        assert fast.status == 207
        assert (fast.headers, fast.body) == (slow.headers, slow.body)


# Calendars of the sample release besides CALENDAR, of other systems, frequencies and sizes.
OTHERS = ("/bsp/za-zar-weekly/", "/cass/us-usd-four-times-monthly/", "/bsp/jp-jpy-monthly", "/bsp/ae-aed-twice-monthly/")
QUERIES = sorted(name for name in REQUESTS if name.startswith("report-") and name not in RADICALE_ALONE)


def counting_samples() -> tuple[list[int], Callable[[int], object]]:
    """A stand-in for `sampled` that notes each time Radicale is asked, and the list it notes in."""
    asked: list[int] = []
    real = templates.collections.sampled

    def counted(limit: int) -> object:
        asked.append(limit)
        return real(limit)

    return asked, counted


def _radicale_asked(limit: int) -> None:
    raise AssertionError("Radicale was asked although the query's shape was known")


@pytest.mark.parametrize("name", QUERIES)
def test_a_query_answered_on_one_calendar_is_written_for_every_other_without_radicale(
        loaded: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    method, headers, body = REQUESTS[name]
    dav = WsgiClient(make_application(database_url=database_url))
    alone = WsgiClient(make_application(database_url=database_url))
    assert dav.request(method, CALENDAR, headers=headers, body=body).status == 207  # Radicale, then learnt

    for path in OTHERS:
        with monkeypatch.context() as patch:
            patch.setattr(templates.collections, "sampled", _radicale_asked)
            fast = dav.request(method, path, headers=headers, body=body)
        with monkeypatch.context() as patch:
            patch.setattr(templates, "applies", lambda *args: False)
            slow = alone.request(method, path, headers=headers, body=body)
        assert slow.status == 207, path
        assert (fast.status, fast.headers, fast.body) == (slow.status, slow.headers, slow.body), path


def test_a_shape_is_kept_per_request_not_per_calendar(loaded: Engine, database_url: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Another time range, another header Radicale reads, or a query that matches nothing on the
    other calendar: Radicale answers (and the answer is still its own)."""
    method, headers, body = REQUESTS["report-month"]
    dav = WsgiClient(make_application(database_url=database_url))
    alone = WsgiClient(make_application(database_url=database_url))
    dav.request(method, CALENDAR, headers=headers, body=body)
    asked, counted = counting_samples()

    empty = calendar_query("20990101T000000Z", "20990201T000000Z")
    variants = [(headers, calendar_query("20260401T000000Z", "20260601T000000Z")),
                ({**headers, "Prefer": "return=minimal"}, body), ({"Depth": "0"}, body), (headers, empty)]
    for variant_headers, variant_body in variants:
        dav.request(method, CALENDAR, headers=variant_headers, body=variant_body)  # learnt where it can be
        asked.clear()
        with monkeypatch.context() as patch:
            patch.setattr(templates.collections, "sampled", counted)
            fast = dav.request(method, OTHERS[0], headers=variant_headers, body=variant_body)
        with monkeypatch.context() as patch:
            patch.setattr(templates, "applies", lambda *args: False)
            slow = alone.request(method, OTHERS[0], headers=variant_headers, body=variant_body)
        assert (fast.status, fast.headers, fast.body) == (slow.status, slow.headers, slow.body)
        assert asked == ([templates.SAMPLE] if variant_body is empty else []), variant_headers


def test_a_shape_is_written_only_for_readers_of_the_calendar(loaded: Engine, database_url: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Rights are asked for each calendar: a user who may not read it (or whose password must be
    checked first) gets Radicale's answer, never a learnt one."""
    method, headers, body = REQUESTS["report-month"]
    application = make_application(database_url=database_url)
    dav = WsgiClient(application)
    dav.request(method, CALENDAR, headers=headers, body=body)
    asked, counted = counting_samples()

    monkeypatch.setattr(templates.collections, "sampled", counted)
    monkeypatch.setattr(application._feeds, "readable", lambda environ, path: path != OTHERS[0])
    application._shapes._readable = application._feeds.readable
    assert dav.request(method, OTHERS[1], headers=headers, body=body).status == 207
    assert asked == []
    assert dav.request(method, OTHERS[0], headers=headers, body=body).status == 207
    assert asked == [templates.SAMPLE]
