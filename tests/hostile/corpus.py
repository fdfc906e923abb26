"""Malformed release files, one kind of fault each, with where and how the importer must object.

Each entry: name → (file bytes, expected line, expected column, a fragment of the message). The
file is built here from a good release so that each one differs from it by exactly its fault.
"""

from __future__ import annotations

import io
import zipfile

from tests.cli.releases import ES_2026, HEADER

GOOD = [HEADER, *ES_2026]
# 1-based columns of the release header.
COLUMN = {name: index for index, name in enumerate(HEADER.split(","), start=1)}


def text(*lines: str, ending: str = "\n") -> bytes:
    return (ending.join(lines) + ending).encode("utf-8")


def with_cell(column: str, value: str, row: int = 0) -> bytes:
    """The good release with one cell of data row `row` replaced."""
    rows = [line.split(",") for line in GOOD]
    rows[1 + row][COLUMN[column] - 1] = value
    return text(*(",".join(cells) for cells in rows))


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    return buffer.getvalue()


Case = tuple[bytes, int | None, int | None, str]

CASES: dict[str, Case] = {
    "empty file": (b"", None, None, "empty"),
    "only a byte-order mark": ("\ufeff".encode(), None, None, "empty"),
    "only blank lines": (b"\n\n  \n", None, None, "empty"),
    "header only": (text(HEADER), None, None, "period rows"),
    "missing required column": (text(HEADER.replace(",period_end", ""), *(",".join(r.split(",")[:6] + r.split(",")[7:]) for r in ES_2026)), 1, None, "period_end"),
    "unknown column": (text(HEADER + ",colour", *(r + ",red" for r in ES_2026)), 1, 16, "unknown column 'colour'"),
    "duplicate column": (text(HEADER + ",billing", *(r + ",2026-02-05" for r in ES_2026)), 1, 16, "once"),
    "unnamed column with data": (text(HEADER + ",", *(r + ",x" for r in ES_2026)), 2, 16, "column without a name"),
    "cells beyond the header": (text(HEADER, ES_2026[0] + ",surplus", ES_2026[1]), 2, 16, "beyond the header"),
    "bad date": (with_cell("billing", "05.02.2026"), 2, COLUMN["billing"], "05.02.2026"),
    "impossible date": (with_cell("billing", "2026-02-30"), 2, COLUMN["billing"], "2026-02-30"),
    "impossible DD/MM/YYYY date": (with_cell("settlement", "31/04/2026"), 2, COLUMN["settlement"], "31/04/2026"),
    "month name misspelt": (with_cell("remittance", "16-Fbr-26"), 2, COLUMN["remittance"], "16-Fbr-26"),
    "unknown country": (with_cell("country", "XX"), 2, COLUMN["country"], "XX"),
    "country given as a name": (with_cell("country", "Spain"), 2, COLUMN["country"], "Spain"),
    "unknown currency": (with_cell("currency", "EUX"), 2, COLUMN["currency"], "EUX"),
    "unknown system": (with_cell("system", "ARC"), 2, COLUMN["system"], "ARC"),
    "unknown frequency": (with_cell("frequency", "biweekly"), 2, COLUMN["frequency"], "biweekly"),
    "missing period code": (with_cell("period", ""), 2, COLUMN["period"], "period code"),
    "overlong period code": (with_cell("period", "P" * 41), 2, COLUMN["period"], "40"),
    "control character in a period code": (with_cell("period", "2026-01\x07"), 2, COLUMN["period"], "control"),
    "missing period start": (with_cell("period_start", ""), 2, COLUMN["period_start"], "empty"),
    "period end before start": (with_cell("period_end", "2025-12-31"), 2, COLUMN["period_end"], "on or after period_start"),
    "remittance before period end": (with_cell("remittance", "2026-01-30"), 2, COLUMN["remittance"], "on or after period_end"),
    "cut-off without remittance": (with_cell("remittance", ""), 2, COLUMN["remittance_cutoff"], "remittance date"),
    "cut-off out of range": (with_cell("remittance_cutoff", "25:00"), 2, COLUMN["remittance_cutoff"], "25:00"),
    "cut-off with seconds": (with_cell("remittance_cutoff", "12:00:30"), 2, COLUMN["remittance_cutoff"], "12:00:30"),
    "duplicate period": (text(*GOOD, ES_2026[0]), 4, COLUMN["period"], "first on line 2"),
    "overlapping periods": (text(*GOOD, ES_2026[1].replace("2026-02,2026-02-01", "2026-02b,2026-02-15").replace("2026-02-28", "2026-02-20")), 4, COLUMN["period_start"], "overlap"),
    "NUL byte in remarks": (with_cell("remarks", "bank\x00holiday"), 2, COLUMN["remarks"], "control"),
    "not UTF-8": (text(*GOOD[:2]) + "BSP,ES,EUR,monthly,2026-02,2026-02-01,2026-02-28,,,,,,,,Año".encode("latin-1") + b"\n", 3, None, "UTF-8"),
    "unterminated quote": (text(*GOOD) + b'BSP,ES,EUR,monthly,"2026-03,2026-03-01\n', 4, None, "quote"),
    "a PNG picture": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, None, None, ""),
    "a zip that is not a workbook": (zip_bytes(), None, None, "XLSX"),
}
