"""Issue 13, medium rows: remarks that spreadsheets would run as formulas, and characters XML cannot
carry, through `settlecal import`, `settlecal export` and the page's CSV download of a live server."""

from __future__ import annotations

import csv
import json
import io
import pathlib

import requests
from sqlalchemy import Engine

from caldav_plugin.serve import serving
from caldav_plugin.wsgi import make_application
from tests.conftest import Settlecal

HEADER = ("system,country,currency,frequency,period,period_start,period_end,submission,billing,remittance,"
          "remittance_cutoff,settlement,correction_cutoff,dispute_deadline,remarks\n")
FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)"]


def release(path: pathlib.Path, remarks: list[str]) -> pathlib.Path:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    for day, remark in enumerate(remarks, 1):
        writer.writerow(["BSP", "ES", "EUR", "monthly", f"2026-01-{day}", f"2026-01-0{day}", f"2026-01-0{day}",
                         "", f"2026-01-1{day}", "", "", "", "", "", remark])
    path.write_text(HEADER + out.getvalue(), encoding="utf-8")
    return path


def test_formulas_are_neutralised_in_every_csv_and_export_imports_as_no_change(
    settlecal: Settlecal, engine: Engine, database_url: str, tmp_path: pathlib.Path,
) -> None:
    imported = settlecal("import", release(tmp_path / "formulas.csv", FORMULAS))
    assert imported.exit_code == 0, imported.output

    exported = settlecal("export", "--system", "BSP", "--country", "ES", "-o", tmp_path / "out.csv")
    with serving(make_application(database_url=database_url)) as url:
        page = requests.get(f"{url}/.web/download.csv?country=ES&from=2026-01-01&to=2026-12-31&sep=comma", timeout=30)

    assert exported.exit_code == 0, exported.output
    for text in [(tmp_path / "out.csv").read_text(encoding="utf-8-sig"), page.content.decode("utf-8-sig")]:
        remarks = [row["remarks"] for row in csv.DictReader(io.StringIO(text))]
        assert remarks == ["'" + formula for formula in FORMULAS]
    (tmp_path / "page.csv").write_bytes(page.content)
    for again in ("out.csv", "page.csv"):
        dry = settlecal("import", tmp_path / again, "--dry-run", "--json")
        assert dry.exit_code == 0, dry.output
        assert json.loads(dry.output)["changed"] is False, dry.output


def test_characters_xml_cannot_carry_are_refused_at_import_with_line_and_column(
    settlecal: Settlecal, tmp_path: pathlib.Path,
) -> None:
    result = settlecal("import", release(tmp_path / "ffff.csv", ["fine", "not \uffff fine"]))

    assert result.exit_code == 1
    assert "ffff.csv:3:15:" in result.output and "U+FFFF" in result.output, result.output
    assert "Traceback" not in result.output
