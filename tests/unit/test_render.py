"""render: what a key date looks like in iCalendar, and that it is what Radicale itself would compute."""

from __future__ import annotations

import datetime
import gzip

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from radicale import item as radicale_item

from settlecal.formats import ical as render
from settlecal.db.queries import EventRow
from settlecal.domain import CalendarKey, Frequency, Kind, System

ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
RELEASED = datetime.datetime(2026, 1, 5, 9, 30, 15, tzinfo=datetime.timezone.utc)


def row(**changes: object) -> EventRow:
    values: dict[str, object] = dict(
        period="2026-03-4", period_start=datetime.date(2026, 3, 24), period_end=datetime.date(2026, 3, 31),
        remarks=None, kind=Kind.REMITTANCE, date=datetime.date(2026, 4, 16), end=datetime.date(2026, 4, 16),
        cutoff="12:00", sequence=2, revision=3, modified_at=RELEASED, removed=False,
    )
    values.update(changes)
    return EventRow(**values)  # type: ignore[arg-type]


def vevent(text: str) -> icalendar.Event:
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return event


def test_remittance_event() -> None:
    rendered = render.render_event(ES, row())
    event = vevent(rendered.text)
    assert rendered.name == "2026-03-4-remittance.ics"
    assert event["UID"] == rendered.uid == "2026-03-4-remittance@es-eur-monthly.bsp.settlecal"
    assert event["SUMMARY"] == "BSP ES EUR · Remittance 2026-03-4"
    assert event.decoded("DTSTART") == datetime.date(2026, 4, 16)
    assert event.decoded("DTEND") == datetime.date(2026, 4, 17)
    assert "DTSTART;VALUE=DATE:20260416\r\n" in rendered.text and "TZID" not in rendered.text
    assert event["SEQUENCE"] == 2
    assert event.decoded("LAST-MODIFIED") == RELEASED == event.decoded("DTSTAMP")
    assert event["TRANSP"] == "TRANSPARENT"
    assert [str(c) for c in event["CATEGORIES"].cats] == ["BSP", "Remittance"]
    description = str(event["DESCRIPTION"])
    assert "Agent remittance date" in description
    assert "Period 2026-03-4: 2026-03-24 to 2026-03-31." in description
    assert "Cut-off: 12:00 local time." in description
    assert "Release 3 of 2026-01-05." in description
    assert rendered.last_modified == "Mon, 05 Jan 2026 09:30:15 GMT"
    assert "METHOD" not in rendered.text  # calendar object resources must not carry METHOD (RFC 4791)


def test_period_spans_its_days() -> None:
    rendered = render.render_event(ES, row(kind=Kind.PERIOD, date=datetime.date(2026, 3, 24),
                                           end=datetime.date(2026, 3, 31), cutoff=None))
    event = vevent(rendered.text)
    assert event.decoded("DTEND") == datetime.date(2026, 4, 1)
    assert event["SUMMARY"] == "BSP ES EUR · Period 2026-03-4"
    assert "Cut-off" not in str(event["DESCRIPTION"])


def test_rendering_is_deterministic_and_follows_the_row() -> None:
    first, second = render.render_event(ES, row()), render.render_event(ES, row())
    assert first == second
    moved = render.render_event(ES, row(date=datetime.date(2026, 4, 17), end=datetime.date(2026, 4, 17),
                                        sequence=3, revision=4))
    assert moved.uid == first.uid and moved.name == first.name
    assert moved.etag != first.etag


def test_radicale_computes_the_same_fields() -> None:
    """The precomputed etag, uid, component and time range equal what Radicale derives by parsing."""
    rendered = render.render_event(ES, row(kind=Kind.PERIOD, date=datetime.date(2026, 3, 24),
                                           end=datetime.date(2026, 3, 31)))
    parsed = radicale_item.Item(collection_path="bsp/es-eur-monthly", text=rendered.text)
    assert parsed.etag == rendered.etag
    assert parsed.uid == rendered.uid
    assert parsed.component_name == "VEVENT"
    assert parsed.time_range == rendered.time_range


