"""docs/deployment.md, run: the blocks it marks as tested, as an operator would type them, with the
paths moved under a temporary folder and without what a test cannot do (useradd, chown, systemctl).

On PostgreSQL (TEST_DATABASE_URL) the roles, database and grants come from config/postgresql.sql
under names of their own; the server reads as the read-only role and writes as the owner, as the
guide sets it up. The server runs as the systemd unit says: its ExecStart, Environment and
WorkingDirectory, read from config/settlecal.service.
"""

from __future__ import annotations

import configparser
import os
import pathlib
import re
import shlex
import subprocess
import uuid
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import make_url

from settlecal.db.schema import head
from tests.conftest import ROOT, SAMPLES
from tests.packaging.conftest import Installed, Machine, Process, guide_blocks
from tests.production.test_faults import wait_for

UNIT = ROOT / "config" / "settlecal.service"
OWNER_URL = "postgresql://settlecal:OWNER-PASSWORD@db-primary.internal/settlecal"
READER_URL = "postgresql://settlecal_reader:READER-PASSWORD@db-replica.internal/settlecal"


@pytest.fixture
def databases(tmp_path: pathlib.Path) -> Iterator[tuple[str, str]]:
    """(owner URL, reader URL): made by config/postgresql.sql on TEST_DATABASE_URL's server, else one
    SQLite file for both."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path / 'settlecal.sqlite3'}"
        yield url, url
        return
    name = f"settlecal_deploy_{uuid.uuid4().hex[:10]}"
    sql = (ROOT / "config" / "postgresql.sql").read_text()
    sql = re.sub(r"\bsettlecal_reader\b", f"{name}_reader", sql)
    sql = re.sub(r"\bsettlecal\b", name, sql)
    admin = make_url(server)
    psql = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", admin.host or "127.0.0.1", "-p", str(admin.port or 5432),
            "-U", admin.username or "postgres"]
    subprocess.run([*psql, "-d", "postgres", "-v", "password='owner-pw'", "-v", "reader_password='reader-pw'"],
                   input=sql, text=True, check=True, capture_output=True)
    base = f"{admin.host or '127.0.0.1'}:{admin.port or 5432}/{name}"
    try:
        yield f"postgresql://{name}:owner-pw@{base}", f"postgresql://{name}_reader:reader-pw@{base}"
    finally:
        subprocess.run([*psql, "-d", "postgres", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
                        "-c", f'DROP ROLE IF EXISTS "{name}_reader"', "-c", f'DROP ROLE IF EXISTS "{name}"'],
                       check=True, capture_output=True)


def unit_service() -> dict[str, list[str]]:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(UNIT.read_text())
    environment = [value for key, value in _entries(UNIT.read_text()) if key == "Environment"]
    return {"ExecStart": shlex.split(parser["Service"]["ExecStart"]), "Environment": environment,
            "WorkingDirectory": [parser["Service"]["WorkingDirectory"]]}


def _entries(text: str) -> list[tuple[str, str]]:
    return [tuple(line.split("=", 1)) for line in text.splitlines() if "=" in line and not line.startswith("#")]  # type: ignore[misc]


def test_the_deployment_guide_works_as_written(installed: Installed, databases: tuple[str, str],
                                               started: list[Process]) -> None:
    owner, reader = databases
    machine, guide = installed.machine, guide_blocks()
    assert set(guide) == {"install", "settings", "database", "start"}
    conf = pathlib.Path(machine.path("/etc/settlecal/settlecal.conf"))
    assert oct(conf.stat().st_mode & 0o777) == "0o640"
    edit_settings(conf, guide["settings"], owner=owner, reader=reader)

    database = machine.rewrite(guide["database"]).replace(OWNER_URL, owner)
    said = installed.run(database.replace("/path/to/release.csv", str(SAMPLES / "sample-release.csv")))
    assert "applied" in said.stdout and "ERROR" not in said.stdout, said.stdout

    start = machine.rewrite(guide["start"])
    installed.run("\n".join(line for line in start.splitlines() if not line.startswith("curl")))
    assert (pathlib.Path(machine.path("/etc/systemd/system")) / "settlecal.service").is_file()
    server = start_as_the_unit(machine, installed.env, started)
    health = requests.get(f"{server.url}/.web/health", timeout=30).json()
    assert (health["status"], health["schema"], health["writes"]) == ("ok", head(), "ok"), health
    assert requests.get(f"{server.url}/bsp/es-eur-monthly.ics", timeout=30).status_code == 200
    assert str(ROOT) not in server.log and str(installed.clone) not in server.log


def edit_settings(conf: pathlib.Path, block: str, *, owner: str, reader: str) -> None:
    """What the operator does by hand: the guide's settings into the example file."""
    wanted = configparser.ConfigParser(interpolation=None)
    wanted.read_string(block.replace(READER_URL + "?connect_timeout=5", reader)
                       .replace(OWNER_URL + "?connect_timeout=5", owner))
    wanted["notify"].pop("smtp_url")  # no mail server here: messages stay queued (a warning)
    edited = configparser.ConfigParser(interpolation=None)
    edited.read(conf)
    for section in wanted.sections():
        for option, value in wanted[section].items():
            edited[section][option] = value
    with conf.open("w") as stream:
        edited.write(stream)


def start_as_the_unit(machine: Machine, env: dict[str, str], started: list[Process]) -> Process:
    """gunicorn as config/settlecal.service starts it (on a free port)."""
    unit = unit_service()
    settings = {key: machine.rewrite(value).strip()
                for key, value in (entry.split("=", 1) for entry in unit["Environment"])}
    settings["SETTLECAL_BIND"] = "127.0.0.1:0"
    command = [machine.rewrite(part).strip() for part in unit["ExecStart"]]
    workdir = pathlib.Path(machine.rewrite(unit["WorkingDirectory"][0]).strip())
    process = Process(command, workdir, {**env, **settings, "SETTLECAL_WORKERS": "1"},
                      r"Listening at: (http://[\d.]+:\d+)")
    started.append(process)
    assert process.url, process.log
    wait_for(lambda: _answers(process.url + "/.web/health"), "the server is ready", 120)
    return process


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False
