"""CalDAV reads: discovery, properties, time-range REPORTs against the database, multiget, sync."""

from __future__ import annotations

import datetime
import pathlib

import icalendar
from sqlalchemy import Engine

from settlecal.db import queries
from settlecal.db.snapshot import reading
from settlecal.domain import System
from tests.protocol.client import NS, Client, calendar_query, multiget, propfind, sync_collection
from tests.protocol.conftest import Importer
from tests.protocol.test_subscriber import CALENDAR, ES, live_key_dates

PRIVILEGES = "D:current-user-privilege-set"


def test_principal_lists_every_calendar_of_its_system(dav: Client, loaded: Engine) -> None:
    answer = dav.request("PROPFIND", "/bsp/", headers={"Depth": "1"},
                         body=propfind("D:getetag", "CS:getctag", "D:displayname", "D:resourcetype"))
    assert answer.status == 207
    with reading(loaded) as session:
        expected = {f"/{state.key.path}/" for state in queries.calendar_states(session, System.BSP)}
    listed = answer.responses()
    assert set(listed) == expected | {"/bsp/"}
    calendar = listed[CALENDAR]
    etag = calendar.findtext(".//D:getetag", namespaces=NS)
    assert etag and etag == calendar.findtext(".//CS:getctag", namespaces=NS)
    assert calendar.find(".//D:resourcetype/C:calendar", NS) is not None
    assert calendar.findtext(".//D:displayname", namespaces=NS) == "BSP ES EUR monthly"


def test_calendar_properties_and_read_only_privileges(dav: Client) -> None:
    answer = dav.request("PROPFIND", CALENDAR, headers={"Depth": "0"}, body=propfind(
        "C:supported-calendar-component-set", "C:calendar-description", "ICAL:calendar-color",
        "D:sync-token", PRIVILEGES))
    (response,) = answer.responses().values()
    components = [c.get("name") for c in response.findall(".//C:supported-calendar-component-set/C:comp", NS)]
    assert components == ["VEVENT"]
    assert "Spain" in (response.findtext(".//C:calendar-description", namespaces=NS) or "")
    assert response.findtext(".//ICAL:calendar-color", namespaces=NS) == "#1F5FA8"
    assert (response.findtext(".//D:sync-token", namespaces=NS) or "").endswith("/1")
    granted = {p.tag for p in response.findall(f".//{PRIVILEGES}/D:privilege/*", NS)}
    assert "{DAV:}read" in granted
    assert not {"{DAV:}write", "{DAV:}write-content", "{DAV:}bind", "{DAV:}all"} & granted


def test_items_have_etag_and_content_type(dav: Client, loaded: Engine) -> None:
    answer = dav.request("PROPFIND", CALENDAR, headers={"Depth": "1"},
                         body=propfind("D:getetag", "D:getcontenttype"))
    items = {href: r for href, r in answer.responses().items() if href != CALENDAR}
    assert len(items) == len(live_key_dates(loaded, ES))
    for response in items.values():
        assert (response.findtext(".//D:getcontenttype", namespaces=NS) or "").startswith("text/calendar")
        assert response.findtext(".//D:getetag", namespaces=NS)


def report_uids(dav: Client, start: str | None, end: str | None) -> set[str]:
    answer = dav.request("REPORT", CALENDAR, headers={"Depth": "1"}, body=calendar_query(start, end))
    assert answer.status == 207
    uids = set()
    for response in answer.responses().values():
        data = response.findtext(".//C:calendar-data", namespaces=NS)
        assert data
        uids |= {str(e["UID"]) for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}
    return uids


def expected_uids(engine: Engine, first: datetime.date, last_exclusive: datetime.datetime) -> set[str]:
    """Radicale's rule from the rows: days [date, end] at UTC midnight overlap [first, last_exclusive)."""
    start = datetime.datetime.combine(first, datetime.time(), datetime.timezone.utc)
    return {
        uid for uid, row in live_key_dates(engine, ES).items()
        if datetime.datetime.combine(row.date, datetime.time(), datetime.timezone.utc) < last_exclusive
        and datetime.datetime.combine(row.end + datetime.timedelta(days=1), datetime.time(), datetime.timezone.utc) > start
    }


