"""The URL's parameters ↔ the selection: parsing, canonical form, problems."""

from __future__ import annotations

import datetime

from settlecal.domain import Frequency, Kind, System
from settlecal.filters import Problem, Selection, parse


def test_everything_optional() -> None:
    assert parse("") == (Selection(), [])
    assert Selection().query() == ""


def test_fixed_interface_round_trips() -> None:
    query = "system=BSP&country=ES&currency=EUR&frequency=monthly&month=2026-12&lang=es"
    chosen, problems = parse(query)
    assert problems == []
    assert chosen == Selection(System.BSP, "ES", "EUR", Frequency.MONTHLY, month=datetime.date(2026, 12, 1), lang="es")
    assert chosen.query() == "?" + query


def test_lenient_spellings_become_canonical() -> None:
    chosen, problems = parse("system=bsp&country=Spain&currency=eur&frequency=Twice-Monthly&kind=settlement"
                             "&kind=remittance,billing")
    assert problems == []
    assert chosen.query() == ("?system=BSP&country=ES&currency=EUR&frequency=twice-monthly"
                              "&kind=billing,remittance,settlement")
    assert chosen.kinds == (Kind.BILLING, Kind.REMITTANCE, Kind.SETTLEMENT)


def test_values_that_mean_nothing_are_dropped_and_reported() -> None:
    chosen, problems = parse("system=XYZ&month=2026-13&from=2026-02-30&kind=lunch&lang=de&country=Narnia")
    assert chosen == Selection()
    assert set(problems) == {Problem("system", "XYZ"), Problem("month", "2026-13"), Problem("from", "2026-02-30"),
                             Problem("kind", "lunch"), Problem("lang", "de"), Problem("country", "Narnia")}


def test_a_range_backwards_keeps_its_start() -> None:
    chosen, problems = parse("from=2026-06-01&to=2026-01-01")
    assert chosen.first == datetime.date(2026, 6, 1) and chosen.last is None
    assert problems == [Problem("to", "2026-01-01")]


def test_query_with_changes() -> None:
    chosen = Selection(System.CASS, month=datetime.date(2026, 4, 1))
    assert chosen.query(month=datetime.date(2026, 5, 1), lang="es") == "?system=CASS&month=2026-05&lang=es"
    assert chosen.query(system=None) == "?month=2026-04"
