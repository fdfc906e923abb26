"""Hostile release files cost seconds and bounded memory, and are refused in one `file:line:column` line.

Each test is a row of issue 16's table. The files are generated here (never committed); the importer
runs as a subprocess under an address-space limit (RLIMIT_AS), and its peak RSS is measured with wait4.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import resource
import subprocess
import sys
import threading
import time

import pytest
from sqlalchemy import func, select

from settlecal.db.engine import make_engine
from settlecal.db.models import Release
from settlecal.db.snapshot import reading
from settlecal.errors import ReleaseCutShort, ReleaseFormatUnknown, ReleaseInvalid, ReleaseTooLarge, ReleaseUnreadable
from settlecal.release_format.file import read_release
from settlecal.release_format.limits import Limits
from tests.cli.releases import ES_2026, HEADER
from tests.conftest import ROOT
from tests.hostile import bombs

ADDRESS_SPACE = 600 << 20
PEAK_RSS = 500 << 20
HANG = 300  # seconds: an importer that runs this long under a limit has hung (each case takes seconds)


@dataclasses.dataclass(frozen=True)
class Run:
    status: int
    seconds: float
    peak_rss: int  # bytes
    output: str


def import_bounded(path: pathlib.Path, tmp_path: pathlib.Path, *args: str, env: dict[str, str] | None = None) -> Run:
    """`settlecal import PATH` in a subprocess limited to 600 MB of address space."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    command = [sys.executable, "-m", "importer", "--database", f"sqlite:///{tmp_path / 'bounded.sqlite'}",
               "import", *args, str(path)]
    with (tmp_path / "output.txt").open("w+", encoding="utf-8") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, preexec_fn=limit, cwd=ROOT,
                                   env={**os.environ, "SETTLECAL_CONFIG": "", **(env or {})})
        stop = threading.Timer(HANG, process.kill)  # a hang fails this test instead of stopping the suite
        stop.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            stop.cancel()
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        return Run(process.returncode, seconds, usage.ru_maxrss * 1024, output.read())


def assert_refused(run: Run, location: str, fragment: str, *, seconds: float = 30) -> None:
    assert run.status == 1, run.output
    assert "Traceback" not in run.output and "MemoryError" not in run.output, run.output
    assert run.output.startswith(f"Error: {location}"), run.output
    assert fragment in run.output, run.output
    assert run.peak_rss < PEAK_RSS, run
    assert run.seconds < seconds, run  # the machine is shared: generous, but minutes would fail


# -- XLSX: decompression bombs, filler rows, broken and entity-laden workbooks -------------------


def test_a_worksheet_of_spaces_is_refused_from_the_zip_directory(tmp_path: pathlib.Path) -> None:
    bomb = bombs.spaces_bomb(tmp_path / "spaces.xlsx", 256 << 20)
    assert bomb.stat().st_size < 3_000_000
    assert_refused(import_bounded(bomb, tmp_path), f"{bomb}: ", "a decompression bomb?")


def test_a_huge_cell_is_refused_from_the_zip_directory(tmp_path: pathlib.Path) -> None:
    bomb = bombs.long_cell(tmp_path / "cell.xlsx", 256 << 20)
    assert_refused(import_bounded(bomb, tmp_path), f"{bomb}: ", "expands")


def test_a_workbook_expanding_past_the_limit_is_refused(tmp_path: pathlib.Path) -> None:
    bomb = bombs.many_bad_rows(tmp_path / "rows.xlsx", 300_000)
    with pytest.raises(ReleaseTooLarge, match=r"expected a workbook that expands to at most 1 MB, got \d+\.\d MB"):
        read_release(bomb, limits=Limits(max_expanded=1_000_000))


def test_a_long_cell_is_refused_while_parsing_with_its_row_and_column(tmp_path: pathlib.Path) -> None:
    path = bombs.long_cell(tmp_path / "cell.xlsx", 20_000)
    with pytest.raises(ReleaseTooLarge) as refused:
        read_release(path)
    assert str(refused.value) == f"{path}:4:1: expected a cell of at most 10,000 characters, got a longer one"