def test_time_range_report_matches_the_database(dav: Client, loaded: Engine) -> None:
    utc = datetime.timezone.utc
    march = report_uids(dav, "20260301T000000Z", "20260401T000000Z")
    assert march == expected_uids(loaded, datetime.date(2026, 3, 1), datetime.datetime(2026, 4, 1, tzinfo=utc))
    assert "2026-03-4-period@es-eur-monthly.bsp.settlecal" in march  # spans into April
    # A range that ends at midnight of an all-day event's date excludes it; one second later includes it.
    billing = "2026-03-4-billing@es-eur-monthly.bsp.settlecal"  # 2026-04-03
    assert billing not in report_uids(dav, "20260402T000000Z", "20260403T000000Z")
    assert billing in report_uids(dav, "20260402T000000Z", "20260403T000001Z")
    assert billing in report_uids(dav, "20260403T235959Z", "20260405T000000Z")
    assert billing not in report_uids(dav, "20260404T000000Z", "20260405T000000Z")
    assert report_uids(dav, "19700101T000000Z", "21000101T000000Z") == set(live_key_dates(loaded, ES))
    # Radicale matches nothing for a time-range with neither bound; neither may the shortcut.
    assert report_uids(dav, None, None) == set()
    assert report_uids(dav, "20260101T000000Z", None) == expected_uids(
        loaded, datetime.date(2026, 1, 1), datetime.datetime.max.replace(tzinfo=utc))


def test_multiget(dav: Client) -> None:
    present, missing = f"{CALENDAR}2026-03-4-billing.ics", f"{CALENDAR}2099-01-1-billing.ics"
    answer = dav.request("REPORT", CALENDAR, headers={"Depth": "1"}, body=multiget(present, missing))
    responses = answer.responses()
    assert "BEGIN:VEVENT" in (responses[present].findtext(".//C:calendar-data", namespaces=NS) or "")
    assert "404" in (responses[missing].findtext("D:status", namespaces=NS) or "")


def sync(dav: Client, token: str = "") -> tuple[int, str, dict[str, bool]]:
    """(status, new token, {href: still exists})."""
    answer = dav.request("REPORT", CALENDAR, headers={"Depth": "1"}, body=sync_collection(token))
    if answer.status != 207:
        return answer.status, "", {}
    root = answer.xml()
    hrefs = {
        r.findtext("D:href", namespaces=NS) or "": "404" not in (r.findtext("D:status", namespaces=NS) or "")
        for r in root.findall("D:response", NS)
    }
    return answer.status, root.findtext("D:sync-token", namespaces=NS) or "", hrefs


def test_sync_collection(dav: Client, loaded: Engine, reimport: Importer, amendment: pathlib.Path) -> None:
    status, token, first = sync(dav)
    assert status == 207 and len(first) == len(live_key_dates(loaded, ES)) and all(first.values())
    assert sync(dav, token)[1:] == (token, {})
    before = {href: dav.request("GET", href).body for href in first}
    reimport(amendment)
    _, newer, changed = sync(dav, token)
    assert newer != token
    removed = {href for href, exists in changed.items() if not exists}
    assert removed == {f"{CALENDAR}2026-08-3-period.ics", f"{CALENDAR}2026-08-3-submission.ics"}
    # Exactly the events whose bytes changed (moved ones, and those whose period remarks changed).
    rewritten = {href for href in first if href not in removed and dav.request("GET", href).body != before[href]}
    assert {href for href, exists in changed.items() if exists} == rewritten
    assert {f"{CALENDAR}2026-03-4-billing.ics", f"{CALENDAR}2026-11-4-remittance.ics"} <= rewritten
    assert sync(dav, newer)[2] == {}


def test_invalid_sync_tokens_are_refused(dav: Client) -> None:
    for token in ("http://settlecal.invalid/ns/sync/99", "garbage", "http://radicale.org/ns/sync/abc"):
        answer = dav.request("REPORT", CALENDAR, headers={"Depth": "1"}, body=sync_collection(token))
        assert answer.status == 403
        assert b"valid-sync-token" in answer.body
    # Tokens from before the calendar existed are fine: everything changed since.
    assert sync(dav, "http://settlecal.invalid/ns/sync/0")[0] == 207
