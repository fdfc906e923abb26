"""`/calendars` and `/key-dates` against the database they read: the same calendars, counts and key
dates, every key date exactly once across the pages of a pagination."""

from __future__ import annotations

import collections
from typing import Any

import pytest
from sqlalchemy import Engine, text

from settlecal.zones import country_zone
from settlecal import hrefs
from settlecal.api.encode import utc_text
from settlecal.db import queries
from settlecal.db.snapshot import reading
from settlecal.domain import CalendarKey, Frequency, Kind, System
from tests.api.conftest import get, walk
from tests.protocol.client import WsgiClient

IN_FORCE = """
    SELECT c.system, c.country, c.currency, c.frequency, p.code, k.kind, k.date, k."end", k.cutoff, k.sequence,
           k.revision, p.start, p."end", p.remarks
    FROM key_date k JOIN period p ON p.id = k.period_id JOIN calendar c ON c.id = k.calendar_id
    WHERE NOT k.removed {where}
    ORDER BY k.date, c.system, c.country, c.currency, c.frequency, p.code, k.kind
"""


def in_force(engine: Engine, where: str = "", **values: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(text(IN_FORCE.format(where=where)), values)]


def as_row(item: dict[str, Any]) -> tuple[Any, ...]:
    calendar, period = item["calendar"], item["period"]
    return (calendar["system"], calendar["country"], calendar["currency"], calendar["frequency"], period["code"],
            item["kind"], item["date"], item["end"], item["cutoff"], item["sequence"], item["revision"],
            period["start"], period["end"], period["remarks"])


