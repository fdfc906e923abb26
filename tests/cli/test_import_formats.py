"""What reaches `settlecal import` besides a plain CSV: XLSX workbooks, and a terminal to draw on."""

from __future__ import annotations

import datetime
import os
import pathlib
import pty
import subprocess
import sys

import openpyxl

from tests.cli.releases import ES_2026, HEADER, write_release
from tests.cli.test_import import key_dates
from tests.conftest import ROOT, Settlecal


def write_workbook(path: pathlib.Path, rows: list[str]) -> pathlib.Path:
    """The rows as a spreadsheet exports them: real date and time cells, not text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    for row in rows:
        cells: list[object] = []
        for cell in row.split(","):
            if len(cell) == 10 and cell[4] == "-":
                cells.append(datetime.datetime.fromisoformat(cell))
            elif len(cell) == 5 and cell[2] == ":":
                cells.append(datetime.time.fromisoformat(cell))
            else:
                cells.append(cell or None)
        sheet.append(cells)
    workbook.save(path)
    return path


def test_an_xlsx_release_imports_like_its_csv(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    result = settlecal("import", write_workbook(tmp_path / "release.xlsx", ES_2026))

    assert result.exit_code == 0, result.output
    from_xlsx = key_dates(settlecal.database_url)
    assert len(from_xlsx) == 10
    again = settlecal("import", write_release(tmp_path / "release.csv", ES_2026))
    assert "No change" in again.output
    assert key_dates(settlecal.database_url) == from_xlsx


def test_a_terminal_gets_a_progress_bar_and_a_pipe_does_not(
    database_url: str, settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    path = write_release(tmp_path / "release.csv", ES_2026)
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "importer", "--database", database_url, "import", str(path)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=terminal, timeout=120, check=True,
        )
        drawn = os.read(controller, 65536).decode()
    finally:
        os.close(controller)
        os.close(terminal)

    assert "Importing" in drawn and "100%" in drawn
    assert "Importing" not in process.stdout.decode()
    piped = settlecal("rollback")
    assert "Importing" not in piped.output
