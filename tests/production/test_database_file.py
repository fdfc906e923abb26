"""A running server and its SQLite file: removed, moved away, replaced by a new import. The server never
creates a file, answers 503 while there is none, and follows the path to whatever file is there."""

from __future__ import annotations

import json
import pathlib
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
import requests

from bench.servers import Server, settlecal_serve
from tests.conftest import SAMPLES
from tests.production.test_faults import wait_for


def settlecal(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "importer", "--database", url, *args], capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def database(tmp_path: pathlib.Path) -> pathlib.Path:
    path = tmp_path / "calendars.sqlite3"
    assert settlecal(f"sqlite:///{path}", "import", str(SAMPLES / "sample-release.csv")).returncode == 0
    return path


@pytest.fixture
def server(database: pathlib.Path) -> Iterator[Server]:
    with settlecal_serve(f"sqlite:///{database}") as running:
        yield running


def answers(server: Server, path: str = "/bsp/es-eur-monthly.ics") -> int:
    return requests.get(server.url + path, timeout=30).status_code


def burst(server: Server) -> list[int]:
    return [answers(server, path) for path in ("/bsp/es-eur-monthly.ics", "/bsp/", "/.web/", "/.web/health") * 5]


def test_removed_then_restored(server: Server, database: pathlib.Path, tmp_path: pathlib.Path) -> None:
    kept = tmp_path / "kept.sqlite3"
    shutil.copy2(database, kept)
    database.unlink()

    assert set(burst(server)) == {503}
    assert json.loads(requests.get(server.url + "/.web/health", timeout=30).content)["database"] == "unreachable"
    assert not database.exists()  # the server created nothing at the path

    shutil.copy2(kept, database)
    wait_for(lambda: answers(server) == 200, "the server reads the file that came back")
    assert answers(server, "/.web/health") == 200


def test_moved_away_and_back(server: Server, database: pathlib.Path, tmp_path: pathlib.Path) -> None:
    away = tmp_path / "away.sqlite3"
    database.rename(away)

    assert set(burst(server)) == {503}
    assert not database.exists()

    away.rename(database)
    wait_for(lambda: answers(server) == 200, "the server reads the file that came back")
    assert not {500, 503} & set(burst(server))


def test_replaced_by_a_new_import_at_the_same_path(server: Server, database: pathlib.Path) -> None:
    assert answers(server, "/bsp/za-zar-weekly.ics") == 200
    database.unlink()
    created = settlecal(f"sqlite:///{database}", "import", str(SAMPLES / "amendment.csv"))
    assert created.returncode == 0, created.stderr
    assert "Created the database" in created.stderr

    codes = burst(server)
    assert 500 not in codes and 503 not in codes, server.log[-3000:]
    health = requests.get(server.url + "/.web/health", timeout=30).json()
    assert (health["status"], health["revision"]) == ("ok", 1)
    # The new file holds only the amendment's calendars.
    assert (answers(server, "/bsp/es-eur-monthly.ics"), answers(server, "/bsp/za-zar-weekly.ics")) == (200, 404)
    assert "malformed" not in server.log


def test_serve_refuses_a_database_that_does_not_exist(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "none.sqlite3"
    result = settlecal(f"sqlite:///{missing}", "serve", "--port", "0")

    assert result.returncode == 1
    assert result.stderr.splitlines()[-1].startswith(f"Error: no database at {missing}: create it with `settlecal migrate`")
    assert "Traceback" not in result.stderr
    assert not missing.exists()