def iso(row: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(value.isoformat() if hasattr(value, "isoformat") else value for value in row)


def test_every_calendar_with_its_counts(api: WsgiClient, api_engine: Engine) -> None:
    answer, body = get(api, "/calendars")

    with reading(api_engine) as session:
        summaries = queries.calendars(session)
        changed_at = {state.key: state.modified_at for state in queries.calendar_states(session)}
        revision = queries.current_revision(session)
    assert body["revision"] == revision == int(answer.headers["x-settlecal-revision"])
    assert [calendar["id"] for calendar in body["calendars"]] == [summary.key.path for summary in summaries]
    for calendar, summary in zip(body["calendars"], summaries, strict=True):
        assert (calendar["system"], calendar["country"], calendar["currency"], calendar["frequency"]) == (
            summary.key.system, summary.key.country, summary.key.currency, summary.key.frequency)
        assert (calendar["periods"], calendar["key_dates"], calendar["first_date"], calendar["last_date"]) == (
            summary.periods, summary.key_dates, summary.first.isoformat(), summary.last.isoformat())
        assert calendar["revision"] == summary.revision
        assert calendar["modified_at"] == utc_text(changed_at[summary.key])
        assert calendar["timezone"] == summary.timezone == country_zone(summary.key.country)


def test_a_calendars_links(api: WsgiClient) -> None:
    _, body = get(api, "/calendars?system=BSP&country=ES", Host="calendars.example.org")

    (calendar,) = body["calendars"]
    assert calendar["name"] == "BSP ES EUR monthly"
    assert calendar["links"] == {
        "caldav": "http://calendars.example.org/bsp/es-eur-monthly/",
        "ics": "http://calendars.example.org/bsp/es-eur-monthly.ics",
        "webcal": "webcal://calendars.example.org/bsp/es-eur-monthly.ics",
        "page": "http://calendars.example.org/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly",
        "key_dates": "http://calendars.example.org/.web/api/v1/key-dates?system=BSP&country=ES&currency=EUR"
                     "&frequency=monthly",
    }


@pytest.mark.parametrize(("query", "expected"), [
    ("system=cass&country=es", ["cass/es-eur-twice-monthly"]),
    ("country=Spain", ["bsp/es-eur-monthly", "cass/es-eur-twice-monthly"]),
    ("currency=usd", ["bsp/ae-usd-twice-monthly", "cass/us-usd-four-times-monthly"]),
    ("frequency=weekly", ["bsp/za-zar-weekly"]),
    ("country=IS", []),
])
def test_filters_follow_the_pages_rules(api: WsgiClient, query: str, expected: list[str]) -> None:
    _, body = get(api, f"/calendars?{query}")

    assert [calendar["id"] for calendar in body["calendars"]] == expected


def test_pages_cover_a_calendar_exactly_once(api: WsgiClient, api_engine: Engine) -> None:
    items = list(walk(api, "/key-dates?system=BSP&country=ES&currency=EUR&frequency=monthly&limit=7", "key_dates"))

    expected = in_force(api_engine, "AND c.system = 'BSP' AND c.country = 'ES' AND c.frequency = 'monthly'")
    assert [as_row(item) for item in items] == [iso(row) for row in expected]
    assert len({item["uid"] for item in items}) == len(items) == 262


def test_pages_cover_every_calendar_exactly_once(api: WsgiClient, api_engine: Engine) -> None:
    items = list(walk(api, "/key-dates?limit=1000", "key_dates"))

    assert [as_row(item) for item in items] == [iso(row) for row in in_force(api_engine)]
    assert max(collections.Counter(item["uid"] for item in items).values()) == 1


def test_kinds_and_a_date_range(api: WsgiClient, api_engine: Engine) -> None:
    items = list(walk(api, "/key-dates?kind=remittance&kind=settlement&from=2026-04-01&to=2026-06-30&limit=50",
                      "key_dates"))

    expected = in_force(api_engine, "AND k.kind IN ('remittance', 'settlement') AND k.date BETWEEN :first AND :last",
                        first="2026-04-01", last="2026-06-30")
    assert [as_row(item) for item in items] == [iso(row) for row in expected]
    assert {item["kind"] for item in items} == {"remittance", "settlement"}


def test_a_key_dates_identity_is_its_events(api: WsgiClient) -> None:
    _, body = get(api, "/key-dates?system=BSP&country=ES&kind=remittance&from=2026-04-13&limit=1")

    (item,) = body["key_dates"]
    assert item["uid"] == "2026-03-4-remittance@es-eur-monthly.bsp.settlecal"
    assert item["cutoff"] == "12:00"
    event = api.request("GET", "/" + item["href"].split("/", 3)[3])
    assert event.status == 200
    assert f"UID:{item['uid']}" in event.text
    key = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
    assert hrefs.parse_path(item["href"].split("/", 3)[3]) == hrefs.EventPath(key, "2026-03-4", Kind.REMITTANCE)


def test_a_remittance_names_the_periods_it_settles_in_its_zone(api: WsgiClient, api_engine: Engine) -> None:
    _, body = get(api, "/key-dates?system=BSP&country=ES&kind=remittance&kind=settlement&from=2026-04-13"
                       "&to=2026-04-30&limit=50")
    remittance = next(item for item in body["key_dates"] if item["period"]["code"] == "2026-03-4"
                      and item["kind"] == "remittance")
    settlement = next(item for item in body["key_dates"] if item["kind"] == "settlement")

    with api_engine.connect() as connection:
        spans = dict(connection.execute(text(
            "SELECT p.code, p.start FROM period p JOIN calendar c ON c.id = p.calendar_id "
            "WHERE c.system = 'BSP' AND c.country = 'ES' AND p.code LIKE '2026-03-%'")).all())
    assert remittance["settles"] == {"first": "2026-03-1", "last": "2026-03-4",
                                     "start": str(spans["2026-03-1"]), "end": remittance["period"]["end"],
                                     "count": 4}
    assert remittance["timezone"] == settlement["timezone"] == country_zone("ES") == "Europe/Madrid"
    assert settlement["settles"] is None
    event = api.request("GET", "/" + remittance["href"].split("/", 3)[3])
    assert "Settles periods 2026-03-1 to 2026-03-4" in event.text.replace("\r\n ", "")
