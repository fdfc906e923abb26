"""period_year: the calendar year holding most of a period's days, ties to the year it starts in."""

from __future__ import annotations

import collections
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from settlecal.domain import period_year

days = st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31))


def counted(start: dt.date, end: dt.date) -> int:
    """The same rule, day by day."""
    years = collections.Counter((start + dt.timedelta(days=n)).year for n in range((end - start).days + 1))
    most = max(years.values())
    return min(year for year, count in years.items() if count == most)


@settings(max_examples=500)
@given(days, st.integers(0, 800))
def test_the_year_holding_most_days_and_ties_to_the_earlier(start: dt.date, length: int) -> None:
    end = start + dt.timedelta(days=length)

    assert period_year(start, end) == counted(start, end)


def test_iso_weeks_belong_to_their_own_year() -> None:
    for year in range(2000, 2060):
        for week in (1, dt.date(year, 12, 28).isocalendar()[1]):
            monday = dt.date.fromisocalendar(year, week, 1)

            assert period_year(monday, monday + dt.timedelta(days=6)) == year, (year, week)