def test_text_is_escaped_and_folded() -> None:
    remarks = "Bank holiday; moved, see note\\1 — " + "x" * 120
    rendered = render.render_event(ES, row(period="26/03 A", remarks=remarks))
    assert all(len(line.encode()) <= 75 for line in rendered.text.split("\r\n"))
    event = vevent(rendered.text)
    assert f"Remarks: {remarks}" in str(event["DESCRIPTION"])
    assert event["SUMMARY"] == "BSP ES EUR · Remittance 26/03 A"
    assert rendered.name == "26_2F03_20A-remittance.ics"


@given(st.text(min_size=1, max_size=200))
def test_fold_keeps_utf8_sequences_whole(value: str) -> None:
    line = "DESCRIPTION:" + render.escape_text(value)
    folded = render.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def test_calendar_stream() -> None:
    events = [render.render_event(ES, row()), render.render_event(ES, row(kind=Kind.SETTLEMENT, cutoff=None))]
    text = render.render_calendar(ES, events, refresh_minutes=720)
    calendar = icalendar.Calendar.from_ical(text)
    assert calendar["X-WR-CALNAME"] == "BSP ES EUR monthly"
    assert str(calendar["REFRESH-INTERVAL"].to_ical(), "ascii") == "PT12H"
    assert calendar["X-PUBLISHED-TTL"] == "PT12H"
    assert "Spain" in str(calendar["X-WR-CALDESC"])
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [e.uid for e in events]
    assert text == render.render_calendar(ES, events, refresh_minutes=720)


@pytest.mark.parametrize(("minutes", "text"), [(720, "PT12H"), (1440, "P1D"), (90, "PT90M"), (2880, "P2D")])
def test_duration(minutes: int, text: str) -> None:
    assert render.duration(minutes) == text


def test_render_cache_is_bounded_and_keyed_by_revision() -> None:
    from caldav_plugin.cache import CalendarRender, RenderCache
    from settlecal import renders

    rows = [row(period=f"2026-{n:02d}-4") for n in range(1, 13)]
    events = tuple(render.render_event(ES, each) for each in rows)
    rendered = CalendarRender(renders.build(ES, 1, rows, 720))
    assert rendered.events == events
    assert rendered.body == render.render_calendar(ES, events, refresh_minutes=720).encode()
    assert rendered.by_name["2026-03-4-remittance.ics"] == events[2]
    assert rendered.text.encode() == rendered.body
    assert gzip.decompress(rendered.gzipped()) == rendered.body
    cache = RenderCache(budget=rendered.size * 2)
    cache.put("bsp/es-eur-monthly", 2, rendered)
    cache.put("bsp/es-eur-monthly", 1, rendered)  # a request on an older snapshot: kept beside the newer
    assert cache.get("bsp/es-eur-monthly", 2) is rendered
    cache.put("bsp/fr-eur-twice-monthly", 2, rendered)  # evicts the least recently used: revision 1
    assert cache.get("bsp/es-eur-monthly", 1) is None
    assert cache.get("bsp/es-eur-monthly", 2) is rendered and len(cache) == 2
    cache.put("bsp/es-eur-monthly", 3, rendered)  # a newer revision drops the older ones of its path
    assert cache.get("bsp/es-eur-monthly", 2) is None and cache.get("bsp/es-eur-monthly", 3) is rendered
    assert len(cache) == 2
    for revision in range(4, 40):  # imports in a loop: one entry per path, whatever the budget
        cache.put("bsp/es-eur-monthly", revision, rendered)
    assert len(cache) == 2 and cache.get("bsp/fr-eur-twice-monthly", 2) is rendered
    RenderCache(budget=1).put("x", 1, rendered)  # larger than the whole budget: not kept, no error
