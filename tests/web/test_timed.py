"""Deadlines at their time and reminders, on request: the `.ics` alias and `/.web/feed.ics` with
`deadlines=timed` and `alarm=…`, checked by icalendar and by a second parser (ical.js under node),
across Europe/Madrid's DST changes and in a zone without DST; without the options nothing changes."""

from __future__ import annotations

import datetime
import io
import json
import pathlib
import shutil
import subprocess
from typing import Any

import icalendar
import pypdf
import pytest
from sqlalchemy import Engine

from caldav_plugin.wsgi import make_application
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import ROOT
from tests.protocol.client import WsgiClient

OPERATIONS = ROOT / "tests" / "data" / "releases" / "operations-2026.csv"
VALIDATOR = ROOT / "tests" / "tools" / "icaljs" / "validate.mjs"
ES = "/bsp/es-eur-monthly.ics"
GULF = "/bsp/bh-usd-weekly.ics"
UTC = datetime.timezone.utc


@pytest.fixture
def dav(engine: Engine, database_url: str) -> WsgiClient:
    import_release(engine, read_release(OPERATIONS), operator="tests")
    return WsgiClient(make_application(database_url=database_url))


def get(dav: WsgiClient, path: str, status: int = 200) -> Any:
    answer = dav.request("GET", path)
    assert answer.status == status, answer.body
    return answer


def events(body: bytes) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in icalendar.Calendar.from_ical(body).walk("VEVENT")}


