"""Small hand-written releases whose every date the tests can reason about."""

from __future__ import annotations

import datetime
import pathlib
from collections.abc import Sequence

HEADER = (
    "system,country,currency,frequency,period,period_start,period_end,submission,billing,"
    "remittance,remittance_cutoff,settlement,correction_cutoff,dispute_deadline,remarks"
)

# Two monthly periods of Spain's BSP: five key dates each (period, submission, billing, remittance, settlement).
ES_2026 = [
    "BSP,ES,EUR,monthly,2026-01,2026-01-01,2026-01-31,2026-02-02,2026-02-05,2026-02-16,12:00,2026-02-17,,,",
    "BSP,ES,EUR,monthly,2026-02,2026-02-01,2026-02-28,2026-03-02,2026-03-05,2026-03-16,12:00,2026-03-17,,,",
]
ES_2027 = [
    "BSP,ES,EUR,monthly,2027-01,2027-01-01,2027-01-31,2027-02-01,2027-02-04,2027-02-16,12:00,2027-02-17,,,",
]
# January's billing a day later, and its remittance cut-off at 14:00 instead of 12:00.
BILLING_MOVED = [
    ES_2026[0].replace("2026-02-05", "2026-02-06").replace("12:00", "14:00"),
    ES_2026[1],
]


def write_release(path: pathlib.Path, rows: Sequence[str], *, header: str = HEADER) -> pathlib.Path:
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def weeks(year: int, *, without: Sequence[int] = ()) -> list[str]:
    """South Africa's weekly BSP for the ISO weeks of `year`: five key dates a week (period, submission,
    billing, remittance, settlement). Week 1 may start in December, week 53 end in January."""
    rows = []
    monday = datetime.date.fromisocalendar(year, 1, 1)
    while monday.isocalendar()[0] == year:
        week, sunday = monday.isocalendar()[1], monday + datetime.timedelta(days=6)
        if week not in without:
            after = [(sunday + datetime.timedelta(days=n)).isoformat() for n in (1, 3, 8, 9)]
            rows.append(f"BSP,ZA,ZAR,weekly,{year}-W{week:02d},{monday},{sunday},{after[0]},{after[1]},"
                        f"{after[2]},14:00,{after[3]},,,")
        monday += datetime.timedelta(days=7)
    return rows
