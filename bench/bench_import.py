"""Import benchmark: a synthetic release of 1,000,000 key dates, on SQLite and on PostgreSQL.

Targets: first import ≤ 30 s wall and ≤ 400 MB peak RSS; re-import of the same file ≤ 5 s; an
amendment moving 1% of the key dates ≤ 5 s, with the change log holding exactly those moves.
Each import runs as its own `settlecal` process, so its peak RSS is its own. The baseline, measured
in the same run, is the floor of any importer: Python reading the same CSV with the csv module and
building one tuple per key date.

Environment: BENCH_KEY_DATES (default 1000000); BENCH_DATABASE_URL or TEST_DATABASE_URL for the
PostgreSQL server (default postgresql://postgres@127.0.0.1:5432/test; skipped if it does not answer).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bench.databases import scratch_postgresql
from bench.results import save, table
from bench.synthetic import Move, amend_release, generate_for_key_dates
from settlecal.db.engine import make_engine
from settlecal.db.snapshot import reading
from settlecal.db.models import Calendar, Change, KeyDate, Period

ROOT = pathlib.Path(__file__).resolve().parents[1]
KEY_DATES = int(os.environ.get("BENCH_KEY_DATES", "1000000"))
POSTGRESQL_URL = (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
                  or "postgresql://postgres@127.0.0.1:5432/test")

BASELINE = """
import csv, sys
key_dates = []
with open(sys.argv[1], newline="", encoding="utf-8") as fp:
    reader = csv.reader(fp)
    header = next(reader)
    for row in reader:
        key_dates.extend((row[0], row[1], row[4], column, cell) for column, cell in enumerate(row[5:14]) if cell)
print(len(key_dates))
"""


def measure(*args: str) -> tuple[float, float, str]:
    """Runs a Python process; returns its wall seconds, its peak RSS in MB and its output."""
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE)
    assert process.stdout is not None
    output = process.stdout.read().decode()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{args} exited with {process.returncode}: {output[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, output


def settlecal_import(url: str, path: pathlib.Path) -> tuple[float, float, dict[str, Any]]:
    seconds, rss, output = measure("-m", "importer", "--database", url, "import", str(path), "--json")
    return seconds, rss, json.loads(output)


@contextmanager
def postgresql_database() -> Iterator[str | None]:
    """A scratch database on the benchmark's PostgreSQL server; None (and a line saying so) without one."""
    with ExitStack() as stack:
        try:
            url: str | None = stack.enter_context(scratch_postgresql(POSTGRESQL_URL, "settlecal_bench"))
        except OperationalError:
            print(f"PostgreSQL at {POSTGRESQL_URL} does not answer: skipped")
            url = None
        yield url


def logged_moves(url: str, release_id: int) -> set[tuple[str, str, str, str]]:
    with reading(make_engine(url)) as session:
        rows = session.execute(
            select(Calendar.system, Calendar.country, Calendar.currency, Calendar.frequency,
                   Period.code, KeyDate.kind, Change.action, Change.new_date)
            .join(KeyDate, Change.key_date_id == KeyDate.id)
            .join(Period, KeyDate.period_id == Period.id)
            .join(Calendar, KeyDate.calendar_id == Calendar.id)
            .where(Change.release_id == release_id)
        )
        moves = set()
        for system, country, currency, frequency, code, kind, action, new_date in rows:
            assert action == "moved", action
            path = f"{system}/{country}-{currency}-{frequency}".lower()
            moves.add((path, code, kind, new_date.isoformat()))
        return moves


def run_backend(url: str, release: pathlib.Path, amendment: pathlib.Path, moves: list[Move]) -> dict[str, Any]:
    first_s, first_rss, first = settlecal_import(url, release)
    again_s, again_rss, again = settlecal_import(url, release)
    amend_s, amend_rss, amended = settlecal_import(url, amendment)
    assert first["changed"] and not again["changed"], "re-import must change nothing"
    expected = {(m[0], m[1], m[2], m[3]) for m in moves}
    exact = logged_moves(url, amended["release"]["id"]) == expected
    return {
        "key_dates": first["totals"]["added"],
        "import_s": first_s, "import_rss_mb": first_rss,
        "reimport_s": again_s, "reimport_rss_mb": again_rss,
        "amend_s": amend_s, "amend_rss_mb": amend_rss,
        "amend_moves": amended["totals"]["moved"], "amend_log_exact": exact,
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="settlecal-bench-") as tmp:
        folder = pathlib.Path(tmp)
        release, amendment = folder / "release.csv", folder / "amendment.csv"
        with release.open("w", encoding="utf-8", newline="") as fp:
            stats = generate_for_key_dates(fp, KEY_DATES)
        with release.open(encoding="utf-8", newline="") as src, amendment.open("w", encoding="utf-8", newline="") as dst:
            moves = amend_release(src, dst, fraction=0.01, seed=1)
        baseline_s, baseline_rss, _ = measure("-c", BASELINE, str(release))
        figures: dict[str, Any] = {
            "rows": stats.rows, "key_dates": stats.key_dates, "calendars": stats.calendars,
            "baseline_s": baseline_s, "baseline_rss_mb": baseline_rss, "backends": {},
        }
        figures["backends"]["sqlite"] = run_backend(f"sqlite:///{folder / 'bench.sqlite3'}", release, amendment, moves)
        with postgresql_database() as url:
            if url is not None:
                figures["backends"]["postgresql"] = run_backend(url, release, amendment, moves)
    save("import", figures)
    print(f"{figures['key_dates']:,} key dates in {figures['rows']:,} rows, {figures['calendars']} calendars; "
          f"baseline (csv read into tuples): {baseline_s:.2f} s, {baseline_rss:.0f} MB")
    rows = []
    for backend, b in figures["backends"].items():
        rows += [
            (backend, "import", b["import_s"], b["import_s"] / baseline_s, b["import_rss_mb"], "≤ 30 s, ≤ 400 MB"),
            (backend, "re-import (no change)", b["reimport_s"], b["reimport_s"] / baseline_s, b["reimport_rss_mb"], "≤ 5 s"),
            (backend, f"amendment ({b['amend_moves']:,} moved, log exact: {b['amend_log_exact']})",
             b["amend_s"], b["amend_s"] / baseline_s, b["amend_rss_mb"], "≤ 5 s"),
        ]
    print(table(["backend", "step", "seconds", "× baseline", "peak RSS MB", "target"], rows))


if __name__ == "__main__":
    main()