def ical_js(body: bytes) -> dict[str, Any]:
    """What ical.js makes of the stream (tests/tools/icaljs; `make icaljs` installs it)."""
    if shutil.which("node") is None or not (VALIDATOR.parent / "node_modules" / "ical.js").exists():
        pytest.skip("ical.js is not installed: make icaljs")
    done = subprocess.run(["node", str(VALIDATOR)], input=body, capture_output=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr.decode()
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def uid(period: str, kind: str, slug: str = "es-eur-monthly") -> str:
    return f"{period}-{kind}@{slug}.bsp.settlecal"


def test_without_the_options_the_alias_is_the_collection_byte_for_byte(dav: WsgiClient) -> None:
    alias, collection = get(dav, ES), get(dav, "/bsp/es-eur-monthly/")
    assert alias.body == collection.body and alias.headers["etag"] == collection.headers["etag"]
    assert b"VTIMEZONE" not in alias.body and b"VALARM" not in alias.body
    other = get(dav, ES + "?view=freebusy")  # not ours: left to Radicale as before
    assert b"TZID" not in other.body


def test_timed_deadlines_are_at_their_time_in_the_operations_zone_across_dst(dav: WsgiClient) -> None:
    answer = get(dav, ES + "?deadlines=timed")
    body = answer.body
    assert answer.headers["etag"] != get(dav, ES).headers["etag"]
    assert b"DTSTART;TZID=Europe/Madrid:20260416T120000\r\n" in body
    found = events(body)
    expected = {  # wall-clock cut-off → UTC: CET (+01:00) before 29 March and after 25 October, else CEST
        uid("2026-03-3", "submission"): datetime.datetime(2026, 3, 27, 13, tzinfo=UTC),
        uid("2026-03-4", "submission"): datetime.datetime(2026, 4, 1, 12, tzinfo=UTC),
        uid("2026-03-4", "remittance"): datetime.datetime(2026, 4, 16, 10, tzinfo=UTC),
        uid("2026-10-3", "submission"): datetime.datetime(2026, 10, 23, 12, tzinfo=UTC),
        uid("2026-10-4", "submission"): datetime.datetime(2026, 11, 2, 13, tzinfo=UTC),
        uid("2026-10-4", "remittance"): datetime.datetime(2026, 11, 16, 11, tzinfo=UTC),
    }
    for key, moment in expected.items():
        start = found[key].decoded("DTSTART")
        assert start == moment and str(start.tzinfo) == "Europe/Madrid"
        assert "DTEND" not in found[key]
    # Key dates without a cut-off stay all-day; UID and SEQUENCE are the collection's.
    billing = found[uid("2026-03-4", "billing")]
    assert billing.decoded("DTSTART") == datetime.date(2026, 4, 6)
    plain = events(get(dav, ES).body)
    assert {key: event["SEQUENCE"] for key, event in found.items()} == {
        key: event["SEQUENCE"] for key, event in plain.items()}
    (zone,) = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/Madrid"
    assert {str(part["TZNAME"]) for part in zone.walk() if part.name in ("STANDARD", "DAYLIGHT")} == {"CET", "CEST"}

    second = ical_js(body)
    assert second["zones"] == ["Europe/Madrid"]
    by_uid = {event["uid"]: event for event in second["events"]}
    for key, moment in expected.items():
        assert by_uid[key]["zone"] == "Europe/Madrid"
        assert by_uid[key]["start_utc"] == moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert by_uid[uid("2026-03-4", "billing")] ["all_day"] is True


def test_a_zone_without_dst_and_a_member_of_an_operation(dav: WsgiClient) -> None:
    body = get(dav, GULF + "?deadlines=timed").body
    remittance = events(body)[uid("2026-W14", "remittance", "bh-usd-weekly")]
    assert remittance.decoded("DTSTART") == datetime.datetime(2026, 4, 9, 7, tzinfo=UTC)  # 11:00 at +04
    (zone,) = icalendar.Calendar.from_ical(body).walk("VTIMEZONE")
    assert zone["TZID"] == "Asia/Dubai" and not zone.walk("DAYLIGHT")
    by_uid = {event["uid"]: event for event in ical_js(body)["events"]}
    assert by_uid[uid("2026-W14", "remittance", "bh-usd-weekly")]["start_utc"] == "2026-04-09T07:00:00Z"


def test_alarms_go_before_every_deadline(dav: WsgiClient) -> None:
    body = get(dav, ES + "?deadlines=timed&alarm=P1D").body
    found = events(body)
    remittance = found[uid("2026-03-4", "remittance")]
    (alarm,) = remittance.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY" and alarm.decoded("TRIGGER") == -datetime.timedelta(days=1)
    assert str(alarm["DESCRIPTION"]) == "Reminder: BSP ES EUR · Remittance 2026-03-4"
    with_alarms = {key.split("@")[0].split("-", 3)[-1] for key, event in found.items() if event.walk("VALARM")}
    assert with_alarms == {"submission", "remittance"}  # this calendar's deadlines; billing and settlement: none
    cargo = events(get(dav, "/cass-import/de-eur-twice-monthly.ics?alarm=P2DT3H").body)
    assert {key.split("@")[0][5:] for key, event in cargo.items() if event.walk("VALARM")} == {
        "remittance", "correction-cutoff", "dispute-deadline"}
    assert all(event.walk("VALARM")[0].decoded("TRIGGER") == -datetime.timedelta(days=2, hours=3)
               for event in cargo.values() if event.walk("VALARM"))
    by_uid = {event["uid"]: event for event in ical_js(body)["events"]}
    assert by_uid[uid("2026-03-4", "remittance")]["alarms"] == [
        {"action": "DISPLAY", "trigger": "-P1D", "description": "Reminder: BSP ES EUR · Remittance 2026-03-4"}]


@pytest.mark.parametrize(("query", "message"), [
    ("alarm=P31D", b"alarm='P31D': an ISO 8601 duration such as P1D, PT2H or P2DT3H, at most P30D\n"),
    ("alarm=1%20day", b"alarm='1 day': an ISO 8601 duration such as P1D, PT2H or P2DT3H, at most P30D\n"),
    ("alarm=P1Y", b"alarm='P1Y': an ISO 8601 duration such as P1D, PT2H or P2DT3H, at most P30D\n"),
    ("deadlines=yes", b"deadlines='yes': expected deadlines=timed\n"),
])  # fmt: skip
def test_bad_options_are_a_400_saying_why(dav: WsgiClient, query: str, message: bytes) -> None:
    assert get(dav, f"{ES}?{query}", 400).body == message
    feed = get(dav, f"/.web/feed.ics?country=ES&{query}", 400).body
    assert feed.split(b": ", 1)[0] == message.split(b": ", 1)[0]


def test_the_feed_takes_the_same_options(dav: WsgiClient) -> None:
    plain = get(dav, "/.web/feed.ics?country=ES")
    timed = get(dav, "/.web/feed.ics?country=ES&deadlines=timed&alarm=PT2H")
    assert plain.headers["etag"] != timed.headers["etag"]
    assert b"TZID" not in plain.body and b"VALARM" not in plain.body
    found = events(timed.body)
    assert found[uid("2026-03-4", "remittance")].decoded("DTSTART") == datetime.datetime(2026, 4, 16, 10, tzinfo=UTC)
    (alarm,) = found[uid("2026-03-4", "remittance")].walk("VALARM")
    assert alarm.decoded("TRIGGER") == -datetime.timedelta(hours=2)
    parsed = ical_js(timed.body)
    assert parsed["zones"] == ["Europe/Madrid"] and len(parsed["events"]) == len(found)
    again = dav.request("GET", "/.web/feed.ics?country=ES&deadlines=timed&alarm=PT2H",
                        headers={"If-None-Match": timed.headers["etag"]})
    assert again.status == 304


def test_the_page_shows_zone_cutoffs_settled_periods_and_rewrites_the_links(dav: WsgiClient) -> None:
    page = get(dav, "/.web/?country=ES&month=2026-04").body.decode()
    assert "Cut-off times are in the operation&#39;s time zone, Europe/Madrid." in page
    # The month grid: the cut-off with the abbreviation the zone uses that day (summer time in April).
    assert "</span>12:00 CEST</span>" in page and "</span>14:00 CEST</span>" in page
    march = get(dav, "/.web/?country=ES&month=2026-03").body.decode()
    assert "</span>14:00 CET</span>" in march  # 27 March, before the change
    assert "Settles periods 2026-03-1 to 2026-03-4" in page
    assert 'value="timed" id="option-timed">' in page and 'value="http://127.0.0.1:5232/bsp/es-eur-monthly.ics"' in page
    chosen = get(dav, "/.web/?country=ES&month=2026-04&deadlines=timed&alarm=P1D").body.decode()
    assert 'value="timed" id="option-timed" checked>' in chosen
    assert '<option value="P1D" selected>1 day before</option>' in chosen
    assert "/bsp/es-eur-monthly.ics?deadlines=timed&amp;alarm=P1D" in chosen
    assert "/.web/feed.ics?country=ES&amp;deadlines=timed&amp;alarm=P1D" in chosen
    gulf = get(dav, "/.web/?country=BH").body.decode()
    assert "Asia/Dubai" in gulf and "One operation with United Arab Emirates, Oman" in gulf
    systems = get(dav, "/.web/?system=CASS-IMPORT").body.decode()
    assert "CASS-IMPORT (cargo import)" in systems and "/cass-import/de-eur-twice-monthly/" in systems


def test_the_pdf_names_the_settled_periods_and_the_cutoff_zone(dav: WsgiClient) -> None:
    body = get(dav, "/.web/download.pdf?country=ES&from=2026-04-01&to=2026-04-30").body
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(body)).pages)
    assert "Settles periods 2026-03-1 to 2026-03-4" in text
    assert "12:00 CEST" in text


def test_cass_import_in_the_filters_the_atom_feed_and_the_api(dav: WsgiClient) -> None:
    assert get(dav, "/.web/?system=cass_import", 302).headers["location"] == "/.web/?system=CASS-IMPORT"
    atom = get(dav, "/.web/changes.atom?system=CASS-IMPORT").body.decode()
    assert "CASS-IMPORT DE EUR twice monthly: release 1 (Added: 6)" in atom and "BSP" not in atom
    (calendar,) = json.loads(get(dav, "/.web/api/v1/calendars?system=CASS-IMPORT").body)["calendars"]
    assert (calendar["id"], calendar["timezone"]) == ("cass-import/de-eur-twice-monthly", "Europe/Berlin")
