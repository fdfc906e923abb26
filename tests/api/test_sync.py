"""A back office that follows `/changes` ends up with the database's key dates, through an amendment and
a rollback; a pagination of key dates never mixes two states of the calendars it reads."""

from __future__ import annotations

import pathlib
from typing import Any

from sqlalchemy import Engine, text

from caldav_plugin.wsgi import make_application
from settlecal.releases.service import rollback
from tests.api.conftest import get, local, walk
from tests.protocol.client import WsgiClient
from tests.protocol.conftest import Importer

KeyDates = dict[tuple[str, str, str], tuple[str, str, str | None]]  # (calendar, period, kind) → date, end, cut-off
Remarks = dict[tuple[str, str], str | None]  # (calendar, period) → remarks


class BackOffice:
    """A copy of the calendars, kept by replaying the change log: what the API promises is enough."""

    def __init__(self, client: WsgiClient) -> None:
        self.client = client
        self.revision = 0
        self.key_dates: KeyDates = {}
        self.remarks: Remarks = {}

    def sync(self) -> int:
        """Applies every change since the last sync; returns how many."""
        applied = 0
        for change in walk(self.client, f"/changes?since={self.revision}&limit=500", "changes"):
            self.apply(change)
            self.revision = change["revision"]
            applied += 1
        _, body = get(self.client, f"/changes?since={self.revision}")
        self.revision = body["revision"]
        return applied

    def apply(self, change: dict[str, Any]) -> None:
        key = (change["calendar"]["id"], change["period"], change["kind"])
        new = change["new"]
        if new is None:
            del self.key_dates[key]
            if change["kind"] == "period":
                del self.remarks[key[:2]]
            return
        self.key_dates[key] = (new["date"], new["end"], new["cutoff"])
        if change["kind"] == "period":
            self.remarks[key[:2]] = new["remarks"]


def database(engine: Engine) -> tuple[KeyDates, Remarks]:
    query = """
        SELECT lower(c.system) || '/' || lower(c.country) || '-' || lower(c.currency) || '-' || c.frequency,
               p.code, k.kind, k.date, k."end", k.cutoff, p.remarks
        FROM key_date k JOIN period p ON p.id = k.period_id JOIN calendar c ON c.id = k.calendar_id
        WHERE NOT k.removed
    """
    key_dates: KeyDates = {}
    remarks: Remarks = {}
    with engine.connect() as connection:
        for calendar, period, kind, date, end, cutoff, remark in connection.execute(text(query)):
            key_dates[(calendar, period, kind)] = (str(date), str(end), cutoff)
            remarks[(calendar, period)] = remark
    return key_dates, remarks


def test_following_the_changes_reproduces_the_database(loaded: Engine, database_url: str, reimport: Importer,
                                                       amendment: pathlib.Path) -> None:
    office = BackOffice(WsgiClient(make_application(database_url=database_url)))

    assert office.sync() == len(database(loaded)[0]) > 5000
    assert (office.key_dates, office.remarks) == database(loaded)

    reimport(amendment)
    assert office.sync() == 15  # 7 moved, 6 with new remarks, 2 removed
    assert (office.key_dates, office.remarks) == database(loaded)
    assert office.revision == 2

    rollback(loaded, operator="tests", notify=False)
    assert office.sync() == 15
    assert (office.key_dates, office.remarks) == database(loaded)
    assert office.revision == 3
    assert office.sync() == 0


def test_a_release_between_two_pages_stops_the_pagination(loaded: Engine, database_url: str, reimport: Importer,
                                                          amendment: pathlib.Path) -> None:
    client = WsgiClient(make_application(database_url=database_url))
    _, spain = get(client, "/key-dates?country=ES&limit=10")
    _, japan = get(client, "/key-dates?country=JP&limit=10")

    reimport(amendment)

    answer, body = get(client, local(spain["next"]))
    assert (answer.status, body["code"], body["parameter"]) == (410, "cursor_stale", "cursor")
    answer, body = get(client, local(japan["next"]))
    assert answer.status == 200, "the amendment did not touch Japan's calendar"
    assert body["revision"] == 2


def test_since_a_revision_this_server_never_made(loaded: Engine, database_url: str) -> None:
    client = WsgiClient(make_application(database_url=database_url))

    answer, body = get(client, "/changes?since=2")

    assert (answer.status, body["code"], body["parameter"], body["revision"]) == (400, "since_in_future", "since", 1)
