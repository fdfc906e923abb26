"""Commands started together on an empty database: the schema is created once, under the same lock as
imports, and every command succeeds (real processes, on each backend)."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy import func, select

from settlecal.db.engine import make_engine
from settlecal.db.snapshot import reading
from settlecal.db.models import Release
from settlecal.db.schema import status
from tests.conftest import SAMPLES

PROCESSES = 6


def test_first_imports_and_migrations_at_once(database_url: str) -> None:
    commands = [["migrate"] if index % 2 else ["import", str(SAMPLES / "sample-release.csv"), "--no-notify"]
                for index in range(PROCESSES)]
    running = [subprocess.Popen([sys.executable, "-m", "importer", "--database", database_url, *command],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for command in commands]
    results = [(process.wait(timeout=300), *process.communicate()) for process in running]

    assert [code for code, _, _ in results] == [0] * PROCESSES, results
    said = "".join(out + err for _, out, err in results)
    # One process created the schema (it says it created the file, or migrated from no schema at all);
    # the others found it done.
    creators = [out + err for _, out, err in results if "Created the database at " in out + err
                or "schema none → " in out + err]
    assert len(creators) == 1, said
    assert "locked" not in said and "UniqueViolation" not in said
    engine = make_engine(database_url)
    assert status(engine).is_current
    with reading(engine) as session:
        assert session.scalar(select(func.count()).select_from(Release)) == 1  # the same file, imported once
