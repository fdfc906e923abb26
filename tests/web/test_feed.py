"""Filtered feeds `/.web/feed.ics?…`: content against the database, the collections' own events,
Spanish summaries, conditional GET and a new ETag after an import."""

from __future__ import annotations

import pathlib

import icalendar
from sqlalchemy import Engine

from settlecal import hrefs
from settlecal.domain import Kind
from caldav_plugin.web.feed import FEED_VERSION
from caldav_plugin.wsgi import make_application
from tests.protocol.client import WsgiClient
from tests.protocol.conftest import Importer
from tests.web.pages import expected_key_dates

REMITTANCE_EUR = "/.web/feed.ics?currency=EUR&kind=remittance,settlement"


def calendar_name(body: bytes) -> str:
    """NAME, unescaped (icalendar leaves calendar-level RFC 7986 properties as they were sent)."""
    raw = str(icalendar.Calendar.from_ical(body)["NAME"])
    return raw.replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def uids(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_holds_the_selection(web: WsgiClient, web_engine: Engine) -> None:
    answer = web.request("GET", REMITTANCE_EUR)
    assert answer.status == 200 and answer.headers["content-type"] == "text/calendar; charset=utf-8"
    expected = expected_key_dates(web_engine, lambda key: key.currency == "EUR",
                                  kinds=frozenset({Kind.REMITTANCE, Kind.SETTLEMENT}))
    events = uids(answer.body)
    assert len(events) == len(expected) > 100
    for (date, kind, path, period) in expected:
        system, slug = path.split("/")
        key = hrefs.parse_slug(hrefs.parse_system(system), slug)  # type: ignore[arg-type]
        assert key is not None
        event = events[hrefs.event_uid(key, period, Kind(kind))]
        assert event.decoded("DTSTART").isoformat() == date
    calendar = icalendar.Calendar.from_ical(answer.body)
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar
    assert calendar_name(answer.body) == "Settlement calendars: BSP + CASS · EUR · Remittance, Settlement"


def test_english_events_are_the_collections_own(web: WsgiClient) -> None:
    feed = web.request("GET", "/.web/feed.ics?system=BSP&country=ES&currency=EUR&frequency=monthly").body
    collection = web.request("GET", "/bsp/es-eur-monthly.ics").body

    def vevents(body: bytes) -> list[bytes]:
        return [b"BEGIN:VEVENT" + part.split(b"END:VEVENT")[0] for part in body.split(b"BEGIN:VEVENT")[1:]]

    assert sorted(vevents(feed)) == sorted(vevents(collection))
    assert len(vevents(feed)) > 200


def test_spanish_summaries(web: WsgiClient) -> None:
    body = web.request("GET", "/.web/feed.ics?system=BSP&country=ES&kind=remittance&lang=es").body
    events = list(uids(body).values())
    assert events
    for event in events:
        assert str(event["SUMMARY"]).startswith("BSP ES EUR · Remesa 2026-") or \
            str(event["SUMMARY"]).startswith("BSP ES EUR · Remesa 2027-")
        description = str(event["DESCRIPTION"])
        assert description.startswith("Fecha de remesa de la agencia, BSP ES EUR mensual.")
        assert "Hora límite: 12:00, hora local." in description
    moved = uids(body)["2026-11-4-remittance@es-eur-monthly.bsp.settlecal"]
    assert moved.decoded("DTSTART").isoformat() == "2026-12-09"
    assert "Publicación 2 del " in str(moved["DESCRIPTION"])
    assert calendar_name(body).startswith("Calendarios de liquidación: BSP · España (ES)")


def test_conditional_get(web: WsgiClient) -> None:
    first = web.request("GET", REMITTANCE_EUR)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    assert web.request("GET", REMITTANCE_EUR).body == first.body
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"x", {etag}'}, {"If-Modified-Since": modified}):
        again = web.request("GET", REMITTANCE_EUR, headers=headers)
        assert again.status == 304 and again.body == b"" and again.headers["etag"] == etag
    assert web.request("GET", REMITTANCE_EUR, headers={"If-None-Match": '"other"'}).status == 200
    # Another selection, language or kind is another feed.
    others = ["/.web/feed.ics?currency=EUR&kind=remittance", REMITTANCE_EUR + "&lang=es", "/.web/feed.ics"]
    assert len({etag, *(web.request("GET", path).headers["etag"] for path in others)}) == 4
    # The month doesn't change a feed.
    assert web.request("GET", REMITTANCE_EUR + "&month=2026-05").headers["etag"] == etag


def test_bad_parameters_are_refused(web: WsgiClient) -> None:
    answer = web.request("GET", "/.web/feed.ics?system=BSQ&kind=remittance,lunch")
    assert answer.status == 400
    assert b"system='BSQ'" in answer.body and b"kind='lunch'" in answer.body


def test_a_selection_without_calendars_is_an_empty_feed(web: WsgiClient) -> None:
    answer = web.request("GET", "/.web/feed.ics?system=CASS&country=JP")
    assert answer.status == 200 and uids(answer.body) == {}


def test_etag_changes_when_a_release_changes_the_selection(loaded: Engine, database_url: str, reimport: Importer,
                                                           amendment: pathlib.Path) -> None:
    client = WsgiClient(make_application(database_url=database_url))
    spain, japan = "/.web/feed.ics?country=ES&kind=remittance", "/.web/feed.ics?country=JP"
    before = {path: client.request("GET", path) for path in (spain, japan)}
    reimport(amendment)
    after = {path: client.request("GET", path, headers={"If-None-Match": before[path].headers["etag"]})
             for path in (spain, japan)}
    assert after[japan].status == 304  # the amendment doesn't touch Japan
    assert after[spain].status == 200 and after[spain].headers["etag"] != before[spain].headers["etag"]
    moved = uids(after[spain].body)["2026-11-4-remittance@es-eur-monthly.bsp.settlecal"]
    assert moved.decoded("DTSTART").isoformat() == "2026-12-09" and moved["SEQUENCE"] == 1
    assert FEED_VERSION >= 1
