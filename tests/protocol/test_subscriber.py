"""A subscriber over plain HTTP: whole-calendar downloads, conditional GETs, changes after an import."""

from __future__ import annotations

import email.utils
import gzip

import icalendar
from sqlalchemy import Engine

from settlecal import hrefs
from settlecal.db import queries
from settlecal.db.snapshot import reading
from settlecal.domain import CalendarKey, Frequency, System
from tests.protocol.client import Client
from tests.protocol.conftest import Importer

ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
CALENDAR = "/bsp/es-eur-monthly/"
ALIAS = "/bsp/es-eur-monthly.ics"


def live_key_dates(engine: Engine, key: CalendarKey) -> dict[str, queries.EventRow]:
    with reading(engine) as session:
        state = queries.calendar_state(session, key)
        assert state is not None
        return {hrefs.event_uid(key, row.period, row.kind): row for row in queries.events(session, state.id)}


def vevents(body: bytes) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(body)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_collection_and_alias_hold_one_event_per_key_date(dav: Client, loaded: Engine) -> None:
    expected = live_key_dates(loaded, ES)
    collection, alias = dav.request("GET", CALENDAR), dav.request("GET", ALIAS)
    assert collection.status == alias.status == 200
    assert collection.headers["content-type"].startswith("text/calendar")
    assert collection.body == alias.body
    events = vevents(collection.body)
    assert set(events) == set(expected)
    for uid, row in expected.items():
        assert events[uid].decoded("DTSTART") == row.date
    calendar = icalendar.Calendar.from_ical(collection.body)
    assert calendar["X-WR-CALNAME"] == "BSP ES EUR monthly"
    assert "REFRESH-INTERVAL" in calendar and "X-PUBLISHED-TTL" in calendar


def test_both_slash_forms(dav: Client) -> None:
    assert dav.request("GET", "/bsp/es-eur-monthly").body == dav.request("GET", CALENDAR).body


def test_etag_is_stable_and_conditional_get_is_304(dav: Client) -> None:
    first, second = dav.request("GET", ALIAS), dav.request("GET", ALIAS)
    assert first.body == second.body
    etag = first.headers["etag"]
    assert etag == second.headers["etag"]
    assert first.headers["cache-control"].startswith("public, max-age=")
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", {etag}'},
                    {"If-Modified-Since": first.headers["last-modified"]}):
        cached = dav.request("GET", ALIAS, headers=headers)
        assert cached.status == 304, headers
        assert cached.body == b""
        assert cached.headers["etag"] == etag
    assert dav.request("GET", ALIAS, headers={"If-None-Match": '"other"'}).status == 200
    earlier = email.utils.format_datetime(
        email.utils.parsedate_to_datetime(first.headers["last-modified"]).replace(year=2000), usegmt=True)
    assert dav.request("GET", ALIAS, headers={"If-Modified-Since": earlier}).status == 200


def test_a_tag_from_a_later_revision_is_a_download_on_a_lone_server(dav: Client) -> None:
    """Only a server on a read replica can be behind; here such a tag came from another database."""
    etag = dav.request("GET", ALIAS).headers["etag"]
    revision = int(etag.strip('"').partition("-")[0].removeprefix("r"))
    future = etag.replace(f'"r{revision}-', f'"r{revision + 1000}-')
    answer = dav.request("GET", ALIAS, headers={"If-None-Match": future})
    assert answer.status == 200 and answer.headers["etag"] == etag and b"BEGIN:VEVENT" in answer.body


def test_head_has_the_get_headers_and_no_body(dav: Client) -> None:
    get, head = dav.request("GET", CALENDAR), dav.request("HEAD", CALENDAR)
    assert head.status == 200 and head.body == b""
    for name in ("etag", "last-modified", "content-length", "content-type"):
        assert head.headers[name] == get.headers[name]


def test_gzip_on_request(dav: Client) -> None:
    plain = dav.request("GET", ALIAS)
    zipped = dav.request("GET", ALIAS, headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.body) == plain.body
    assert zipped.headers["etag"] == plain.headers["etag"]


def test_single_event_and_its_304(dav: Client) -> None:
    path = f"{CALENDAR}2026-03-4-billing.ics"
    answer = dav.request("GET", path)
    assert answer.status == 200
    (event,) = vevents(answer.body).values()
    assert str(event["UID"]) == "2026-03-4-billing@es-eur-monthly.bsp.settlecal"
    assert dav.request("GET", path, headers={"If-None-Match": answer.headers["etag"]}).status == 304
    assert dav.request("GET", f"{CALENDAR}2026-03-4-nothing.ics").status == 404
    assert dav.request("GET", "/bsp/xx-eur-monthly.ics").status == 404


def test_an_import_changes_the_feed(dav: Client, loaded: Engine, reimport: Importer, amendment: object) -> None:
    before = dav.request("GET", ALIAS)
    reimport(amendment)  # type: ignore[arg-type]
    after = dav.request("GET", ALIAS, headers={"If-None-Match": before.headers["etag"]})
    assert after.status == 200
    assert after.headers["etag"] != before.headers["etag"]
    old, new = vevents(before.body), vevents(after.body)
    billing = "2026-03-4-billing@es-eur-monthly.bsp.settlecal"
    assert str(old[billing]["DTSTART"].to_ical(), "ascii") == "20260403"
    assert str(new[billing]["DTSTART"].to_ical(), "ascii") == "20260407"
    assert new[billing]["SEQUENCE"] == old[billing]["SEQUENCE"] + 1
    # Both releases may fall in one second here; the description names the release that moved it.
    assert new[billing].decoded("LAST-MODIFIED") >= old[billing].decoded("LAST-MODIFIED")
    assert "Release 1 of" in str(old[billing]["DESCRIPTION"])
    assert "Release 2 of" in str(new[billing]["DESCRIPTION"])
    assert "2026-08-3-period@es-eur-monthly.bsp.settlecal" in old
    assert "2026-08-3-period@es-eur-monthly.bsp.settlecal" not in new
    assert set(new) == set(live_key_dates(loaded, ES))
    untouched = "/cass/us-usd-four-times-monthly.ics"
    assert dav.request("GET", untouched).headers["etag"] == dav.request("GET", untouched).headers["etag"]
