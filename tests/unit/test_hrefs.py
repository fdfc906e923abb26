"""hrefs: paths and names both ways, injective and canonical."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from settlecal import hrefs
from settlecal.domain import CalendarKey, Frequency, Kind, System

ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
US4 = CalendarKey(System.CASS, "US", "USD", Frequency.FOUR_TIMES_MONTHLY)


@pytest.mark.parametrize(("code", "escaped"), [
    ("2026-03-4", "2026-03-4"),
    ("2606", "2606"),
    ("2026-W40", "2026-W40"),
    ("26/03 A", "26_2F03_20A"),
    ("a_b", "a_5Fb"),
    (".hidden", "_2Ehidden"),
    ("a.b", "a.b"),
    ("Año", "A_C3_B1o"),
])
def test_escape(code: str, escaped: str) -> None:
    assert hrefs.escape(code) == escaped
    assert hrefs.unescape(escaped) == code


@pytest.mark.parametrize("text", ["", "_41", "_2e", "_2", "a b", ".x", "_C3", "ñ", "a/b"])
def test_unescape_rejects_non_canonical(text: str) -> None:
    assert hrefs.unescape(text) is None


@given(st.text(min_size=1, max_size=40))
def test_escape_round_trips_and_is_safe(code: str) -> None:
    escaped = hrefs.escape(code)
    assert hrefs.unescape(escaped) == code
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in escaped)
    assert not escaped.startswith(".")


@given(st.text(min_size=1, max_size=20), st.text(min_size=1, max_size=20))
def test_escape_is_injective(a: str, b: str) -> None:
    if a != b:
        assert hrefs.escape(a) != hrefs.escape(b)


@given(st.text(min_size=1, max_size=30), st.sampled_from(list(Kind)))
def test_event_names_round_trip(code: str, kind: Kind) -> None:
    assert hrefs.parse_event_name(hrefs.event_name(code, kind)) == (code, kind)


def test_event_name_and_uid() -> None:
    assert hrefs.event_name("2026-03-4", Kind.REMITTANCE) == "2026-03-4-remittance.ics"
    assert hrefs.event_name("2606", Kind.CORRECTION_CUTOFF) == "2606-correction-cutoff.ics"
    assert hrefs.event_uid(ES, "2026-03-4", Kind.REMITTANCE) == "2026-03-4-remittance@es-eur-monthly.bsp.settlecal"
    assert hrefs.parse_event_name("2606-dispute-deadline.ics") == ("2606", Kind.DISPUTE_DEADLINE)
    # A period code may itself end like a kind: the longest kind suffix wins, consistently.
    assert hrefs.parse_event_name(hrefs.event_name("x-period", Kind.BILLING)) == ("x-period", Kind.BILLING)


@pytest.mark.parametrize("name", ["2026-03-4-remittance", "2026-03-4-payday.ics", "-remittance.ics",
                                  "2026_2x-billing.ics", "remittance.ics"])
def test_parse_event_name_rejects(name: str) -> None:
    assert hrefs.parse_event_name(name) is None


@pytest.mark.parametrize(("path", "target"), [
    ("/", hrefs.Root()),
    ("", hrefs.Root()),
    ("/bsp/", hrefs.Principal(System.BSP)),
    ("cass", hrefs.Principal(System.CASS)),
    ("/bsp/es-eur-monthly/", hrefs.CalendarPath(ES)),
    ("/bsp/es-eur-monthly", hrefs.CalendarPath(ES)),
    ("bsp/es-eur-monthly/", hrefs.CalendarPath(ES)),
    ("/bsp/es-eur-monthly.ics", hrefs.CalendarPath(ES, alias=True)),
    ("/cass/us-usd-four-times-monthly/", hrefs.CalendarPath(US4)),
    ("/bsp/es-eur-monthly/2026-03-4-remittance.ics", hrefs.EventPath(ES, "2026-03-4", Kind.REMITTANCE)),
])
def test_parse_path(path: str, target: hrefs.Target) -> None:
    assert hrefs.parse_path(path) == target


@pytest.mark.parametrize("path", [
    "/BSP/", "/arc/", "/bsp/ES-EUR-MONTHLY/", "/bsp/es-eur-daily/", "/bsp/esp-eur-monthly/",
    "/bsp/es-eu-monthly/", "/bsp/es-eur/", "/bsp/es-eur-monthly/x.ics", "/bsp/es-eur-monthly/a/b",
    "/bsp/es-eur-monthly.ics/2026-03-4-remittance.ics", "/bsp/e1-eur-monthly/",
])
def test_parse_path_rejects(path: str) -> None:
    assert hrefs.parse_path(path) is None


def test_paths_of_a_calendar() -> None:
    assert hrefs.collection_path(ES) == "bsp/es-eur-monthly"
    assert hrefs.alias_path(ES) == "/bsp/es-eur-monthly.ics"
    for key in (ES, US4):
        assert hrefs.parse_path(f"/{hrefs.collection_path(key)}/") == hrefs.CalendarPath(key)
        assert hrefs.parse_path(hrefs.alias_path(key)) == hrefs.CalendarPath(key, alias=True)
