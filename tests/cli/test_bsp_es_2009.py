"""A real published calendar through the importer: BSP Spain 2009 (tests/data/releases/bsp-es-2009.csv).

The file is transcribed from what is known of the calendar IATA published for BSP Spain in 2009 (CSV
allows no comment line, so its source is given here), laid out as an operator's spreadsheet exports
it: Excel "CSV UTF-8" in a Spanish locale (byte-order mark, `;` separators, CRLF), `DD-MMM-YY` and
`DD/MM/YYYY` dates, capitalised headers. Monthly remittance over four reporting periods a month
(1-7, 8-15, 16-23, 24-end), and only period 4 of a month carries a billing and a remittance date.
January's period 4 is the published example (DESIGN.md §1): 24-Jan-09 to 31-Jan-09, billing
05/02/2009, remittance 16-Feb-09 by 12:00. The other months apply the calendar's pattern, since
their published dates were not at hand: billing on the 5th of the next month whatever the weekday
(so on Sunday 5 April and Sunday 5 July 2009), remittance on the 16th or the next business day, by
12:00; December's period is billed and paid in January 2010.
"""

from __future__ import annotations

import datetime as dt
import json
import pathlib

from tests.cli.releases import write_release
from tests.cli.test_import import key_dates
from tests.cli.test_year_boundaries import years
from tests.conftest import DATA, Settlecal

SPAIN_2009 = DATA / "releases" / "bsp-es-2009.csv"


def test_the_published_calendar_imports_whole(settlecal: Settlecal) -> None:
    result = settlecal("import", SPAIN_2009)

    assert result.exit_code == 0, result.output
    assert result.stdout == (  # standard error says the database was created
        "BSP ES EUR monthly  /bsp/es-eur-monthly/\n"
        "  new calendar: 72 key dates\n"
        "Imported as release 1: 1 calendar changed (72 added, 0 moved, 0 changed, 0 removed).\n"
    )
    stored = key_dates(settlecal.database_url)
    assert stored[("2009-01-4", "period")][:2] == ("2009-01-24", "2009-01-31")
    assert stored[("2009-01-4", "billing")][:3] == ("2009-02-05", "2009-02-05", None)
    assert stored[("2009-01-4", "remittance")][:3] == ("2009-02-16", "2009-02-16", "12:00")
    remitting = sorted(period for (period, kind) in stored if kind == "remittance")
    assert remitting == [f"2009-{month:02d}-4" for month in range(1, 13)]
    sundays = [period for (period, kind), (day, *_) in stored.items()
               if kind == "billing" and dt.date.fromisoformat(day).weekday() == 6]
    assert sundays == ["2009-03-4", "2009-06-4"]


def test_december_is_paid_in_2010_and_stays_in_2009(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", SPAIN_2009)
    january_2010 = ["BSP,ES,EUR,monthly,2010-01-1,2010-01-01,2010-01-07,,,,,,,,"]

    result = settlecal("import", write_release(tmp_path / "2010.csv", january_2010), "--json")

    assert json.loads(result.output)["totals"] == {"added": 1, "moved": 0, "changed": 0, "removed": 0}
    stored = key_dates(settlecal.database_url)
    assert stored[("2009-12-4", "billing")][0] == "2010-01-05"
    assert stored[("2009-12-4", "remittance")][:3] == ("2010-01-18", "2010-01-18", "12:00")
    assert not stored[("2009-12-4", "remittance")][5]
    assert years(settlecal.database_url)["2009-12-4"] == 2009


def test_its_export_is_canonical_and_imports_as_no_change(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", SPAIN_2009)
    exported = tmp_path / "exported.csv"
    settlecal("export", "-o", exported)

    result = settlecal("import", exported)

    assert "No change" in result.output
    lines = exported.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + 48
    assert "BSP,ES,EUR,monthly,2009-01-4,2009-01-24,2009-01-31,,2009-02-05,2009-02-16,12:00,,,," in lines


def test_half_the_year_republished_is_refused_until_allowed(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", SPAIN_2009)
    # The spreadsheet's first half only: 24 periods with their 6 billing and 6 remittance dates.
    first_half = [line for line in SPAIN_2009.read_text(encoding="utf-8-sig").splitlines()
                  if line.startswith("System") or int(line.split(";")[4][5:7]) <= 6]
    cut = tmp_path / "first-half.csv"
    cut.write_text("\r\n".join(first_half) + "\r\n", encoding="utf-8")

    refused = settlecal("import", cut)
    allowed = settlecal("import", cut, "--allow-removals")

    assert refused.exit_code == 1
    assert "  BSP ES EUR monthly 2009: 36 of 72 key dates in force (50.0%)\n" in refused.output
    assert allowed.exit_code == 0, allowed.output
    assert "(0 added, 0 moved, 0 changed, 36 removed)" in allowed.output
