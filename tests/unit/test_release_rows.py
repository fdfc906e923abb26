"""validate_rows: what each cell may hold, every problem it reports, and ReleaseRow itself."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.errors import ReleaseProblem
from settlecal.release_format.cells import Cell
from settlecal.release_format.rows import COLUMNS, ReleaseRow, ValidatedRows, kind_cutoffs, kind_dates, validate_rows

HEADER = ",".join(COLUMNS)
# period 2026-03-4 of Spain's monthly BSP, one cell per column of HEADER
GOOD = "BSP,ES,EUR,monthly,2026-03-4,2026-03-24,2026-03-31,2026-04-01,2026-04-06,2026-04-16,12:00,2026-04-17,,,"
APRIL = "BSP,ES,EUR,monthly,2026-04-4,2026-04-24,2026-04-30,2026-05-01,2026-05-06,2026-05-18,12:00,2026-05-19,,,"
ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)


def validate(text: str, *, allow_extra_columns: bool = False) -> ValidatedRows:
    """Validates comma-separated lines (no quoting), numbered from 1."""
    records = [(number, line.split(",")) for number, line in enumerate(text.split("\n"), 1)]
    return validate_rows(records, allow_extra_columns=allow_extra_columns)


def good_row(text: str, **changes: str) -> ReleaseRow:
    """The only row of HEADER + `text`, with `changes` made to named cells first."""
    cells = dict(zip(COLUMNS, text.split(",")))
    result = validate(HEADER + "\n" + ",".join({**cells, **changes}.values()))
    assert result.problems == ()
    (row,) = result.rows
    return row


def only_problem(text: str, **kwargs: bool) -> ReleaseProblem:
    result = validate(text, **kwargs)
    assert result.rows == () or len(result.problems) == 1
    (problem,) = result.problems
    return problem


def test_a_good_row_becomes_a_release_row() -> None:
    assert good_row(GOOD) == ReleaseRow(
        line=2, calendar=ES, period="2026-03-4",
        period_start=dt.date(2026, 3, 24), period_end=dt.date(2026, 3, 31),
        dates=kind_dates({Kind.SUBMISSION: dt.date(2026, 4, 1), Kind.BILLING: dt.date(2026, 4, 6),
                          Kind.REMITTANCE: dt.date(2026, 4, 16), Kind.SETTLEMENT: dt.date(2026, 4, 17)}),
        cutoffs=kind_cutoffs({Kind.REMITTANCE: dt.time(12, 0)}), remarks=None,
    )  # fmt: skip


@pytest.mark.parametrize(
    "cell",
    ["2026-04-06", "06/04/2026", "6/4/2026", "06-Apr-26", "6-apr-26", "06-APR-2026", " 2026-04-06 "],
)
def test_each_date_form(cell: str) -> None:
    assert good_row(GOOD, billing=cell).date(Kind.BILLING) == dt.date(2026, 4, 6)


def test_two_digit_years_are_this_century() -> None:
    row = good_row(GOOD, period="2009-01-4", period_start="24-Jan-09", period_end="31-Jan-09",
                   submission="", billing="05/02/2009", remittance="16-Feb-09", settlement="")  # fmt: skip
    assert (row.period_start, row.period_end, row.date(Kind.BILLING), row.date(Kind.REMITTANCE)) == (
        dt.date(2009, 1, 24), dt.date(2009, 1, 31), dt.date(2009, 2, 5), dt.date(2009, 2, 16))


@pytest.mark.parametrize("cell", ["", "   ", "N/A", "n/a", "NA", "na", " N/a "])
def test_empty_cells_mean_no_date(cell: str) -> None:
    row = good_row(GOOD, billing=cell, settlement=cell, remarks=cell)
    assert (row.date(Kind.BILLING), row.date(Kind.SETTLEMENT), row.remarks) == (None, None, None)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("12:00", dt.time(12)), ("9:30", dt.time(9, 30)), ("09:30:00", dt.time(9, 30)),
     ("1400", dt.time(14)), ("930", dt.time(9, 30)), ("00:00", dt.time(0)), ("23:59", dt.time(23, 59))],
)  # fmt: skip
def test_each_cutoff_form(cell: str, expected: dt.time) -> None:
    assert good_row(GOOD, remittance_cutoff=cell).cutoff(Kind.REMITTANCE) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("monthly", Frequency.MONTHLY), ("Monthly", Frequency.MONTHLY), ("twice monthly", Frequency.TWICE_MONTHLY),
     ("Four_Times_Monthly", Frequency.FOUR_TIMES_MONTHLY), ("ten  daily", Frequency.TEN_DAILY),
     ("TEN-DAILY", Frequency.TEN_DAILY), (" weekly ", Frequency.WEEKLY)],
)  # fmt: skip
def test_frequency_spellings(cell: str, expected: Frequency) -> None:
    assert good_row(GOOD, frequency=cell).calendar.frequency is expected


def test_codes_become_canonical_case() -> None:
    row = good_row(GOOD, system="cass", country="de", currency=" eur ", period=" 2606 ")
    assert row.calendar == CalendarKey(System.CASS, "DE", "EUR", Frequency.MONTHLY)
    assert row.period == "2606"


def test_na_is_namibia_in_the_country_column() -> None:
    assert good_row(GOOD, country="NA", currency="NAD").calendar.country == "NA"


def test_remarks_are_kept_stripped() -> None:
    assert good_row(GOOD, remarks="  Bank holiday  ").remarks == "Bank holiday"


def test_header_is_forgiving_about_case_spaces_spelling_and_order() -> None:
    header = " Period ,SYSTEM,Country,currency ,Frequency,Period Start,period-end,Remittance,remittance_cutoff"
    result = validate(f"{header}\n2026-03-4,BSP,ES,EUR,monthly,2026-03-24,2026-03-31,2026-04-16,12:00")
    assert result.problems == ()
    (row,) = result.rows
    assert (row.calendar, row.period, row.date(Kind.REMITTANCE), row.cutoff(Kind.REMITTANCE)) == (
        ES, "2026-03-4", dt.date(2026, 4, 16), dt.time(12))
    assert (row.date(Kind.SUBMISSION), row.date(Kind.BILLING), row.date(Kind.SETTLEMENT), row.remarks) == (None, None, None, None)


def test_optional_columns_may_be_absent_and_rows_may_be_short() -> None:
    header = "system,country,currency,frequency,period,period_start,period_end,billing"
    result = validate(f"{header}\nBSP,ES,EUR,monthly,2026-03-4,2026-03-24,2026-03-31")
    assert result.problems == ()
    assert result.rows[0].date(Kind.BILLING) is None


def test_blank_lines_are_skipped_and_lines_keep_their_numbers() -> None:
    result = validate(f"\n{HEADER}\n\n{GOOD}\n,,,\n")
    assert [row.line for row in result.rows] == [4]


def test_extra_columns_are_ignored_when_allowed() -> None:
    result = validate(f"{HEADER},note,\n{GOOD},anything,x", allow_extra_columns=True)
    assert result.problems == ()
    assert result.rows[0].remarks is None


def test_rows_share_calendar_and_date_objects() -> None:
    may = "bsp,es,eur,Monthly,2026-05-4,24-May-26,31/05/2026,,,,,,,,"
    march, april, may_row, cargo = validate(f"{HEADER}\n{GOOD}\n{APRIL}\n{may}\nCASS{GOOD[3:]}").rows
    assert march.calendar is april.calendar is may_row.calendar
    assert (march.date(Kind.BILLING), march.period) == (cargo.date(Kind.BILLING), cargo.period)
    assert march.date(Kind.BILLING) is cargo.date(Kind.BILLING) and march.period is cargo.period


# -- problems: (text, (line, column, column name, message fragment)) ---------------------------


def _row(**changes: str) -> str:
    cells = dict(zip(COLUMNS, GOOD.split(",")))
    return HEADER + "\n" + ",".join({**cells, **changes}.values())


DATE = "expected a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY), got"
PROBLEMS = {
    "empty file": ("", (None, None, None, "expected a header naming the columns, got an empty file")),
    "blank file": ("\n \n", (None, None, None, "got an empty file")),
    "header only": (HEADER + "\n", (None, None, None, "expected period rows after the header (line 1), got none")),
    "missing column": (HEADER.replace(",period_end", "") + "\n" + GOOD,
                       (1, None, "period_end", "missing required column 'period_end'; expected system, country")),
    "unknown column": (HEADER + ",foo\n" + GOOD,
                       (1, 16, "foo", "unknown column 'foo' (column 16); expected one of system, country,")),
    "duplicate column": (HEADER + ",Billing\n" + GOOD + ",",
                         (1, 16, "billing", "expected each column once, got 'Billing' again (first at column 9)")),
    "missing system": (_row(system=""), (2, 1, "system", "expected BSP, CASS or CASS-IMPORT, got an empty cell")),
    "unknown system": (_row(system="IATA"), (2, 1, "system", "expected BSP, CASS or CASS-IMPORT, got 'IATA'")),
    "unknown country": (_row(country="XX"),
                        (2, 2, "country", "expected an ISO 3166-1 alpha-2 country code such as ES, got 'XX'")),
    "alpha-3 country": (_row(country="ESP"), (2, 2, "country", "got 'ESP'")),
    "unknown currency": (_row(currency="EUX"),
                         (2, 3, "currency", "expected an ISO 4217 currency code such as EUR, got 'EUX'")),
    "unknown frequency": (_row(frequency="biweekly"), (2, 4, "frequency",
                          "expected one of monthly, twice-monthly, four-times-monthly, ten-daily, weekly, got 'biweekly'")),
    "missing period": (_row(period=" "), (2, 5, "period", "expected a period code such as 2026-03-4 (text, at most 40 characters), got an empty cell")),
    "missing start": (_row(period_start=""), (2, 6, "period_start", f"{DATE} an empty cell")),
    "N/A start": (_row(period_start="N/A"), (2, 6, "period_start", f"{DATE} 'N/A'")),
    "bad date": (_row(period_end="2026/03/31"), (2, 7, "period_end", f"{DATE} '2026/03/31'")),
    "impossible date": (_row(billing="31/02/2026"), (2, 9, "billing", f"{DATE} '31/02/2026' (no such day)")),
    "impossible ISO date": (_row(settlement="2026-04-31"), (2, 12, "settlement", "'2026-04-31' (no such day)")),
    "unknown month": (_row(billing="06-Abr-26"), (2, 9, "billing", "'06-Abr-26' (no such month")),
    "end before start": (_row(period_end="2026-03-20"),
                         (2, 7, "period_end", "expected a date on or after period_start 2026-03-24, got 2026-03-20")),
    "remittance before end": (_row(remittance="2026-03-30"),
                              (2, 10, "remittance", "expected a date on or after period_end 2026-03-31, got 2026-03-30")),
    "bad cutoff": (_row(remittance_cutoff="noon"),
                   (2, 11, "remittance_cutoff", "expected a time of day (HH:MM, 00:00 to 23:59), got 'noon'")),
    "impossible cutoff": (_row(remittance_cutoff="24:00"), (2, 11, "remittance_cutoff", "got '24:00' (no such time)")),
    "cutoff with seconds": (_row(remittance_cutoff="12:00:30"), (2, 11, "remittance_cutoff", "got '12:00:30' (cut-off times are to the minute)")),
    "cutoff without remittance": (_row(remittance="", remittance_cutoff="14:00"), (2, 11, "remittance_cutoff",
                                  "expected a remittance date for the cut-off time 14:00, got none")),
    "duplicate period": (f"{HEADER}\n{GOOD}\n" + APRIL.replace("2026-04-4", "2026-03-4"),
                         (3, 5, "period", "got period '2026-03-4' of BSP ES EUR monthly again (first on line 2)")),
    "overlapping periods": (f"{HEADER}\n{GOOD}\n" + GOOD.replace("2026-03-4,2026-03-24", "2026-03-5,2026-03-31"),
                            (3, 6, "period_start", "expected the periods of BSP ES EUR monthly not to overlap, got "
                             "period '2026-03-5' (2026-03-31 to 2026-03-31) overlapping period '2026-03-4' "
                             "(2026-03-24 to 2026-03-31) of line 2")),
    "cell beyond the header": (f"{HEADER}\n{GOOD},Bank holiday",
                               (2, 16, None, "expected an empty cell beyond the header's 15 columns, got 'Bank holiday' (a separator")),
    "cell under no name": (f"{HEADER},\n{GOOD},x", (2, 16, None, "under a column without a name, got 'x'")),
    "two-digit year": (f"{HEADER},year\n{GOOD},26", (2, 16, "year", "expected a year such as 2026 (four digits), got '26'")),
    "year that is no number": (f"{HEADER},year\n{GOOD},2O26", (2, 16, "year", "got '2O26'")),
    "year far from the period": (f"{HEADER},year\n{GOOD},2028", (2, 16, "year",
                                 "expected a year from 2025 to 2027 (a year the period touches, or the year before or after), got 2028")),
}  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PROBLEMS.values(), ids=PROBLEMS.keys())
def test_each_problem(text: str, expected: tuple[int | None, int | None, str | None, str]) -> None:
    problem = only_problem(text)
    line, column, name, fragment = expected
    assert (problem.line, problem.column, problem.column_name) == (line, column, name)
    assert fragment in problem.message


def test_the_earlier_line_is_named_whatever_the_order_of_dates() -> None:
    later_starts_first = GOOD.replace("2026-03-4,2026-03-24", "2026-03-3,2026-03-16").replace("2026-03-31", "2026-03-25", 1)
    problem = only_problem(f"{HEADER}\n{GOOD}\n{later_starts_first}")
    assert (problem.line, problem.column) == (3, 6)
    assert "period '2026-03-3' (2026-03-16 to 2026-03-25) overlapping period '2026-03-4'" in problem.message


def test_other_calendars_and_adjacent_periods_do_not_overlap() -> None:
    next_day = GOOD.replace("2026-03-4,2026-03-24,2026-03-31", "2026-04-1,2026-04-01,2026-04-07")
    other_calendar = GOOD.replace("BSP,ES,EUR,monthly", "BSP,ES,EUR,weekly")
    assert validate(f"{HEADER}\n{GOOD}\n{next_day}\n{other_calendar}").problems == ()


def test_a_missing_required_column_stops_before_the_rows() -> None:
    result = validate("system,country,currency,frequency,period,foo\n" + "BSP,XX,EUR,monthly,1,x\n" * 3)
    assert [(p.line, p.column, p.column_name) for p in result.problems] == [
        (1, 6, "foo"), (1, None, "period_start"), (1, None, "period_end")]
    assert "got 'system', 'country', 'currency', 'frequency', 'period', 'foo'" in result.problems[1].message


def test_every_problem_of_a_row_is_reported() -> None:
    result = validate(_row(system="X", country="", period_start="soon", billing="32/01/2026", remittance_cutoff="x"))
    assert [(p.line, p.column) for p in result.problems] == [(2, 1), (2, 2), (2, 6), (2, 9), (2, 11)]
    assert result.rows == ()


def test_ten_thousand_bad_rows_are_all_counted_quickly_and_the_first_hundred_listed() -> None:
    rows = (f"BSP,ES,EUR,weekly,W{n},2020-01-01,2020-01-01,,{n % 28 + 1}/13/2026,,,,,," for n in range(10_000))
    started = time.perf_counter()
    result = validate(HEADER + "\n" + "\n".join(rows))
    assert time.perf_counter() - started < 5
    assert result.total == 10_000 + 9_999  # a bad billing date each, and each overlaps the first
    assert len(result.problems) == 100
    assert result.problems[0].message.endswith("got '1/13/2026' (no such day)")
    by_kind = {(each.kind, each.column_name): each.count for each in result.omitted}
    assert by_kind == {("expected a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY)", "billing"): 9_900,
                       ("expected the periods of BSP ES EUR weekly not to overlap", "period_start"): 9_999}


# -- ReleaseRow ---------------------------------------------------------------------------------


def test_key_dates_in_kind_order_with_cutoff_only_on_remittance() -> None:
    row = good_row(GOOD, correction_cutoff="2026-04-03", dispute_deadline="2026-05-05", submission="")
    assert list(row.key_dates()) == [
        (Kind.PERIOD, dt.date(2026, 3, 24), dt.date(2026, 3, 31), None),
        (Kind.BILLING, dt.date(2026, 4, 6), dt.date(2026, 4, 6), None),
        (Kind.REMITTANCE, dt.date(2026, 4, 16), dt.date(2026, 4, 16), dt.time(12)),
        (Kind.SETTLEMENT, dt.date(2026, 4, 17), dt.date(2026, 4, 17), None),
        (Kind.CORRECTION_CUTOFF, dt.date(2026, 4, 3), dt.date(2026, 4, 3), None),
        (Kind.DISPUTE_DEADLINE, dt.date(2026, 5, 5), dt.date(2026, 5, 5), None),
    ]


def test_a_period_alone_has_one_key_date() -> None:
    row = good_row(GOOD, submission="", billing="", remittance="", remittance_cutoff="", settlement="")
    assert list(row.key_dates()) == [(Kind.PERIOD, dt.date(2026, 3, 24), dt.date(2026, 3, 31), None)]


WEEK = dict(frequency="weekly", submission="", billing="", remittance="", remittance_cutoff="", settlement="")


@pytest.mark.parametrize(
    ("period", "start", "end", "year"),
    [("2026-W01", "2025-12-29", "2026-01-04", 2026),  # 3 days in 2025, 4 in 2026
     ("2026-W53", "2026-12-28", "2027-01-03", 2026),  # 4 days in 2026, 3 in 2027
     ("2027-W52", "2027-12-27", "2028-01-02", 2027),
     ("2026-12-5", "2026-12-31", "2027-01-01", 2026),  # a tie: the year it starts in
     ("2026-12-6", "2026-12-30", "2027-01-02", 2026),
     ("2026-03-4", "2026-03-24", "2026-03-31", 2026)],
)  # fmt: skip
def test_a_period_belongs_to_the_year_holding_most_of_its_days(period: str, start: str, end: str, year: int) -> None:
    row = good_row(GOOD, period=period, period_start=start, period_end=end, **WEEK)
    assert (row.year, row.given_year) == (year, None)


@pytest.mark.parametrize(
    ("cell", "year"), [("2027", 2027), (" 2027 ", 2027), ("2026", 2026), ("2025", 2025), ("", 2026), ("N/A", 2026)]
)
def test_the_year_column_overrides_the_rule(cell: str, year: int) -> None:
    cells = dict(zip(COLUMNS, GOOD.split(","))) | WEEK | {"period": "2026-W53", "period_start": "2026-12-28",
                                                          "period_end": "2027-01-03"}
    (row,) = validate(f"{HEADER},Year\n" + ",".join([*cells.values(), cell])).rows
    assert row.year == year
    assert row.given_year == (year if cell.strip() not in ("", "N/A") else None)


def test_a_spreadsheet_year_is_a_number() -> None:
    cells: list[Cell] = [*GOOD.split(","), 2027.0]
    (row,) = validate_rows([(1, [*COLUMNS, "year"]), (2, cells)]).rows
    assert row.given_year == 2027


def test_typed_cells_from_a_spreadsheet() -> None:
    cells: list[Cell] = ["BSP", "ES", "EUR", "monthly", 2606.0, dt.datetime(2026, 3, 24), dt.date(2026, 3, 31),
                         None, None, dt.datetime(2026, 4, 16), dt.time(12), None, None, None, 7]  # fmt: skip
    result = validate_rows([(1, COLUMNS), (2, cells)])
    assert result.problems == ()
    row = result.rows[0]
    assert (row.period, row.period_start, row.date(Kind.REMITTANCE), row.cutoff(Kind.REMITTANCE), row.remarks) == (
        "2606", dt.date(2026, 3, 24), dt.date(2026, 4, 16), dt.time(12), "7")