def test_spaces_within_the_declared_sizes_are_refused_while_parsing(tmp_path: pathlib.Path) -> None:
    path = bombs.spaces_bomb(tmp_path / "spaces.xlsx", 8 << 20)
    with pytest.raises(ReleaseTooLarge, match="markup at least every"):
        read_release(path, limits=Limits(max_ratio=100_000))


def test_many_bad_rows_are_counted_in_bounded_memory(tmp_path: pathlib.Path) -> None:
    path = bombs.many_bad_rows(tmp_path / "rows.xlsx", 300_000)
    run = import_bounded(path, tmp_path)
    assert_refused(run, f"{path}: ", "stopped checking at line 28,573 after 200,000 problems")
    assert len(run.output.splitlines()) < 130


def test_a_row_number_far_past_the_data_is_an_error_not_filler_rows(tmp_path: pathlib.Path) -> None:
    path = bombs.far_row(tmp_path / "far.xlsx", 1_000_000_000_000)
    assert path.stat().st_size < 10_000
    assert_refused(import_bounded(path, tmp_path), f"{path}:3: ", "got row 1,000,000,000,000", seconds=15)
    gap = bombs.far_row(tmp_path / "gap.xlsx", 500_000)
    with pytest.raises(ReleaseTooLarge, match="got row 500,000 .a row number far past the data."):
        read_release(gap)


def test_a_row_number_within_reach_is_read(tmp_path: pathlib.Path) -> None:
    path = bombs.far_row(tmp_path / "near.xlsx", 50_000)
    assert [row.line for row in read_release(path).rows] == [2, 3, 50_000]


def test_a_worksheet_broken_after_its_dimension_is_one_clear_line(tmp_path: pathlib.Path) -> None:
    path = bombs.broken_after_dimension(tmp_path / "broken.xlsx")
    assert_refused(import_bounded(path, tmp_path), f"{path}:1: ", "got a broken worksheet (unclosed token)")


@pytest.mark.parametrize("part", ["worksheet", "workbook"])
def test_billion_laughs_are_refused_by_name(tmp_path: pathlib.Path, part: str) -> None:
    path = bombs.billion_laughs(tmp_path / f"laughs-{part}.xlsx", part)
    assert_refused(import_bounded(path, tmp_path), f"{path}: ", "(a 'billion laughs' bomb?)")


# -- CSV: problem lists, columns, cells, size, special files ------------------------------------


def test_four_hundred_thousand_rows_with_one_wrong_date_format_print_a_hundred_lines(tmp_path: pathlib.Path) -> None:
    row = "BSP,ES,EUR,weekly,W{n},2020-01-01,2020-01-01,,1/13/2026,,,,,,"
    path = bombs.csv_rows(tmp_path / "bad-dates.csv", [row], 400_000)
    run = import_bounded(path, tmp_path)
    assert_refused(run, f"{path}: ", f"{path}:101:9: billing: expected a date")
    lines = run.output.splitlines()
    assert len(lines) < 110
    assert f"{path}: stopped checking at line 200,001 after 200,000 problems" in run.output
    assert f"{path}: 199,900 × expected a date (YYYY-MM-DD, DD-MMM-YY or DD/MM/YYYY) in column billing" in lines
    assert f"{path}:102:9" not in run.output


def test_a_header_and_a_million_lines_of_x_are_refused_in_a_few_lines(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "x.csv", ["x"], 1_000_000)
    assert path.stat().st_size < 3_000_000
    run = import_bounded(path, tmp_path)
    assert_refused(run, f"{path}: ", f"{path}:2:1: system: expected BSP, CASS or CASS-IMPORT, got 'x'")
    assert len(run.output.splitlines()) < 120


