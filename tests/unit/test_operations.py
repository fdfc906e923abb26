"""Release rows of real operations: zones, submission cut-offs, CASS-IMPORT, multi-country
operations and the frequency names operators write (docs/release-format.md)."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from settlecal.domain import FREQUENCY_ALIASES, CalendarKey, Frequency, Kind, System
from settlecal.release_format.file import write_release_csv
from settlecal.release_format.rows import COLUMNS, validate_rows
from settlecal.zones import abbreviation, canonical_zone, country_zone
from tests.unit.test_release_rows import APRIL, GOOD, HEADER, good_row, only_problem, validate

WITH = HEADER + ",submission_cutoff,timezone"


def row_text(**changes: str) -> str:
    cells = dict(zip(COLUMNS, GOOD.split(","))) | {"submission_cutoff": "", "timezone": ""}
    return WITH + "\n" + ",".join({**cells, **changes}.values())


@pytest.mark.parametrize(("cell", "expected"), [
    ("fortnightly", Frequency.TWICE_MONTHLY), ("Semi-monthly", Frequency.TWICE_MONTHLY),
    ("SEMIMONTHLY", Frequency.TWICE_MONTHLY), ("Quincenal", Frequency.TWICE_MONTHLY),
    ("semi monthly", Frequency.TWICE_MONTHLY), ("Mensual", Frequency.MONTHLY), ("semanal", Frequency.WEEKLY),
    ("DECENAL", Frequency.TEN_DAILY),
])  # fmt: skip
def test_operators_frequency_names_are_read_as_ours(cell: str, expected: Frequency) -> None:
    assert good_row(GOOD, frequency=cell).calendar.frequency is expected


def test_every_alias_names_a_frequency_and_none_shadows_one() -> None:
    assert not set(FREQUENCY_ALIASES) & {frequency.value for frequency in Frequency}
    assert set(FREQUENCY_ALIASES) >= {"fortnightly", "semi-monthly", "semimonthly", "quincenal", "mensual",
                                      "semanal", "decenal"}


@pytest.mark.parametrize("cell", ["CASS-IMPORT", "cass import", "Cass_Import"])
def test_cass_import_is_its_own_system(cell: str) -> None:
    row = good_row(GOOD, system=cell)
    assert row.calendar.system is System.CASS_IMPORT
    assert row.calendar.path == "cass-import/es-eur-monthly"


def test_cass_export_is_cass() -> None:
    assert good_row(GOOD, system="CASS-Export").calendar.system is System.CASS


def test_the_zone_defaults_to_the_countrys_first_in_the_tz_database() -> None:
    assert [country_zone(country) for country in ("ES", "AE", "BH", "OM", "US", "DE")] == [
        "Europe/Madrid", "Asia/Dubai", "Asia/Bahrain", "Asia/Muscat", "America/New_York", "Europe/Berlin"]
    (row,) = validate(row_text()).rows
    assert (row.timezone, row.zone) == (None, "Europe/Madrid")
    (given,) = validate(row_text(timezone="atlantic/canary")).rows
    assert (given.timezone, given.zone) == ("Atlantic/Canary", "Atlantic/Canary")


def test_abbreviations_follow_daylight_saving_time() -> None:
    assert abbreviation("Europe/Madrid", dt.date(2026, 3, 27), dt.time(12)) == "CET"
    assert abbreviation("Europe/Madrid", dt.date(2026, 3, 30), dt.time(12)) == "CEST"
    assert abbreviation("Asia/Dubai", dt.date(2026, 7, 1), dt.time(12)) == "+04"
    assert canonical_zone("Mars/Olympus") is None


def test_an_unknown_zone_is_reported_with_line_and_column() -> None:
    problem = only_problem(row_text(timezone="Europe/Madird"))
    assert (problem.line, problem.column, problem.column_name) == (2, 17, "timezone")
    assert problem.message == ("expected an IANA time zone such as Europe/Madrid, got 'Europe/Madird' "
                               "(not a zone of the tz database)")


def test_a_calendar_has_one_zone() -> None:
    second = APRIL + ",,Europe/Madrid"
    first = GOOD + ",,Atlantic/Canary"
    problem = only_problem(WITH + "\n" + first + "\n" + second)
    assert (problem.line, problem.column, problem.column_name) == (3, 17, "timezone")
    assert problem.message == ("expected one time zone per calendar, got Europe/Madrid for BSP ES EUR monthly "
                               "(line 2 gives Atlantic/Canary)")


def test_the_submission_cutoff_is_the_submissions() -> None:
    (row,) = validate(row_text(submission_cutoff="1400")).rows
    assert row.cutoff(Kind.SUBMISSION) == dt.time(14)
    assert [(kind, cutoff) for kind, _, _, cutoff in row.key_dates() if cutoff] == [
        (Kind.SUBMISSION, dt.time(14)), (Kind.REMITTANCE, dt.time(12))]


@pytest.mark.parametrize(("changes", "message"), [
    ({"submission_cutoff": "25:00"}, "expected a time of day (HH:MM, 00:00 to 23:59), got '25:00' (no such time)"),
    ({"submission_cutoff": "14:00", "submission": ""}, "expected a submission date for the cut-off time 14:00, "
                                                       "got none"),
])  # fmt: skip
def test_a_bad_submission_cutoff_is_reported_with_line_and_column(changes: dict[str, str], message: str) -> None:
    problem = only_problem(row_text(**changes))
    assert (problem.line, problem.column, problem.column_name, problem.message) == (
        2, 16, "submission_cutoff", message)


def test_a_multi_country_operation_is_one_calendar_per_member() -> None:
    rows = validate(row_text(country="ae|BH|OM", currency="USD")).rows
    assert [row.calendar for row in rows] == [
        CalendarKey(System.BSP, country, "USD", Frequency.MONTHLY) for country in ("AE", "BH", "OM")]
    assert {row.members for row in rows} == {("AE", "BH", "OM")}
    assert [row.zone for row in rows] == ["Asia/Dubai", "Asia/Bahrain", "Asia/Muscat"]
    assert len({row.line for row in rows}) == 1


@pytest.mark.parametrize("cell", ["AE|XX", "AE|AE", "AE|", "AE,BH"])
def test_bad_members_are_reported(cell: str) -> None:
    problem = only_problem(row_text(country=cell.replace(",", ";")))
    assert (problem.line, problem.column, problem.column_name) == (2, 2, "country")


def test_a_member_given_twice_is_a_duplicate_period_and_a_changed_membership() -> None:
    text = row_text(country="AE|BH") + "\n" + GOOD.replace("ES", "BH") + ",,"
    problems = validate(text).problems
    assert [(p.line, p.column_name) for p in problems] == [(3, "period"), (3, "country")]
    assert "expected the same member countries on every row of BSP BH EUR monthly, got 'BH' (line 2 gives " \
           "'AE|BH')" in problems[1].message


def test_written_back_an_operation_is_one_row_and_the_new_columns_only_when_needed() -> None:
    rows = validate(row_text(country="AE|BH", currency="USD", timezone="Asia/Dubai", submission_cutoff="10:00")).rows
    out = io.StringIO(newline="")
    write_release_csv(rows[:1], out)
    header, line, end = out.getvalue().split("\n")
    assert header == ("system,country,currency,frequency,period,period_start,period_end,submission,"
                      "submission_cutoff,billing,remittance,remittance_cutoff,settlement,correction_cutoff,"
                      "dispute_deadline,remarks,timezone")
    assert line.startswith("BSP,AE|BH,USD,monthly,2026-03-4,2026-03-24,2026-03-31,2026-04-01,10:00,2026-04-06,")
    assert line.endswith(",Asia/Dubai") and end == ""
    plain = io.StringIO(newline="")
    write_release_csv(validate(HEADER + "\n" + GOOD).rows, plain)
    assert plain.getvalue().split("\n")[0] == HEADER
