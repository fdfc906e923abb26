"""The month grid: weeks of days, each with the key dates that fall on it. Pure, no I/O."""

from __future__ import annotations

import calendar
import dataclasses
import datetime
from collections.abc import Iterable

from settlecal.db.queries import SelectedKeyDate


@dataclasses.dataclass(frozen=True, slots=True)
class Day:
    date: datetime.date
    in_month: bool
    today: bool
    key_dates: tuple[SelectedKeyDate, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Month:
    first: datetime.date
    weeks: tuple[tuple[Day, ...], ...]

    @property
    def last(self) -> datetime.date:
        return month_end(self.first)

    @property
    def previous(self) -> datetime.date:
        return add_months(self.first, -1)

    @property
    def next(self) -> datetime.date:
        return add_months(self.first, 1)

    @property
    def count(self) -> int:
        return sum(len(day.key_dates) for week in self.weeks for day in week if day.in_month)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s (clamped to years 1…9999)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    year = min(max(year, 1), 9999)
    return datetime.date(year, month + 1, 1)


def month_grid(first: datetime.date, key_dates: Iterable[SelectedKeyDate], *, today: datetime.date,
               first_week_day: int = 0) -> Month:
    """The weeks that cover `first`'s month, starting on `first_week_day` (0 = Monday).

    Key dates go on their own date; a period (a span) shows on its first day.
    """
    by_day: dict[datetime.date, list[SelectedKeyDate]] = {}
    for key_date in key_dates:
        by_day.setdefault(key_date.event.date, []).append(key_date)
    weeks = calendar.Calendar(first_week_day).monthdatescalendar(first.year, first.month)
    return Month(first, tuple(
        tuple(
            Day(day, day.month == first.month, day == today, tuple(by_day.get(day, ())))
            for day in week
        )
        for week in weeks
    ))
