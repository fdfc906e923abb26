"""The shipped sample release (what `make run` loads) and its amendment: realistic, complete, valid,
and an amendment that differs from the sample only by a few moved dates and one removed period."""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
from collections import defaultdict

from settlecal.domain import Frequency, Kind, period_year
from settlecal.release_format.file import read_release

DATE_COLUMNS = tuple(kind.column for kind in Kind if kind is not Kind.PERIOD)
Calendar = tuple[str, str, str, str]
Pair = tuple[Calendar, int]


def _rows(path: pathlib.Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fp:
        return list(csv.DictReader(fp))


def _calendar(row: dict[str, str]) -> Calendar:
    return (row["system"], row["country"], row["currency"], row["frequency"])


def _pair(row: dict[str, str]) -> Pair:
    start, end = dt.date.fromisoformat(row["period_start"]), dt.date.fromisoformat(row["period_end"])
    return _calendar(row), period_year(start, end)


def _by_pair(rows: list[dict[str, str]]) -> dict[Pair, dict[str, dict[str, str]]]:
    """Rows by (calendar, year), then by period code."""
    pairs: dict[Pair, dict[str, dict[str, str]]] = defaultdict(dict)
    for row in rows:
        assert row["period"] not in pairs[_pair(row)], f"duplicate period {row['period']}"
        pairs[_pair(row)][row["period"]] = row
    return pairs


def test_sample_covers_the_domain(sample: pathlib.Path) -> None:
    rows = _rows(sample)
    calendars = {_calendar(row) for row in rows}
    assert len({country for _, country, _, _ in calendars}) >= 8
    assert {system for system, _, _, _ in calendars} == {"BSP", "CASS"}
    assert {frequency for _, _, _, frequency in calendars} == {frequency.value for frequency in Frequency}
    assert {("BSP", "AE", "AED", "twice-monthly"), ("BSP", "AE", "USD", "twice-monthly")} <= calendars
    assert {row["remittance_cutoff"] for row in rows if row["remittance"]} == {"12:00", "14:00"}
    assert any(row["remarks"] for row in rows)


def test_spain_reports_four_times_a_month_and_remits_once(sample: pathlib.Path) -> None:
    spain = [row for row in _rows(sample) if _calendar(row) == ("BSP", "ES", "EUR", "monthly")]
    assert len(spain) == 2 * 12 * 4
    remitting = [row for row in spain if row["remittance"]]
    assert [row["period"][-2:] for row in remitting] == ["-4"] * 24
    assert all(row["billing"] for row in remitting)
    assert not any(row["billing"] for row in spain if not row["remittance"])


def test_sample_years_2026_and_2027_are_complete(sample: pathlib.Path) -> None:
    pairs = _by_pair(_rows(sample))
    calendars = {calendar for calendar, _ in pairs}
    assert set(pairs) == {(calendar, year) for calendar in calendars for year in (2026, 2027)}
    for (calendar, year), periods in pairs.items():
        spans = sorted((dt.date.fromisoformat(r["period_start"]), dt.date.fromisoformat(r["period_end"]))
                       for r in periods.values())
        # 4 January and 28 December: the days the year's first and last ISO weeks always hold.
        assert spans[0][0] <= dt.date(year, 1, 4) <= spans[0][1], (calendar, year)
        assert spans[-1][0] <= dt.date(year, 12, 28) <= spans[-1][1], (calendar, year)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            assert start == end + dt.timedelta(days=1), (calendar, year, end, start)


def test_sample_files_validate(sample: pathlib.Path, amendment: pathlib.Path) -> None:
    release = read_release(sample)
    assert len(release.rows) == len(_rows(sample))
    assert sum(1 for row in release.rows for _ in row.key_dates()) == 5349
    assert len(read_release(amendment).rows) == len(_rows(amendment))


def test_amendment_replaces_a_few_pairs_of_the_sample(sample: pathlib.Path, amendment: pathlib.Path) -> None:
    amended_pairs = set(_by_pair(_rows(amendment)))
    assert 2 <= len(amended_pairs) <= 3
    assert amended_pairs <= set(_by_pair(_rows(sample)))


def test_amendment_moves_dates_for_bank_holidays_and_removes_one_period(
    sample: pathlib.Path, amendment: pathlib.Path
) -> None:
    before, after = _by_pair(_rows(sample)), _by_pair(_rows(amendment))
    removed, moved = [], []
    for pair, new_periods in after.items():
        old_periods = before[pair]
        assert set(new_periods) <= set(old_periods), "the amendment adds no period"
        removed += [(pair, code) for code in old_periods.keys() - new_periods.keys()]
        for code, new in new_periods.items():
            old = old_periods[code]
            changed = [column for column in DATE_COLUMNS if old[column] != new[column]]
            moved += [(pair, code, column, old[column], new[column]) for column in changed]
            if changed:
                assert "Moved: bank holiday" in new["remarks"]
            assert {c: v for c, v in new.items() if c not in changed and c != "remarks"} == {
                c: v for c, v in old.items() if c not in changed and c != "remarks"
            }
            assert new["remarks"] == old["remarks"] or changed
    assert len(removed) == 1
    assert len(moved) >= 2
    assert all(new > old for *_, old, new in moved), "bank holidays push dates later"
