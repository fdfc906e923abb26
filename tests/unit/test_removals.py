"""The guard against mass removal: which removals need --allow-removals, and how a refusal reads."""

from __future__ import annotations

import pytest

from settlecal.domain import CalendarKey, Frequency, System
from settlecal.errors import SettlecalError
from settlecal.changes import Removal
from settlecal.releases.removals import RemovalsRefused, refused

ZA = CalendarKey(System.BSP, "ZA", "ZAR", Frequency.WEEKLY)
ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)


@pytest.mark.parametrize(
    ("removed", "in_force", "mass"),
    [(1, 260, False), (5, 260, False), (65, 260, False), (66, 260, True), (160, 260, True), (260, 260, True),
     (1, 4, False), (2, 4, True), (1, 1, True), (5, 10, True), (0, 0, False)],
)  # fmt: skip
def test_all_or_more_than_a_quarter_is_a_mass_removal(removed: int, in_force: int, mass: bool) -> None:
    assert Removal(ZA, 2027, removed, in_force).mass is mass


def test_only_mass_removals_are_refused_and_only_when_not_allowed() -> None:
    small, truncated = Removal(ZA, 2026, 5, 265), Removal(ZA, 2027, 160, 260)

    assert refused([small, truncated], allow_removals=False) == (truncated,)
    assert refused([small, truncated], allow_removals=True) == ()


def test_a_refusal_carries_its_removals_and_names_each_with_the_way_out() -> None:
    error = RemovalsRefused([Removal(ZA, 2027, 160, 260), Removal(ES, 2026, 60, 60)])

    assert isinstance(error, SettlecalError)
    assert error.removals == ((ZA, 2027, 160, 260), (ES, 2026, 60, 60))
    assert str(error) == (
        "refused: the release would remove all or more than a quarter of the key dates in force of 2 calendar "
        "years (a truncated file?):\n"
        "  BSP ZA ZAR weekly 2027: 160 of 260 key dates in force (61.5%)\n"
        "  BSP ES EUR monthly 2026: all 60 key dates in force\n"
        "Nothing was written. If the file is complete, import it with --allow-removals."
    )
