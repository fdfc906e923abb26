"""The synthetic release generator: deterministic, near its key-date target, within the release rules,
and amendments that move exactly what they report."""

from __future__ import annotations

import csv
import datetime as dt
import io
import pathlib
from collections import defaultdict
from collections.abc import Sequence

import pycountry
import pytest

from bench.catalogue import Operation, by_path, operations
from bench.synthetic import (
    amend_release,
    generate_for_key_dates,
    generate_release,
    is_business_day,
    main,
)
from settlecal.domain import CalendarKey, Frequency, Kind, System, period_year
from settlecal.release_format.rows import COLUMNS

BUSINESS_COLUMNS = tuple(kind.column for kind in Kind if kind is not Kind.PERIOD)
FREQUENCIES = {frequency.value for frequency in Frequency}


def _release(*, years: list[int], operations: Sequence[Operation] | None = None, seed: int = 0) -> str:
    out = io.StringIO()
    generate_release(out, years=years, operations=operations, seed=seed)
    return out.getvalue()


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    assert tuple(reader.fieldnames or ()) == COLUMNS
    return list(reader)


def _calendar(row: dict[str, str]) -> tuple[str, ...]:
    return (row["system"], row["country"], row["currency"], row["frequency"])


def _path(row: dict[str, str]) -> str:
    return CalendarKey(System(row["system"]), row["country"], row["currency"], Frequency(row["frequency"])).path


def _day(cell: str) -> dt.date:
    return dt.date.fromisoformat(cell)


def _key_dates(rows: list[dict[str, str]]) -> int:
    return sum(1 + sum(1 for column in BUSINESS_COLUMNS if row[column]) for row in rows)


def _problems(rows: list[dict[str, str]]) -> list[str]:
    """The release rules, checked independently of the generator."""
    problems: list[str] = []
    periods: dict[tuple[tuple[str, ...], int], list[tuple[dt.date, dt.date, str]]] = defaultdict(list)
    for line, row in enumerate(rows, start=2):
        start, end = _day(row["period_start"]), _day(row["period_end"])
        if row["system"] not in {"BSP", "CASS"} or row["frequency"] not in FREQUENCIES:
            problems.append(f"line {line}: bad system or frequency")
        if pycountry.countries.get(alpha_2=row["country"]) is None:
            problems.append(f"line {line}: unknown country {row['country']}")
        if pycountry.currencies.get(alpha_3=row["currency"]) is None:
            problems.append(f"line {line}: unknown currency {row['currency']}")
        if end < start:
            problems.append(f"line {line}: period ends before it starts")
        if row["remittance"] and _day(row["remittance"]) < end:
            problems.append(f"line {line}: remittance before period end")
        if row["remittance"] and len(row["remittance_cutoff"]) != 5:
            problems.append(f"line {line}: remittance without HH:MM cut-off")
        problems += [
            f"line {line}: {column} {row[column]} is not a weekday"
            for column in BUSINESS_COLUMNS
            if row[column] and _day(row[column]).weekday() >= 5
        ]
        periods[_calendar(row), period_year(start, end)].append((start, end, row["period"]))
    for (calendar, year), spans in periods.items():
        problems += _calendar_year_problems(calendar, year, sorted(spans))
    return problems


def _calendar_year_problems(
    calendar: tuple[str, ...], year: int, spans: list[tuple[dt.date, dt.date, str]]
) -> list[str]:
    """Unique codes, no overlaps, no gaps, and the whole year covered."""
    problems = []
    codes = [code for _, _, code in spans]
    if len(set(codes)) != len(codes):
        problems.append(f"{calendar} {year}: duplicate period codes")
    for (_, end, code), (start, _, next_code) in zip(spans, spans[1:]):
        if start != end + dt.timedelta(days=1):
            problems.append(f"{calendar} {year}: {code} and {next_code} overlap or leave a gap")
    # 4 January and 28 December: the days the year's first and last ISO weeks always hold.
    (first_start, first_end, _), (last_start, last_end, _) = spans[0], spans[-1]
    if not (first_start <= dt.date(year, 1, 4) <= first_end and last_start <= dt.date(year, 12, 28) <= last_end):
        problems.append(f"{calendar} {year}: the year is not covered")
    return problems


# ---------------------------------------------------------------------------------------------


def test_catalogue_is_realistic_and_valid() -> None:
    ops = operations()
    keys = [op.key for op in ops]
    assert len(set(keys)) == len(keys)
    bsp = {key.country for key in keys if key.system is System.BSP}
    cass = {key.country for key in keys if key.system is System.CASS}
    assert 170 <= len(bsp) <= 190 and 80 <= len(cass) <= 100
    assert all(pycountry.countries.get(alpha_2=key.country) for key in keys)
    assert all(pycountry.currencies.get(alpha_3=key.currency) for key in keys)
    assert {key.frequency for key in keys if key.system is System.BSP} == set(Frequency)
    assert sum(1 for key in keys if key.currency == "USD" and key.country in bsp) > 40
    (spain,) = by_path(["bsp/es-eur-monthly"])
    assert spain.reporting_periods == 4


