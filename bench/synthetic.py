"""Synthetic settlement releases in the CSV release format, large enough to benchmark with.

Rows are written as they are made, so a release of millions of key dates never sits in memory.
Each (calendar, year) pair draws from its own random stream seeded by (seed, calendar, year):
output is byte-identical for a seed, and a pair reads the same whatever else the release holds.

    python -m bench.synthetic --key-dates 1000000 -o var/synthetic.csv
    python -m bench.synthetic --years 2026 2027 -o var/synthetic.csv
    python -m bench.synthetic --amend var/synthetic.csv --fraction 0.01 -o var/amended.csv
"""

from __future__ import annotations

import argparse
import calendar
import csv
import dataclasses
import datetime as dt
import random
import sys
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Final, NamedTuple, TextIO

from bench.catalogue import Operation, by_path, operations as all_operations
from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.release_format.cells import EMPTY_MARKERS
from settlecal.release_format.rows import COLUMNS

REMITTANCE_CUTOFF: Final = Kind.REMITTANCE.facts.cutoff_column

# The key dates besides the period itself, in column order.
DATE_KINDS: Final = tuple(kind for kind in Kind if kind is not Kind.PERIOD)

ONE_DAY: Final = dt.timedelta(days=1)
# Holidays common to most operations; key dates skip them as they skip weekends.
_HOLIDAYS: Final = frozenset({(1, 1), (5, 1), (12, 25), (12, 26)})
# Month-grid starts of each reporting period for 1, 2, 3 and 4 periods a month.
_GRID: Final[dict[int, tuple[int, ...]]] = {1: (1,), 2: (1, 16), 3: (1, 11, 21), 4: (1, 8, 16, 24)}


@dataclasses.dataclass(frozen=True, slots=True)
class GeneratedStats:
    """What a generated release holds. Key dates: the period itself plus each non-empty date cell."""

    rows: int
    key_dates: int
    calendars: int
    pairs: int  # (calendar, year) pairs, each complete in the release


class Move(NamedTuple):
    """One key date an amendment moved: calendar path, period code, kind value, new ISO date."""

    calendar: str
    period: str
    kind: str
    date: str


@dataclasses.dataclass(frozen=True, slots=True)
class _Period:
    code: str
    start: dt.date
    end: dt.date
    closes: bool  # the last reporting period of its remittance period: billing and remittance
    remarks: str  # what the operator says about the period whatever its dates


# ---------------------------------------------------------------------------------------------
# Business days


