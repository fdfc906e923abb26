"""A real CalDAV client (the `caldav` package) against the real server, as a subscriber logs in as bsp."""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Iterator

import caldav
import pytest
from sqlalchemy import Engine

from settlecal import hrefs
from settlecal.db import queries
from settlecal.db.snapshot import reading
from settlecal.domain import Kind, System
from tests.protocol.client import Client
from tests.protocol.conftest import Importer
from tests.protocol.test_subscriber import ES, live_key_dates

CALENDAR_URL_PATH = "/bsp/es-eur-monthly/"


@pytest.fixture
def client(server: str) -> Iterator[caldav.DAVClient]:
    with caldav.DAVClient(url=f"{server}/", username="bsp", password="anything") as dav_client:
        yield dav_client


def es_calendar(client: caldav.DAVClient) -> caldav.Calendar:
    (calendar,) = [c for c in client.principal().calendars() if str(c.url).endswith(CALENDAR_URL_PATH)]
    return calendar


def uids(objects: list[caldav.CalendarObjectResource]) -> set[str]:
    return {str(obj.icalendar_component["UID"]) for obj in objects}


def test_discovers_every_bsp_calendar(client: caldav.DAVClient, loaded: Engine) -> None:
    principal = client.principal()
    assert str(principal.url).endswith("/bsp/")
    with reading(loaded) as session:
        expected = {f"/{state.key.path}/" for state in queries.calendar_states(session, System.BSP)}
    calendars = principal.calendars()
    assert {c.url.path for c in calendars} == expected
    names = {c.url.path: c.get_display_name() for c in calendars}
    assert names[CALENDAR_URL_PATH] == "BSP ES EUR monthly"


def test_fetches_all_events(client: caldav.DAVClient, loaded: Engine) -> None:
    events = es_calendar(client).events()
    assert uids(events) == set(live_key_dates(loaded, ES))
    billing = next(e for e in events if e.url.path.endswith("/2026-03-4-billing.ics"))
    assert billing.icalendar_component.decoded("DTSTART") == datetime.date(2026, 4, 3)


@pytest.mark.parametrize(("start", "end"), [
    (datetime.datetime(2026, 3, 1), datetime.datetime(2026, 4, 1)),
    # Ends at midnight of the 2026-04-03 billing date: that all-day event is outside the range.
    (datetime.datetime(2026, 4, 2), datetime.datetime(2026, 4, 3)),
    (datetime.datetime(2026, 4, 3), datetime.datetime(2026, 4, 4)),
])
def test_time_range_search_matches_the_database(client: caldav.DAVClient, loaded: Engine,
                                                start: datetime.datetime, end: datetime.datetime) -> None:
    found = es_calendar(client).search(event=True, start=start.replace(tzinfo=datetime.timezone.utc),
                                       end=end.replace(tzinfo=datetime.timezone.utc), expand=False)
    expected = {
        uid for uid, row in live_key_dates(loaded, ES).items()
        if row.date < end.date() and row.end >= start.date()
    }
    assert uids(found) == expected
    billing = "2026-03-4-billing@es-eur-monthly.bsp.settlecal"
    assert (billing in expected) == (start.date() <= datetime.date(2026, 4, 3) < end.date())


def test_sync_tokens_report_exactly_the_changes(client: caldav.DAVClient, dav: Client, loaded: Engine,
                                                reimport: Importer, amendment: pathlib.Path) -> None:
    calendar = es_calendar(client)
    synced = calendar.objects_by_sync_token(load_objects=True)
    assert uids(list(synced)) == set(live_key_dates(loaded, ES))
    again = calendar.objects_by_sync_token(sync_token=synced.sync_token, load_objects=False)
    assert len(again) == 0
    before = {obj.url.path: dav.request("GET", obj.url.path).body for obj in synced}

    reimport(amendment)
    changed = calendar.objects_by_sync_token(sync_token=synced.sync_token, load_objects=False)
    removed = {url.path for url in changed.deleted_urls}
    assert removed == {f"{CALENDAR_URL_PATH}2026-08-3-period.ics", f"{CALENDAR_URL_PATH}2026-08-3-submission.ics"}
    updated = {obj.url.path for obj in changed} - removed
    # Exactly the events whose bytes changed: moved ones, and those whose period's remarks changed.
    now = {path: dav.request("GET", path).body for path in before if path not in removed}
    assert updated == {path for path, body in now.items() if before[path] != body}
    moved = {f"{CALENDAR_URL_PATH}{hrefs.event_name(p, Kind(k))}" for p, k in (
        ("2026-03-4", "billing"), ("2026-09-4", "settlement"), ("2026-11-4", "remittance"),
        ("2026-12-4", "billing"))}
    assert moved <= updated
    # The client's own incremental sync agrees and the next one is empty.
    updated_objects, deleted_objects = synced.sync()
    assert {o.url.path for o in updated_objects} == updated
    assert {o.url.path for o in deleted_objects} == removed
    assert synced.sync() == ([], [])


OPERATIONS = pathlib.Path(__file__).parents[1] / "data" / "releases" / "operations-2026.csv"


def test_cass_import_is_discovered_at_its_own_principal(server: str, loaded: Engine, reimport: Importer,
                                                        tmp_path: pathlib.Path) -> None:
    # Without Spain, which the sample release has: only the new calendars.
    lines = [line for line in OPERATIONS.read_text().splitlines() if ",ES," not in line]
    (tmp_path / "operations.csv").write_text("\n".join(lines) + "\n")
    reimport(tmp_path / "operations.csv")
    with caldav.DAVClient(url=f"{server}/", username="cass-import", password="anything") as importer:
        principal = importer.principal()
        assert str(principal.url).endswith("/cass-import/")
        (calendar,) = principal.calendars()
        assert calendar.url.path == "/cass-import/de-eur-twice-monthly/"
        assert calendar.get_display_name() == "CASS-IMPORT DE EUR twice-monthly"
        events = calendar.events()
        assert uids(events) == {f"2606-{kind}@de-eur-twice-monthly.cass-import.settlecal" for kind in (
            "period", "billing", "remittance", "settlement", "correction-cutoff", "dispute-deadline")}
        synced = calendar.objects_by_sync_token(load_objects=False)
        assert len(list(synced)) == 6
    # CASS Export's principal does not list it; each member of the Gulf operation has its calendar,
    # with its own UIDs, so two members subscribed in one client do not clash.
    with caldav.DAVClient(url=f"{server}/", username="cass", password="anything") as cass:
        assert all("/cass-import/" not in c.url.path for c in cass.principal().calendars())
    with caldav.DAVClient(url=f"{server}/", username="bsp", password="anything") as bsp:
        gulf = {c.url.path: c for c in bsp.principal().calendars() if c.url.path.endswith("-usd-weekly/")}
        assert set(gulf) == {"/bsp/ae-usd-weekly/", "/bsp/bh-usd-weekly/", "/bsp/om-usd-weekly/"}
        member_uids = [uids(calendar.events()) for calendar in gulf.values()]
        assert all(len(found) == 10 for found in member_uids)
        assert not set.intersection(*member_uids)
