"""Hostile release files, generated on demand (never committed): decompression bombs, endless rows,
files cut mid-copy. Each builder writes to `path` and returns it; sizes are parameters so the tests
stay fast and the same builders reproduce the issue's full-size files by hand."""

from __future__ import annotations

import pathlib
import zipfile

from tests.cli.releases import ES_2026, HEADER

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '</Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '</Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Release" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '</Relationships>'
)
SHEET_START = '<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
_BLOCK = 1 << 20


def row_xml(number: int, cells: list[str]) -> str:
    inline = "".join(f'<c t="inlineStr"><is><t>{cell}</t></is></c>' for cell in cells)
    return f'<row r="{number}">{inline}</row>'


def good_rows_xml() -> str:
    lines = [HEADER, *ES_2026]
    return "".join(row_xml(n, line.split(",")) for n, line in enumerate(lines, 1))


def workbook(path: pathlib.Path, sheet_parts: list[tuple[str, int]], *, sheet_prefix: str = "",
             extra: dict[str, str] | None = None, workbook_xml: str = _WORKBOOK) -> pathlib.Path:
    """An XLSX whose worksheet is SHEET_START, `sheet_prefix`, then each text repeated its count of times
    (streamed, so a gigabyte costs no memory here)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", workbook_xml)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        for name, text in (extra or {}).items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((SHEET_START + sheet_prefix).encode())
            for text, count in sheet_parts:
                data = text.encode()
                per_block = max(1, _BLOCK // max(len(data), 1))
                while count > 0:
                    sheet.write(data * min(count, per_block))
                    count -= per_block
    return path


def spaces_bomb(path: pathlib.Path, size: int) -> pathlib.Path:
    """A worksheet of `size` spaces inside the sheet data (the issue's 3 GiB: 3 << 30)."""
    return workbook(path, [(" ", size), ("</sheetData></worksheet>", 1)], sheet_prefix="<sheetData>")


def long_cell(path: pathlib.Path, size: int) -> pathlib.Path:
    """A header row, then one cell of `size` characters (the issue's 2 GiB: 2 << 30)."""
    start = good_rows_xml() + '<row r="4"><c t="inlineStr"><is><t>'
    return workbook(path, [("x", size), ("</t></is></c></row></sheetData></worksheet>", 1)],
                    sheet_prefix="<sheetData>" + start)


def many_bad_rows(path: pathlib.Path, count: int) -> pathlib.Path:
    """A header, then `count` rows without a row number, each one bad cell."""
    bad = '<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    return workbook(path, [(bad, count), ("</sheetData></worksheet>", 1)],
                    sheet_prefix="<sheetData>" + row_xml(1, HEADER.split(",")))


def far_row(path: pathlib.Path, number: int) -> pathlib.Path:
    """A good release whose last row is numbered `number` (the issue's 1,000,000,000,000)."""
    last = row_xml(number, "BSP,ES,EUR,monthly,2026-03,2026-03-01,2026-03-31".split(","))
    return workbook(path, [(last + "</sheetData></worksheet>", 1)], sheet_prefix="<sheetData>" + good_rows_xml())


def broken_after_dimension(path: pathlib.Path) -> pathlib.Path:
    """A worksheet whose XML breaks right after its <dimension>."""
    return workbook(path, [('<dimension ref="A1:O3"/><sheetData><row r="1"><c', 1)])


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 10))
          + "]>")


def billion_laughs(path: pathlib.Path, part: str) -> pathlib.Path:
    """The 'billion laughs' entity bomb in the worksheet or in the workbook part."""
    if part == "worksheet":
        return _with_sheet(path, LAUGHS + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                           '<sheetData><row r="1"><c t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>')
    bomb = LAUGHS + _WORKBOOK.replace('<?xml version="1.0" encoding="UTF-8"?>', "").replace("Release", "&lol9;")
    return workbook(path, [(good_rows_xml() + "</sheetData></worksheet>", 1)], sheet_prefix="<sheetData>",
                    workbook_xml=bomb)


def _with_sheet(path: pathlib.Path, sheet: str) -> pathlib.Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def csv_rows(path: pathlib.Path, rows: list[str], count: int, *, header: str = HEADER, end: str = "") -> pathlib.Path:
    """`header`, then `rows` repeated until `count` lines, each with its period made unique, then `end`."""
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(header + "\n")
        for n in range(count):
            out.write(rows[n % len(rows)].replace("{n}", str(n)) + "\n")
        out.write(end)
    return path


def many_good_rows(path: pathlib.Path, count: int) -> pathlib.Path:
    """A valid release of `count` weekly periods, 600 per calendar over as many calendars as it takes."""
    import datetime

    import pycountry

    week = datetime.timedelta(days=7)
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(HEADER + "\n")
        written = 0
        for system in ("BSP", "CASS"):
            for country in (each.alpha_2 for each in pycountry.countries):
                for frequency in ("weekly", "monthly"):
                    start = datetime.date(2000, 1, 3)
                    for number in range(min(600, count - written)):
                        end = start + datetime.timedelta(days=6)
                        out.write(f"{system},{country},EUR,{frequency},P{number},{start},{end},,{end + week},"
                                  f"{end + 2 * week},,,,,\n")
                        start += week
                    written += min(600, count - written)
                    if written == count:
                        return path
    raise ValueError(f"at most {written} rows")
