"""The yearly release cycle on weekly calendars, whose weeks straddle new years: republishing one
year never touches another, and an import that would remove a year's key dates wholesale (a
truncated file) is refused until --allow-removals confirms it."""

from __future__ import annotations

import json
import pathlib

import pytest
from sqlalchemy import select

from settlecal.db.engine import make_engine
from settlecal.db.snapshot import reading
from settlecal.db.models import Period
from tests.cli.releases import ES_2026, HEADER, weeks, write_release
from tests.cli.test_import import key_dates
from tests.conftest import Settlecal, database_rows

TRUNCATED_2027 = weeks(2027)[:20]  # an export that stopped after 20 weeks
REFUSAL = (
    "Error: refused: the release would remove all or more than a quarter of the key dates in force of 1 calendar "
    "year (a truncated file?):\n"
    "  BSP ZA ZAR weekly 2027: 160 of 260 key dates in force (61.5%)\n"
    "Nothing was written. If the file is complete, import it with --allow-removals.\n"
)


def in_force(database_url: str) -> set[str]:
    """The periods with their period key date in force."""
    return {period for (period, kind), (*_, removed) in key_dates(database_url).items()
            if kind == "period" and not removed}


def years(database_url: str) -> dict[str, int]:
    with reading(make_engine(database_url)) as session:
        return {code: year for code, year in session.execute(select(Period.code, Period.year))}


def test_republishing_a_53_week_year_leaves_the_next_year_alone(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "2026-2027.csv", weeks(2026) + weeks(2027)))
    exported = settlecal("export").output

    dry_run = settlecal("import", write_release(tmp_path / "2026.csv", weeks(2026)), "--dry-run")
    result = settlecal("import", tmp_path / "2026.csv")

    assert (dry_run.exit_code, dry_run.output) == (0, "No change: the database already holds this release.\n")
    assert (result.exit_code, result.output) == (0, "No change: the database already holds this release.\n")
    assert settlecal("export").output == exported
    assert years(settlecal.database_url)["2026-W53"] == 2026


@pytest.mark.parametrize("order", [(2026, 2027), (2027, 2026)])
def test_each_year_of_weeks_imports_without_removing_any_of_the_other(
    settlecal: Settlecal, tmp_path: pathlib.Path, order: tuple[int, int]
) -> None:
    for year in order:
        result = settlecal("import", write_release(tmp_path / f"{year}.csv", weeks(year)), "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["totals"] == {"added": 5 * len(weeks(year)), "moved": 0, "changed": 0,
                                                       "removed": 0}
    assert len(in_force(settlecal.database_url)) == 53 + 52


def test_next_years_weeks_leave_this_years_last_week(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "2027.csv", weeks(2027)))

    result = settlecal("import", write_release(tmp_path / "2028.csv", weeks(2028)), "--dry-run", "--json")

    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["totals"] == {"added": 260, "moved": 0, "changed": 0, "removed": 0}
    assert (outcome["removals"], outcome["refused"]) == ([], False)
    assert settlecal("import", tmp_path / "2028.csv").exit_code == 0
    assert {"2027-W52", "2028-W01"} <= in_force(settlecal.database_url)
    assert years(settlecal.database_url)["2027-W52"] == 2027


def test_republishing_a_year_without_its_last_week_removes_that_week(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "2027.csv", weeks(2027)))

    result = settlecal("import", write_release(tmp_path / "amended.csv", weeks(2027, without=[52])), "--json")

    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert {(c["period"], c["action"]) for c in outcome["calendars"][0]["changes"]} == {("2027-W52", "removed")}
    assert outcome["removals"] == [{"calendar": "/bsp/za-zar-weekly/", "year": 2027, "removed": 5, "in_force": 260,
                                    "refused": False}]
    assert "2027-W52" not in in_force(settlecal.database_url)


def test_an_amendment_dropping_a_key_date_goes_through(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "2027.csv", weeks(2027)))
    amended = weeks(2027)
    cells = amended[10].split(",")
    cells[9:11] = ["", ""]  # week 11's remittance and its cut-off
    amended[10] = ",".join(cells)

    result = settlecal("import", write_release(tmp_path / "amended.csv", amended))

    assert result.exit_code == 0, result.output
    assert "removed  2027-W11 remittance" in result.output
    assert "year 2027: removes 1 of 260 key dates in force (0.4%)" in result.output


def test_a_truncated_file_is_refused_and_nothing_is_written(
    database_url: str, settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "2027.csv", weeks(2027)))
    before = database_rows(make_engine(database_url))
    truncated = write_release(tmp_path / "truncated.csv", TRUNCATED_2027)

    result = settlecal("import", truncated)
    as_json = settlecal("import", truncated, "--json")

    assert (result.exit_code, result.output) == (1, REFUSAL)
    assert as_json.exit_code == 1
    assert json.loads(as_json.stdout) == {"ok": False, "refused": True, "removals": [
        {"calendar": "/bsp/za-zar-weekly/", "year": 2027, "removed": 160, "in_force": 260, "refused": True}]}
    assert database_rows(make_engine(database_url)) == before


def test_a_refusal_writes_no_other_calendar_of_the_release_either(
    database_url: str, settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026 + weeks(2027)))
    before = database_rows(make_engine(database_url))
    billing_moved = [ES_2026[0].replace("2026-02-05", "2026-02-06"), ES_2026[1]]

    result = settlecal("import", write_release(tmp_path / "both.csv", billing_moved + TRUNCATED_2027))

    assert result.exit_code == 1
    assert "BSP ZA ZAR weekly 2027: 160 of 260" in result.output and "ES" not in result.output
    assert database_rows(make_engine(database_url)) == before