def is_business_day(day: dt.date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _HOLIDAYS


def add_business_days(day: dt.date, count: int) -> dt.date:
    """`count` business days after `day` (before it when negative)."""
    step = ONE_DAY if count > 0 else -ONE_DAY
    for _ in range(abs(count)):
        day += step
        while not is_business_day(day):
            day += step
    return day


def _roll_forward(day: dt.date) -> tuple[dt.date, dt.date | None]:
    """The first business day on or after `day`, and the weekday holiday it skipped, if any."""
    holiday = None
    while not is_business_day(day):
        if holiday is None and day.weekday() < 5:
            holiday = day
        day += ONE_DAY
    return day, holiday


# ---------------------------------------------------------------------------------------------
# Periods


def periods(op: Operation, year: int) -> Iterator[_Period]:
    """The periods of `op` that belong to `year` (`period_year`): together, its complete calendar for
    that year."""
    if op.key.frequency is Frequency.WEEKLY:
        return _weeks(op, year)
    return _month_grid(op, year)


def _weeks(op: Operation, year: int) -> Iterator[_Period]:
    # The year's ISO weeks (Monday-Sunday): week 1 may start in December and week 53 end in January,
    # and each has most of its days in its own year.
    monday = dt.date.fromisocalendar(year, 1, 1)
    bsp = op.key.system is System.BSP
    while monday.isocalendar()[0] == year:
        week = monday.isocalendar()[1]
        code = f"{year}-W{week:02d}" if bsp else f"{year % 100:02d}{week:02d}"
        yield _Period(code, monday, monday + dt.timedelta(days=6), closes=True, remarks="")
        monday += dt.timedelta(days=7)


def _month_grid(op: Operation, year: int) -> Iterator[_Period]:
    starts = _GRID[op.reporting_slots]
    split = op.reporting_periods
    bsp = op.key.system is System.BSP
    sequence = 0
    for month in range(1, 13):
        last_day = calendar.monthrange(year, month)[1]
        for index, first in enumerate(starts):
            sequence += 1
            number = index + 1
            end_day = starts[index + 1] - 1 if number < len(starts) else last_day
            closes = number % split == 0
            covers = f"Remittance covers reporting periods {number - split + 1}-{number}"
            remarks = covers if closes and split > 1 else ""
            # BSP: `2026-03-4` = 4th period of March; CASS: `2606` = 6th period of 2026.
            code = f"{year}-{month:02d}-{number}" if bsp else f"{year % 100:02d}{sequence:02d}"
            start, end = dt.date(year, month, first), dt.date(year, month, end_day)
            yield _Period(code, start, end, closes, remarks)


def count_key_dates(op: Operation, year: int) -> int:
    """Key dates `op` has in `year`, without generating them (the rules fix the count)."""
    per_closing = 5 if op.key.system is System.CASS else 3
    return sum(2 + (per_closing if period.closes else 0) for period in periods(op, year))


# ---------------------------------------------------------------------------------------------
# Rows


def _key_dates(
    op: Operation, period: _Period, rng: random.Random
) -> tuple[dict[Kind, dt.date], list[str]]:
    """The key dates of one period and the remarks they call for."""
    end = period.end
    dates = {Kind.SUBMISSION: add_business_days(end, rng.randint(1, 2))}
    remarks = [period.remarks] if period.remarks else []
    if not period.closes:
        return dates, remarks
    billing = add_business_days(end, rng.randint(3, 5))
    dates[Kind.BILLING] = billing
    earliest_remittance = add_business_days(billing, 1)
    if op.key.system is System.CASS:
        # Corrections close the day before the invoice; disputes run a couple of days after it.
        dates[Kind.CORRECTION_CUTOFF] = add_business_days(billing, -1)
        dates[Kind.DISPUTE_DEADLINE] = add_business_days(billing, 2)
        earliest_remittance = add_business_days(billing, 3)
    wanted = max(end + dt.timedelta(days=rng.randint(7, 15)), earliest_remittance)
    remittance, holiday = _roll_forward(wanted)
    if holiday is not None:
        remarks.append(f"Remittance moved: public holiday {holiday.isoformat()}")
    dates[Kind.REMITTANCE] = remittance
    dates[Kind.SETTLEMENT] = add_business_days(remittance, rng.randint(1, 2))
    return dates, remarks


def _rows(op: Operation, year: int, seed: int) -> Iterator[tuple[list[str], int]]:
    """The rows of one (calendar, year) pair, each with its key-date count (the period counts)."""
    key = op.key
    rng = random.Random(f"{seed}/{key.path}/{year}")  # str seeds hash the same on every run
    calendar_cells = {"system": key.system.value, "country": key.country, "currency": key.currency,
                      "frequency": key.frequency.value}
    for period in periods(op, year):
        dates, remarks = _key_dates(op, period, rng)
        cells = calendar_cells | {kind.column: day.isoformat() for kind, day in dates.items()} | {
            "period": period.code,
            "period_start": period.start.isoformat(),
            "period_end": period.end.isoformat(),
            REMITTANCE_CUTOFF: op.remittance_time if Kind.REMITTANCE in dates else "",
            "remarks": "; ".join(remarks),
        }
        row = [cells.get(column, "") for column in COLUMNS]
        yield row, 1 + len(dates)


def _write(fp: TextIO, pairs: Iterable[tuple[Operation, int]], seed: int) -> GeneratedStats:
    writer = csv.writer(fp, lineterminator="\n")
    writer.writerow(COLUMNS)
    rows = key_dates = pair_count = 0
    calendars: set[CalendarKey] = set()
    for op, year in pairs:
        pair_count += 1
        calendars.add(op.key)
        for row, count in _rows(op, year, seed):
            writer.writerow(row)
            rows += 1
            key_dates += count
    return GeneratedStats(rows=rows, key_dates=key_dates, calendars=len(calendars), pairs=pair_count)


def generate_release(
    fp: TextIO,
    *,
    years: Sequence[int],
    operations: Sequence[Operation] | None = None,
    seed: int = 0,
) -> GeneratedStats:
    """Write a release holding complete calendars of every operation (default: all) for `years`."""
    ops = all_operations() if operations is None else operations
    return _write(fp, ((op, year) for year in years for op in ops), seed)


def pairs_for_key_dates(
    target_key_dates: int, *, start_year: int = 2026, operations: Sequence[Operation] | None = None
) -> list[tuple[Operation, int]]:
    """Whole years of every operation from `start_year`, then as many operations of one more year
    as bring the key-date count nearest to the target."""
    ops = all_operations() if operations is None else operations
    if not ops:
        raise ValueError("no operations to generate")
    pairs: list[tuple[Operation, int]] = []
    total = 0
    year = start_year
    while True:
        for op in ops:
            count = count_key_dates(op, year)
            if total + count > target_key_dates:
                # Stop either just below or just above the target, whichever is nearer.
                if total + count - target_key_dates < target_key_dates - total:
                    pairs.append((op, year))
                return pairs
            pairs.append((op, year))
            total += count
        year += 1


def generate_for_key_dates(
    fp: TextIO,
    target_key_dates: int,
    *,
    start_year: int = 2026,
    operations: Sequence[Operation] | None = None,
    seed: int = 0,
) -> GeneratedStats:
    """Write a release of about `target_key_dates` key dates (within one calendar-year's worth)."""
    pairs = pairs_for_key_dates(target_key_dates, start_year=start_year, operations=operations)
    return _write(fp, pairs, seed)


# ---------------------------------------------------------------------------------------------
# Amendments


def _is_date_cell(cell: str) -> bool:
    value = cell.strip().lower()
    return bool(value) and value not in EMPTY_MARKERS


def _shifted(day: dt.date, period_end: dt.date, rng: random.Random) -> dt.date:
    """`day` one or two business days later or earlier, never on or before the period's end."""
    steps = rng.choice((1, 2))
    if rng.random() < 0.5:
        earlier = add_business_days(day, -steps)
        if earlier > period_end:
            return earlier
    return add_business_days(day, steps)


def amend_release(src: TextIO, dst: TextIO, *, fraction: float, seed: int = 0) -> list[Move]:
    """Copy the ISO-dated release `src` to `dst`, moving each non-period key date with probability
    `fraction` by one or two business days; return exactly the moves made, in file order."""
    reader = csv.reader(src)
    header = next(reader)
    writer = csv.writer(dst, lineterminator="\n")
    writer.writerow(header)
    column = {name: index for index, name in enumerate(header)}
    movable = [(column[kind.column], kind.value) for kind in DATE_KINDS if kind.column in column]
    rng = random.Random(seed)
    moves: list[Move] = []
    for row in reader:
        period_end = dt.date.fromisoformat(row[column["period_end"]])
        for index, kind in movable:
            if _is_date_cell(row[index]) and rng.random() < fraction:
                row[index] = _shifted(dt.date.fromisoformat(row[index]), period_end, rng).isoformat()
                moves.append(Move(_calendar_path(row, column), row[column["period"]], kind, row[index]))
        writer.writerow(row)
    return moves


def _calendar_path(row: list[str], column: dict[str, int]) -> str:
    return CalendarKey(
        System(row[column["system"]].upper()),
        row[column["country"]].upper(),
        row[column["currency"]].upper(),
        Frequency(row[column["frequency"]].lower()),
    ).path


# ---------------------------------------------------------------------------------------------
# Command line


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.synthetic",
                                     description=__doc__.split("\n\n")[0])
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--key-dates", type=int, metavar="N", help="a release of about N key dates")
    what.add_argument("--years", type=int, nargs="+", metavar="YEAR",
                      help="complete calendars for these years")
    what.add_argument("--amend", type=Path, metavar="SRC",
                      help="copy SRC moving --fraction of its key dates")
    parser.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--start-year", type=int, default=2026, help="first year for --key-dates")
    parser.add_argument("--calendar", action="append", metavar="PATH",
                        help="only this operation, e.g. bsp/es-eur-monthly (repeatable)")
    parser.add_argument("--fraction", type=float, default=0.01, help="share of key dates --amend moves")
    parser.add_argument("--moves", type=Path, metavar="FILE",
                        help="with --amend: write the moves here as CSV")
    return parser


