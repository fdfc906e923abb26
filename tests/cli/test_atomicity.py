"""An import is one transaction: killed part-way it leaves the previous release in force, and two
imports started together run one after the other, the second seeing the first's result."""

from __future__ import annotations

import os
import pathlib
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, select, text

from bench.synthetic import generate_for_key_dates
from settlecal.db.engine import make_engine
from settlecal.db.snapshot import reading
from settlecal.db.models import Change, KeyDate, Release
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.cli.releases import ES_2026, write_release
from tests.cli.test_import import key_dates
from tests.conftest import ROOT, Settlecal

POLL_DEADLINE = 120.0


def wait_until(condition: Callable[[], bool], what: str) -> None:
    """Polls a condition; fails the test if it does not hold before the deadline."""
    deadline = time.monotonic() + POLL_DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.005)


def sqlite_import_is_writing(database_url: str) -> Callable[[], bool]:
    path = database_url.removeprefix("sqlite:///")

    def writing() -> bool:
        # Holding the write lock and having spilled rows into the WAL: part-way through its writes.
        wal = pathlib.Path(path + "-wal")
        if not wal.exists() or wal.stat().st_size < 4_000_000:
            return False
        probe = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()

    return writing


def postgresql_import_is_writing(database_url: str) -> Callable[[], bool]:
    engine = create_engine(database_url)

    def writing() -> bool:
        with engine.connect() as connection:
            return bool(connection.scalar(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND state = 'active' AND query LIKE 'COPY%'"
            )))

    return writing


@pytest.mark.slow
def test_kill_9_mid_import_leaves_the_previous_release_in_force(
    database_url: str, settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    before = key_dates(database_url)
    big = tmp_path / "big.csv"
    with big.open("w", encoding="utf-8", newline="") as fp:
        generate_for_key_dates(fp, 300_000)
    is_writing = (sqlite_import_is_writing if database_url.startswith("sqlite")
                  else postgresql_import_is_writing)(database_url)

    # The generator's Spain replaces the two periods of ES_2026 wholesale: a mass removal, allowed.
    importer = subprocess.Popen(
        [sys.executable, "-m", "importer", "--database", database_url, "import", str(big), "--allow-removals"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )
    try:
        wait_until(lambda: is_writing() or importer.poll() is not None, "the import is writing")
        assert importer.poll() is None, importer.stderr.read() if importer.stderr else ""
        os.kill(importer.pid, signal.SIGKILL)
    finally:
        importer.wait()

    assert importer.returncode == -signal.SIGKILL
    make_engine(database_url).dispose()
    assert key_dates(database_url) == before
    with reading(make_engine(database_url)) as session:
        assert session.scalars(select(Release.id)).all() == [1]
    # The lock died with the process: the next import goes through.
    assert settlecal("import", big, "--allow-removals").exit_code == 0


def test_two_imports_at_once_are_serialised(engine: object, tmp_path: pathlib.Path) -> None:
    first = read_release(write_release(tmp_path / "first.csv", ES_2026))
    import_release(engine, first, operator="setup")  # type: ignore[arg-type]
    a = read_release(write_release(tmp_path / "a.csv", [ES_2026[0].replace("2026-02-05", "2026-02-06"), ES_2026[1]]))
    b = read_release(write_release(tmp_path / "b.csv", [ES_2026[0].replace("2026-02-05", "2026-02-09"), ES_2026[1]]))
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(release_file: object) -> None:
        try:
            start.wait()
            import_release(engine, release_file, operator="thread")  # type: ignore[arg-type]
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(release_file,)) for release_file in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    with reading(engine) as session:  # type: ignore[arg-type]
        moves = session.execute(
            select(Change.release_id, Change.old_date, Change.new_date)
            .join(KeyDate, Change.key_date_id == KeyDate.id)
            .where(Change.release_id > 1, KeyDate.kind == "billing")
            .order_by(Change.release_id)
        ).all()
    assert [release_id for release_id, *_ in moves] == [2, 3]
    # The second import diffed against the first one's result, not against the state both started from.
    assert moves[1].old_date == moves[0].new_date