def test_same_seed_gives_identical_bytes() -> None:
    first = _release(years=[2026], seed=3)
    assert first == _release(years=[2026], seed=3)
    assert first != _release(years=[2026], seed=4)


def test_a_pair_reads_the_same_whatever_else_the_release_holds() -> None:
    spain = by_path(["bsp/es-eur-monthly"])
    alone = _rows(_release(years=[2027], operations=spain))
    in_full = [
        row for row in _rows(_release(years=[2026, 2027]))
        if _calendar(row) == ("BSP", "ES", "EUR", "monthly") and row["period_end"].startswith("2027")
    ]
    assert in_full == alone


def test_stats_count_what_was_written() -> None:
    out = io.StringIO()
    stats = generate_release(out, years=[2026, 2027])
    rows = _rows(out.getvalue())
    assert stats.rows == len(rows)
    assert stats.key_dates == _key_dates(rows)
    assert stats.calendars == len(operations()) and stats.pairs == 2 * len(operations())


@pytest.mark.parametrize("target", [20_000, 150_000])
def test_key_date_target_is_met_within_five_percent(target: int) -> None:
    out = io.StringIO()
    stats = generate_for_key_dates(out, target)
    assert abs(stats.key_dates - target) <= 0.05 * target
    assert stats.key_dates == _key_dates(_rows(out.getvalue()))


def test_every_generated_row_keeps_the_rules() -> None:
    rows = _rows(_release(years=[2026, 2027]))
    assert _problems(rows) == []
    assert {row["system"] for row in rows} == {"BSP", "CASS"}
    assert {row["frequency"] for row in rows} == FREQUENCIES
    cass = [row for row in rows if row["system"] == "CASS"]
    assert all(row["correction_cutoff"] and row["dispute_deadline"] for row in cass if row["billing"])


def test_codes_follow_each_system_style() -> None:
    chosen = by_path(["bsp/za-zar-weekly", "cass/de-eur-twice-monthly", "bsp/es-eur-monthly"])
    rows = _rows(_release(years=[2027], operations=chosen))
    codes = defaultdict(list)
    for row in rows:
        codes[_calendar(row)].append(row["period"])
    # Each ISO week in its own year: 2026-W53 ends on 3 January 2027 but belongs to 2026, and
    # 2027-W52, which ends on 2 January 2028, closes 2027.
    weeks = codes["BSP", "ZA", "ZAR", "weekly"]
    assert (weeks[0], weeks[-1], len(weeks)) == ("2027-W01", "2027-W52", 52)
    assert codes["CASS", "DE", "EUR", "twice-monthly"][5] == "2706"
    assert codes["BSP", "ES", "EUR", "monthly"][3:5] == ["2027-01-4", "2027-02-1"]


def test_finer_reporting_periods_carry_remittance_only_on_the_last() -> None:
    rows = _rows(_release(years=[2026], operations=by_path(["bsp/es-eur-monthly"])))
    assert len(rows) == 48
    assert [row["period"][-1] for row in rows if row["remittance"]] == ["4"] * 12
    assert all(row["submission"] and not row["billing"] for row in rows if not row["remittance"])


def test_amendment_moves_exactly_what_it_reports() -> None:
    source = _release(years=[2026])
    amended = io.StringIO()
    moves = amend_release(io.StringIO(source), amended, fraction=0.05, seed=9)
    before, after = _rows(source), _rows(amended.getvalue())
    assert len(before) == len(after)
    changed = []
    for old, new in zip(before, after):
        for column in COLUMNS:
            if old[column] == new[column]:
                continue
            assert column in BUSINESS_COLUMNS
            assert _business_days_between(_day(old[column]), _day(new[column])) in (1, 2)
            kind = next(kind.value for kind in Kind if kind.column == column)
            changed.append((_path(new), new["period"], kind, new[column]))
    assert changed == [tuple(move) for move in moves]
    assert 0.04 < len(moves) / (_key_dates(before) - len(before)) < 0.06
    assert _problems(after) == []


def _business_days_between(old: dt.date, new: dt.date) -> int:
    """How many business days `new` lies from `old`, either way."""
    step = 1 if new > old else -1
    days = (old + dt.timedelta(days=step * n) for n in range(1, abs((new - old).days) + 1))
    return sum(1 for day in days if is_business_day(day))


def test_cli_writes_and_amends(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]) -> None:
    release, amended, moves = tmp_path / "r.csv", tmp_path / "a.csv", tmp_path / "m.csv"
    main(["--years", "2026", "--calendar", "cass/us-usd-four-times-monthly", "-o", str(release)])
    assert "rows=48 " in capsys.readouterr().out
    main(["--amend", str(release), "--fraction", "0.5", "--moves", str(moves), "-o", str(amended)])
    moved = int(capsys.readouterr().out.split("moved=")[1].split()[0])
    assert moved > 0 and len(moves.read_text().splitlines()) == moved + 1