def main(argv: Sequence[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    ops = by_path(args.calendar) if args.calendar else None
    started = time.perf_counter()
    with args.output.open("w", newline="", encoding="utf-8") as out:
        if args.amend is not None:
            summary = _amend_file(args.amend, out, fraction=args.fraction, seed=args.seed,
                                  moves_file=args.moves)
        elif args.years is not None:
            summary = _describe(generate_release(out, years=args.years, operations=ops, seed=args.seed))
        else:
            stats = generate_for_key_dates(
                out, args.key_dates, start_year=args.start_year, operations=ops, seed=args.seed
            )
            summary = _describe(stats)
    elapsed = time.perf_counter() - started
    print(f"{args.output}: {summary} bytes={args.output.stat().st_size} seconds={elapsed:.2f}")


def _amend_file(
    src_path: Path, out: TextIO, *, fraction: float, seed: int, moves_file: Path | None
) -> str:
    with src_path.open(newline="", encoding="utf-8") as src:
        moves = amend_release(src, out, fraction=fraction, seed=seed)
    if moves_file is not None:
        with moves_file.open("w", newline="", encoding="utf-8") as fp:
            writer = csv.writer(fp, lineterminator="\n")
            writer.writerow(Move._fields)
            writer.writerows(moves)
    return f"moved={len(moves)}"


def _describe(stats: GeneratedStats) -> str:
    return " ".join(f"{field.name}={getattr(stats, field.name)}" for field in dataclasses.fields(stats))


if __name__ == "__main__":
    main(sys.argv[1:])