def test_a_dry_run_of_a_truncated_file_shows_the_change_and_the_refusal(
    database_url: str, settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "2027.csv", weeks(2027)))
    truncated = write_release(tmp_path / "truncated.csv", TRUNCATED_2027)

    result = settlecal("import", truncated, "--dry-run")
    as_json = settlecal("import", truncated, "--dry-run", "--json")
    allowed = settlecal("import", truncated, "--dry-run", "--allow-removals")

    assert result.exit_code == 1
    assert "  removed  2027-W21 period  2027-05-24…2027-05-30\n" in result.output
    assert ("  year 2027: removes 160 of 260 key dates in force (61.5%): refused without --allow-removals\n"
            in result.output)
    assert result.output.endswith(
        "Dry run: would change 1 calendar (0 added, 0 moved, 0 changed, 160 removed); nothing written.\n" + REFUSAL)
    assert as_json.exit_code == 1
    outcome = json.loads(as_json.stdout)
    assert (outcome["refused"], outcome["totals"]["removed"]) == (True, 160)
    assert outcome["removals"] == [{"calendar": "/bsp/za-zar-weekly/", "year": 2027, "removed": 160,
                                    "in_force": 260, "refused": True}]
    assert allowed.exit_code == 0, allowed.output
    assert "year 2027: removes 160 of 260 key dates in force (61.5%), allowed by --allow-removals" in allowed.output
    assert len(in_force(database_url)) == 52


def test_a_truncated_file_goes_in_with_allow_removals_and_a_rollback_needs_no_permission(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "2027.csv", weeks(2027)))
    exported = settlecal("export").output

    result = settlecal("import", write_release(tmp_path / "truncated.csv", TRUNCATED_2027), "--allow-removals")

    assert result.exit_code == 0, result.output
    assert result.output.endswith(
        "Imported as release 2: 1 calendar changed (0 added, 0 moved, 0 changed, 160 removed).\n")
    assert len(in_force(settlecal.database_url)) == 20
    assert settlecal("rollback").exit_code == 0
    assert settlecal("export").output == exported


def test_a_year_whose_every_key_date_goes_is_refused(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "2027.csv", weeks(2027)))
    # The same weeks under CASS-style codes (2701, 2702, ...): every period of 2027 is new.
    renamed = [row.replace(",2027-W", ",27") for row in weeks(2027)]

    result = settlecal("import", write_release(tmp_path / "renamed.csv", renamed), "--dry-run")

    assert result.exit_code == 1
    assert "Dry run: would change 1 calendar (260 added, 0 moved, 0 changed, 260 removed)" in result.output
    assert "  BSP ZA ZAR weekly 2027: all 260 key dates in force\n" in result.output


def test_a_year_column_puts_a_period_in_another_year_and_export_writes_it_back(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "2026.csv", weeks(2026, without=[53])))
    # An operator that opens its 2027 calendar with 2026-W53 (28 December 2026 to 3 January 2027).
    opened = write_release(tmp_path / "2027.csv", [weeks(2026)[-1] + ",2027", *weeks(2027)], header=HEADER + ",year")

    first = settlecal("import", opened, "--json")
    again = [settlecal("import", path).output for path in (tmp_path / "2026.csv", opened)]
    exported = settlecal("export")

    assert json.loads(first.stdout)["totals"] == {"added": 265, "moved": 0, "changed": 0, "removed": 0}
    assert years(settlecal.database_url)["2026-W53"] == 2027
    assert again == ["No change: the database already holds this release.\n"] * 2
    lines = exported.output.splitlines()
    assert lines[0] == HEADER + ",year"
    assert [line.split(",")[-1] for line in lines[1:]] == [""] * 52 + ["2027"] + [""] * 52
    (tmp_path / "exported.csv").write_text(exported.output, encoding="utf-8")
    assert "No change" in settlecal("import", tmp_path / "exported.csv").output


def test_republishing_a_period_without_its_year_column_gives_it_back_the_rules_year(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "2026.csv", weeks(2026, without=[53])))
    settlecal("import", write_release(tmp_path / "2027.csv", [weeks(2026)[-1] + ",2027", *weeks(2027)],
                                      header=HEADER + ",year"))

    result = settlecal("import", write_release(tmp_path / "2026-full.csv", weeks(2026)))

    # Only the year of 2026-W53 changed: nothing a client sees.
    assert (result.exit_code, result.output) == (0, "No change: the database already holds this release.\n")
    assert years(settlecal.database_url)["2026-W53"] == 2026
    assert settlecal("export").output.splitlines()[0] == HEADER


def test_a_rollback_gives_a_period_back_the_year_of_its_restored_dates(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    # 30 December to 2 January: two days in each year, so 2026, the year it starts in.
    tie = ["BSP,ES,EUR,ten-daily,P,2026-12-30,2027-01-02,,,,,,,,",
           "BSP,ES,EUR,ten-daily,Q,2027-01-03,2027-01-31,,,,,,,,"]
    settlecal("import", write_release(tmp_path / "first.csv", tie))
    exported = settlecal("export").output
    # A day later, P has three days in 2027.
    later = [tie[0].replace("2026-12-30,2027-01-02", "2026-12-31,2027-01-03"),
             tie[1].replace("2027-01-03", "2027-01-04")]
    settlecal("import", write_release(tmp_path / "later.csv", later))
    assert years(settlecal.database_url) == {"P": 2027, "Q": 2027}

    assert settlecal("rollback").exit_code == 0

    assert years(settlecal.database_url) == {"P": 2026, "Q": 2027}
    assert settlecal("export").output == exported
