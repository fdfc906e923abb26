"""read_release and write_release_csv: formats, encodings, separators, errors, and the round trip."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import io
import pathlib

import openpyxl
import pytest

from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.errors import (
    SettlecalError,
    ReleaseFormatUnknown,
    ReleaseInvalid,
    ReleaseNotFound,
    ReleaseNotUtf8,
    ReleaseProblem,
)
from settlecal.release_format.file import ReleaseFormat, read_release, write_release_csv
from settlecal.release_format.rows import COLUMNS, ReleaseRow, kind_cutoffs, kind_dates

RELEASES = pathlib.Path(__file__).resolve().parents[1] / "data" / "releases"
ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
DE_CARGO = CalendarKey(System.CASS, "DE", "EUR", Frequency.TWICE_MONTHLY)


def release(name: str) -> pathlib.Path:
    """A committed release file, by name."""
    return RELEASES / name


def unnumbered(rows: tuple[ReleaseRow, ...]) -> list[ReleaseRow]:
    return [dataclasses.replace(row, line=0) for row in rows]


def write(path: pathlib.Path, content: str | bytes) -> pathlib.Path:
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_reads_a_release() -> None:
    path = release("es-2026.csv")
    found = read_release(path)
    assert (found.name, found.format, len(found.rows)) == ("es-2026.csv", ReleaseFormat.CSV, 9)
    assert found.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert found.rows[3] == ReleaseRow(
        line=5, calendar=ES, period="2026-01-4", period_start=dt.date(2026, 1, 24), period_end=dt.date(2026, 1, 31),
        dates=kind_dates({Kind.SUBMISSION: dt.date(2026, 2, 2), Kind.BILLING: dt.date(2026, 2, 5),
                          Kind.REMITTANCE: dt.date(2026, 2, 16), Kind.SETTLEMENT: dt.date(2026, 2, 17)}),
        cutoffs=kind_cutoffs({Kind.REMITTANCE: dt.time(12)}), remarks=None,
    )  # fmt: skip
    assert found.rows[7].remarks == "Remittance moved: bank holiday, 13 March"
    assert found.rows[8] == ReleaseRow(
        line=10, calendar=DE_CARGO, period="2606", period_start=dt.date(2026, 3, 16), period_end=dt.date(2026, 3, 31),
        dates=kind_dates({Kind.BILLING: dt.date(2026, 4, 7), Kind.REMITTANCE: dt.date(2026, 4, 20),
                          Kind.SETTLEMENT: dt.date(2026, 4, 22), Kind.CORRECTION_CUTOFF: dt.date(2026, 4, 3),
                          Kind.DISPUTE_DEADLINE: dt.date(2026, 5, 5)}),
        cutoffs=kind_cutoffs({Kind.REMITTANCE: dt.time(14)}), remarks=None,
    )  # fmt: skip


def _as_spreadsheet_export(date_format: str, separator: str, newline: str, bom: bool) -> bytes:
    """es-2026.csv as a spreadsheet might save it."""
    with release("es-2026.csv").open(newline="") as fp:
        records = list(csv.reader(fp))
    for cells in records[1:]:
        for index in range(5, 14):
            if cells[index] and index != COLUMNS.index("remittance_cutoff"):
                cells[index] = dt.date.fromisoformat(cells[index]).strftime(date_format)
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator=newline, quoting=csv.QUOTE_ALL).writerows(records)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


@pytest.mark.parametrize(
    ("date_format", "separator", "newline", "bom"),
    [("%Y-%m-%d", ",", "\n", False), ("%d/%m/%Y", ";", "\r\n", True), ("%d-%b-%y", ",", "\r\n", True),
     ("%d-%b-%y", ";", "\n", False), ("%d/%m/%Y", ",", "\r", False)],
)  # fmt: skip
def test_spreadsheet_exports_read_the_same(
    tmp_path: pathlib.Path, date_format: str, separator: str, newline: str, bom: bool
) -> None:
    path = write(tmp_path / "export.csv", _as_spreadsheet_export(date_format, separator, newline, bom))
    found = read_release(path)
    assert found.rows == read_release(release("es-2026.csv")).rows  # same line numbers too


def test_lines_count_blank_lines_and_newlines_inside_quotes(tmp_path: pathlib.Path) -> None:
    text = (
        "\r\n" + ",".join(COLUMNS) + "\r\n\r\n"
        'BSP,ES,EUR,monthly,2026-01-4,2026-01-24,2026-01-31,,,,,,,,"two\r\nlines"\r\n'
        ",,,,,,,,,,,,,,\r\n"
        'BSP,ES,EUR,monthly,"2026-02-4",2026-02-24,2026-02-28,N/A,n/a,,,,,,"a ""quoted"" word; and, commas"\r\n'
    )
    rows = read_release(write(tmp_path / "r.csv", text)).rows
    assert [(row.line, row.remarks) for row in rows] == [(4, "two\r\nlines"), (7, 'a "quoted" word; and, commas')]


def test_extra_columns_can_be_allowed(tmp_path: pathlib.Path) -> None:
    path = write(tmp_path / "r.csv", ",".join(COLUMNS) + ",agent note\n" + "BSP,ES,EUR,monthly,1,2026-01-01,2026-01-07" + ",," * 4 + ",x\n")
    with pytest.raises(ReleaseInvalid) as rejected:
        read_release(path)
    assert str(rejected.value.problems[0]).startswith("line 1, column 16 (agent note): unknown column 'agent note'")
    assert read_release(path, allow_extra_columns=True).rows[0].period == "1"


# -- XLSX ---------------------------------------------------------------------------------------


def _workbook(path: pathlib.Path, rows: list[list[object]]) -> pathlib.Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    for number, cells in enumerate(rows, 1):
        for column, value in enumerate(cells, 1):
            if value is not None:
                sheet.cell(number, column, value)
    workbook.create_sheet("ignored").append(["not", "read"])
    workbook.save(path)
    return path


XLSX_HEADER: list[object] = ["System", "Country", "Currency", "Frequency", "Period", "Period_Start", "Period_End",
                             "Billing", "Remittance", "Remittance_Cutoff", "Remarks"]  # fmt: skip


def test_xlsx_with_date_time_and_number_cells(tmp_path: pathlib.Path) -> None:
    path = _workbook(tmp_path / "release.xlsx", [
        XLSX_HEADER,
        ["BSP", "ES", "EUR", "monthly", "2026-01-4", dt.date(2026, 1, 24), dt.datetime(2026, 1, 31),
         dt.date(2026, 2, 5), dt.date(2026, 2, 16), dt.time(12, 0), "Bank holiday"],
        [],  # an empty row: no <row> in the sheet at all
        ["CASS", "DE", "EUR", "twice-monthly", 2606, dt.date(2026, 3, 16), dt.date(2026, 3, 31),
         dt.date(2026, 4, 7), dt.date(2026, 4, 20), dt.time(14, 0), None],
    ])  # fmt: skip
    found = read_release(path)
    assert (found.format, found.sha256) == (ReleaseFormat.XLSX, hashlib.sha256(path.read_bytes()).hexdigest())
    first, cargo = found.rows
    assert (first.line, first.period_start, first.period_end, first.date(Kind.BILLING), first.cutoff(Kind.REMITTANCE), first.remarks) == (
        2, dt.date(2026, 1, 24), dt.date(2026, 1, 31), dt.date(2026, 2, 5), dt.time(12), "Bank holiday")
    assert (cargo.line, cargo.calendar, cargo.period, cargo.cutoff(Kind.REMITTANCE)) == (4, DE_CARGO, "2606", dt.time(14))


def test_xlsx_with_text_cells_reads_like_csv(tmp_path: pathlib.Path) -> None:
    path = _workbook(tmp_path / "release.xlsx", [
        XLSX_HEADER,
        ["bsp", "es", "eur", "Monthly", "2026-01-4", "24-Jan-26", "31/01/2026", "N/A", "2026-02-16", "12:00", " "],
    ])  # fmt: skip
    (row,) = read_release(path).rows
    assert (row.calendar, row.period_start, row.period_end, row.date(Kind.BILLING), row.date(Kind.REMITTANCE), row.cutoff(Kind.REMITTANCE)) == (
        ES, dt.date(2026, 1, 24), dt.date(2026, 1, 31), None, dt.date(2026, 2, 16), dt.time(12))


def test_xlsx_problems_name_sheet_rows_and_columns(tmp_path: pathlib.Path) -> None:
    path = _workbook(tmp_path / "release.xlsx", [
        [],
        XLSX_HEADER,
        ["BSP", "ES", "EUR", "monthly", "2026-01-4", dt.datetime(2026, 1, 24, 9, 30), dt.date(2026, 1, 31),
         "31/02/2026", dt.date(2026, 2, 16), dt.time(12, 0, 30), None],
    ])  # fmt: skip
    with pytest.raises(ReleaseInvalid) as rejected:
        read_release(path)
    assert [str(problem) for problem in rejected.value.problems] == [
        "line 3, column 6 (period_start): expected a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY), "
        "got '2026-01-24 09:30:00' (a date with a time of day)",
        "line 3, column 8 (billing): expected a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY), got '31/02/2026' (no such day)",
        "line 3, column 10 (remittance_cutoff): expected a time of day (HH:MM, 00:00 to 23:59), "
        "got '12:00:30' (cut-off times are to the minute)",
    ]


def test_xlsx_period_turned_into_a_date_is_a_problem(tmp_path: pathlib.Path) -> None:
    path = _workbook(tmp_path / "release.xlsx", [
        XLSX_HEADER, ["BSP", "ES", "EUR", "monthly", dt.datetime(2026, 3, 4), "2026-03-24", "2026-03-31"]])
    with pytest.raises(ReleaseInvalid) as rejected:
        read_release(path)
    assert [str(problem) for problem in rejected.value.problems] == [
        "line 2, column 5 (period): expected a period code such as 2026-03-4 (text, at most 40 characters), "
        "got the date '2026-03-04 00:00:00' (format the period column as text)"]


# -- choosing the format, and files that cannot be read -----------------------------------------


@pytest.mark.parametrize(
    ("name", "xlsx_content", "format", "expected"),
    [("r.CSV", False, None, ReleaseFormat.CSV), ("r.xlsx", True, None, ReleaseFormat.XLSX),
     ("r.txt", False, None, ReleaseFormat.CSV), ("release", True, None, ReleaseFormat.XLSX),
     ("r.txt", True, ReleaseFormat.XLSX, ReleaseFormat.XLSX), ("r.xlsx", False, ReleaseFormat.CSV, ReleaseFormat.CSV)],
)  # fmt: skip
def test_format_from_argument_then_suffix_then_content(
    tmp_path: pathlib.Path, name: str, xlsx_content: bool, format: ReleaseFormat | None, expected: ReleaseFormat
) -> None:
    if xlsx_content:
        path = _workbook(tmp_path / "w.xlsx", [XLSX_HEADER, ["BSP", "ES", "EUR", "monthly", "1", "2026-01-01", "2026-01-07"]])
        path = path.rename(tmp_path / name)
    else:
        path = write(tmp_path / name, (release("es-2026.csv")).read_bytes())
    assert read_release(path, format=format).format is expected


def test_missing_file(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ReleaseNotFound, match="expected a release file, found none there"):
        read_release(tmp_path / "nowhere.csv")
    with pytest.raises(ReleaseNotFound, match="expected a release file, got a directory"):
        read_release(tmp_path)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_not_utf8_gives_byte_offset_and_line(tmp_path: pathlib.Path, newline: str) -> None:
    text = ",".join(COLUMNS) + f"{newline}BSP,ES,EUR,monthly,1,2026-01-01,2026-01-07,,,,,,,,Se\xf1or{newline}"
    path = write(tmp_path / "latin1.csv", b"\xef\xbb\xbf" + text.encode("latin-1"))
    with pytest.raises(ReleaseNotUtf8) as rejected:
        read_release(path)
    offset = 3 + text.index("\xf1")
    assert (rejected.value.offset, rejected.value.line) == (offset, 2)
    assert str(rejected.value) == (
        f"{path}:2: expected UTF-8 text, got byte f1 at byte offset {offset} (save the file as 'CSV UTF-8')")


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(100), "got an Excel 97-2003 workbook"),
     ("renamed.csv", b"PK\x03\x04" + bytes(100), "got a zip archive (an XLSX file named .csv?)"),
     ("broken.xlsx", b"PK\x03\x04 not really a zip", "expected an XLSX workbook, got an unreadable file"),
     ("text.xlsx", b"system,country\n", "expected an XLSX workbook")],
)  # fmt: skip
def test_neither_csv_nor_xlsx(tmp_path: pathlib.Path, name: str, content: bytes, fragment: str) -> None:
    with pytest.raises(ReleaseFormatUnknown, match=fragment.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        read_release(write(tmp_path / name, content))


def test_a_nul_byte_is_reported_on_its_line(tmp_path: pathlib.Path) -> None:
    text = ",".join(COLUMNS) + "\nBSP,ES,EUR,monthly,1,2026-01-01,2026-01-07,\0,,,,,,,\n"
    with pytest.raises(SettlecalError, match=r"(line 2|:2:)"):  # csv rejects NUL before Python 3.13
        read_release(write(tmp_path / "nul.csv", text))


# -- problems -----------------------------------------------------------------------------------


def test_every_problem_of_a_file_is_reported_in_order() -> None:
    with pytest.raises(ReleaseInvalid) as rejected:
        read_release(release("many-problems.csv"))
    problems = rejected.value.problems
    assert [(p.line, p.column, p.column_name) for p in problems] == [
        (3, 2, "country"), (4, 3, "currency"), (4, 4, "frequency"), (5, 9, "billing"), (6, 7, "period_end"),
        (7, 10, "remittance"), (8, 11, "remittance_cutoff"), (9, 5, "period"), (10, 6, "period_start"),
    ]  # fmt: skip
    text = str(rejected.value).splitlines()
    assert text[0] == f"{release('many-problems.csv')}: 9 problems"
    assert text[1] == (f"{release('many-problems.csv')}:3:2: country: "
                       "expected an ISO 3166-1 alpha-2 country code such as ES, got 'XX'")  # fmt: skip


def test_problem_text_omits_what_is_unknown() -> None:
    assert str(ReleaseProblem(12, 7, "billing", "expected x, got y")) == "line 12, column 7 (billing): expected x, got y"
    assert str(ReleaseProblem(1, None, "period_end", "missing")) == "line 1 (period_end): missing"
    assert str(ReleaseProblem(None, None, None, "empty")) == "empty"
    error = ReleaseInvalid("r.csv", [ReleaseProblem(3, None, None, "b"), ReleaseProblem(None, None, None, "a")])
    assert str(error) == "r.csv: 2 problems\nr.csv: a\nr.csv:3: b"
    assert str(ReleaseInvalid("r.csv", [ReleaseProblem(2, 5, "period", "x")])) == "r.csv: 1 problem\nr.csv:2:5: period: x"


# -- writing ------------------------------------------------------------------------------------


def test_written_release_reads_back_the_same(tmp_path: pathlib.Path) -> None:
    rows = read_release(release("es-2026.csv")).rows
    with (tmp_path / "out.csv").open("w", newline="") as fp:
        write_release_csv(reversed(rows), fp)
    assert unnumbered(read_release(tmp_path / "out.csv").rows) == sorted(
        unnumbered(rows), key=lambda row: (row.calendar, row.period_start))


def test_written_release_is_canonical_and_deterministic() -> None:
    rows = read_release(release("es-2026.csv")).rows
    first, second = io.StringIO(), io.StringIO()
    write_release_csv(rows, first)
    write_release_csv(reversed(rows), second)
    assert first.getvalue() == second.getvalue()
    lines = first.getvalue().split("\n")
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1] == "BSP,ES,EUR,monthly,2026-01-1,2026-01-01,2026-01-07,2026-01-09,,,,,,,"
    assert lines[8] == ('BSP,ES,EUR,monthly,2026-02-4,2026-02-24,2026-02-28,2026-03-02,2026-03-05,2026-03-16,12:00,'
                        '2026-03-17,,,"Remittance moved: bank holiday, 13 March"')  # fmt: skip
    assert lines[9] == "CASS,DE,EUR,twice-monthly,2606,2026-03-16,2026-03-31,,2026-04-07,2026-04-20,14:00,2026-04-22,2026-04-03,2026-05-05,"
    assert lines[10:] == [""] and "\r" not in first.getvalue()


def test_a_given_year_is_written_in_a_last_year_column(tmp_path: pathlib.Path) -> None:
    march, *others = read_release(release("es-2026.csv")).rows
    rows = [dataclasses.replace(march, given_year=2027), *others]
    with (tmp_path / "out.csv").open("w", newline="") as fp:
        write_release_csv(rows, fp)
    lines = (tmp_path / "out.csv").read_text().split("\n")
    assert lines[0] == ",".join([*COLUMNS, "year"])
    assert lines[1].endswith(",,,,,,,2027") and lines[2].endswith(",,,,,,,")
    back = read_release(tmp_path / "out.csv").rows
    assert [(row.period, row.given_year, row.year) for row in back[:2]] == [
        ("2026-01-1", 2027, 2027), ("2026-01-2", None, 2026)]


def test_the_documented_examples_read_as_documented(tmp_path: pathlib.Path) -> None:
    docs = (pathlib.Path(__file__).resolve().parents[2] / "docs" / "release-format.md").read_text()
    canonical, spreadsheet = (block.split("```")[0] for block in docs.split("```csv\n")[1:])
    assert canonical == release("es-2026.csv").read_text()
    (row,) = read_release(write(tmp_path / "semicolons.csv", spreadsheet)).rows
    dropped = {Kind.SUBMISSION: None, Kind.SETTLEMENT: None}
    assert row.with_kinds(dropped) == dataclasses.replace(
        read_release(release("es-2026.csv")).rows[3], line=2).with_kinds(dropped)