def test_the_problem_list_is_capped_in_json_too(tmp_path: pathlib.Path) -> None:
    import json

    path = bombs.csv_rows(tmp_path / "x.csv", ["x"], 50_000)
    run = import_bounded(path, tmp_path, "--json")
    found = json.loads(run.output)
    assert (found["ok"], len(found["problems"])) == (False, 101)  # the first 100, and where counting stopped
    assert found["problems"][0]["message"].startswith("stopped checking at line 28,573 after 200,000 problems")
    assert found["total"] == 200_005  # the problems counted, and the note saying counting stopped
    assert {"count": 28_557, "kind": "expected BSP, CASS or CASS-IMPORT", "column_name": "system"} in found["omitted"]


def test_a_header_with_a_million_blank_columns_costs_nothing_per_row(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "wide.csv", ES_2026, 2, header=HEADER + "," * 999_985)
    started = time.perf_counter()
    assert len(read_release(path).rows) == 2
    assert time.perf_counter() - started < 5


def test_a_cell_beyond_the_column_limit_is_refused_where_it_is(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "wide.csv", [ES_2026[0] + "," * 300 + "x"], 1)
    with pytest.raises(ReleaseTooLarge) as refused:
        read_release(path)
    assert str(refused.value) == f"{path}:2:315: expected at most 256 columns, got a cell in column 315"


def test_long_cells_and_lines_are_refused_where_they_are(tmp_path: pathlib.Path) -> None:
    cell = bombs.csv_rows(tmp_path / "cell.csv", [ES_2026[0] + "x" * 20_000], 1)
    with pytest.raises(ReleaseTooLarge, match=rf"^{cell}:2:15: expected a cell of at most 10,000 characters, got 20,000$"):
        read_release(cell)
    line = bombs.csv_rows(tmp_path / "line.csv", [ES_2026[0] + '"' + "x" * (5 << 20) + '"'], 1)
    run = import_bounded(line, tmp_path)
    assert_refused(run, f"{line}:2:15: ", "expected lines of at most 4,194,304 characters")


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "big.csv", ES_2026, 2, end=("\n" * 1_500_000))
    run = import_bounded(path, tmp_path, env={"SETTLECAL_MAX_FILE_SIZE": "1"})
    assert_refused(run, f"{path}: ", "expected a file of at most 1 MB ([import] max_file_size), got 1.5 MB")


def test_a_device_is_refused_at_once(tmp_path: pathlib.Path) -> None:
    with pytest.raises(ReleaseUnreadable, match="expected a regular file, got a character device"):
        read_release(pathlib.Path("/dev/zero"))


def test_a_fifo_without_a_writer_is_refused_at_once(tmp_path: pathlib.Path) -> None:
    fifo = tmp_path / "release.csv"
    os.mkfifo(fifo)
    run = import_bounded(fifo, tmp_path)
    assert_refused(run, f"{fifo}: ", "expected a regular file, got a FIFO (named pipe)", seconds=15)


# -- half-written files ---------------------------------------------------------------------------


def test_a_file_cut_at_a_cell_boundary_is_refused_with_its_line(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "cut.csv", ES_2026, 2, end="BSP,ES,EUR,monthly,2026-03,2026-03-01")
    with pytest.raises(ReleaseCutShort) as refused:
        read_release(path)
    assert str(refused.value) == (f"{path}:4: expected the last line to end with a newline, got a line cut off "
                                  "(a file still being written or copied?)")


def test_a_file_cut_in_a_quoted_cell_is_refused_with_its_line(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "cut.csv", ES_2026, 2, end='BSP,ES,EUR,monthly,2026-03,2026-03-01,"2026-03\n')
    with pytest.raises(ReleaseCutShort, match=rf"^{path}:4: expected a closing quote before the end of the file"):
        read_release(path)


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_a_complete_last_line_is_accepted_with_any_line_end(tmp_path: pathlib.Path, ending: str) -> None:
    path = tmp_path / "release.csv"
    path.write_bytes(ending.join([HEADER, *ES_2026, ""]).encode())
    assert [row.line for row in read_release(path).rows] == [2, 3]


def test_trailing_blank_space_without_a_newline_is_not_a_cut(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "release.csv", ES_2026, 2, end="   ")
    assert len(read_release(path).rows) == 2


# -- the terminal -----------------------------------------------------------------------------------


def test_escape_sequences_from_a_file_never_reach_the_terminal_raw(tmp_path: pathlib.Path) -> None:
    hostile = "2026-02\x1b]0;PWNED\x07\x1b[2K"
    path = bombs.csv_rows(tmp_path / "esc.csv", [ES_2026[0], ES_2026[1].replace(",2026-03-05,", ",bad\x00\x9b\u202edate,")
                                                  .replace("remarks", "") + hostile], 2)
    run = import_bounded(path, tmp_path)
    assert run.status == 1
    assert not any(char in run.output for char in "\x1b\x07\x00\x9b\u202e"), repr(run.output)
    assert "bad\\x00\\x9b\\u202edate" in run.output
    as_json = import_bounded(path, tmp_path, "--json")
    assert not any(char in as_json.output for char in "\x1b\x07\x00\x9b\u202e"), repr(as_json.output)
    assert "bad\\u0000\\u009b\\u202edate" in as_json.output


def test_every_problem_is_still_reported_below_the_cap(tmp_path: pathlib.Path) -> None:
    rows = [ES_2026[0].replace("2026-02-05", f"2026-02-3{n % 2}") for n in range(1)]
    path = bombs.csv_rows(tmp_path / "few.csv", rows, 1)
    with pytest.raises(ReleaseInvalid) as refused:
        read_release(path)
    assert (refused.value.total, refused.value.omitted) == (1, ())
    assert isinstance(refused.value, ReleaseInvalid) and not isinstance(refused.value, ReleaseFormatUnknown)


def test_lines_past_the_line_limit_are_refused_where_they_start(tmp_path: pathlib.Path) -> None:
    path = bombs.csv_rows(tmp_path / "long.csv", ES_2026, 2, end="\n" * 20)
    with pytest.raises(ReleaseTooLarge) as refused:
        read_release(path, limits=Limits(max_lines=10))
    assert str(refused.value) == f"{path}:11: expected at most 10 lines, got more"
    assert len(read_release(path).rows) == 2  # blank lines are fine within the default


# Where the machine runs out: while the file is read, and after (diff and write). A real address-space
# limit does not fail at a chosen point (near its limit the interpreter could spin for minutes before
# its MemoryError), so the failure is raised there, in a real `settlecal` process.
EXHAUSTED_AT = {
    "reading": ("settlecal.release_format.file", "validate_rows", "ran out of memory reading the file"),
    "importing": ("settlecal.releases.service", "import_release", "ran out of memory; nothing was changed"),
}


@pytest.mark.parametrize("where", sorted(EXHAUSTED_AT))
def test_running_out_of_memory_is_one_line_and_changes_nothing(tmp_path: pathlib.Path, where: str) -> None:
    module, name, message = EXHAUSTED_AT[where]
    release = bombs.csv_rows(tmp_path / "release.csv", ES_2026, 2)
    database = f"sqlite:///{tmp_path / 'memory.sqlite'}"
    subprocess.run([sys.executable, "-m", "importer", "--database", database, "migrate"], check=True, cwd=ROOT,
                   capture_output=True, env={**os.environ, "SETTLECAL_CONFIG": ""}, timeout=HANG)
    script = (f"import {module} as target\n"
              f"def exhausted(*args, **kwargs):\n    raise MemoryError\n"
              f"target.{name} = exhausted\n"
              f"from importer.cli import cli\n"
              f"cli(['--database', {database!r}, 'import', {str(release)!r}])\n")

    refused = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "SETTLECAL_CONFIG": ""}, timeout=HANG)

    assert refused.returncode == 1, refused.stdout[-300:]
    assert refused.stderr.startswith("Error: ") and message in refused.stderr, refused.stderr[-500:]
    assert "Traceback" not in refused.stderr and "MemoryError" not in refused.stderr
    assert len(refused.stderr.splitlines()) == 1
    with reading(make_engine(database)) as session:
        assert session.scalar(select(func.count()).select_from(Release)) == 0
