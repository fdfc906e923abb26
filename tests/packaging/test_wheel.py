"""As a user installs it: `pip install` of the wheel into a fresh environment (docs/deployment.md's
install block), then `settlecal` from an unrelated folder. Nothing of the checkout is needed, nothing is written inside the installed package."""

from __future__ import annotations

import pathlib
import subprocess
import zipfile

import requests

from tests.conftest import ROOT
from tests.packaging.conftest import Installed, Process, checkout_files, user_env

PACKAGES = ("settlecal/", "caldav_plugin/", "importer/")


def site_packages(venv: pathlib.Path) -> pathlib.Path:
    (found,) = (venv.parent / "lib").glob("python3*/site-packages")
    return found


def test_the_wheel_holds_every_file_of_the_packages(installed: Installed) -> None:
    shipped = set(zipfile.ZipFile(installed.wheel).namelist())
    wanted = {name for name in checkout_files() if name.startswith(PACKAGES) and "__pycache__" not in name}

    assert wanted - shipped == set()
    assert {"caldav_plugin/config/radicale.conf", "caldav_plugin/config/rights", "caldav_plugin/gunicorn.py",
            "importer/samples/sample-release.csv"} <= shipped


def test_serve_from_any_folder_after_a_plain_install(installed: Installed, tmp_path: pathlib.Path,
                                                     started: list[Process]) -> None:
    venv = installed.bin
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    env = user_env(home)
    sample = site_packages(venv) / "importer" / "samples" / "sample-release.csv"
    default_database = home / ".local" / "share" / "settlecal" / "settlecal.sqlite3"

    refused = subprocess.run([venv / "settlecal", "releases"], cwd=work, env=env, capture_output=True, text=True)
    assert refused.returncode == 1
    assert refused.stderr == (f"Error: no database at {default_database}: create it with `settlecal migrate` (or load "
                              "a release with `settlecal import FILE`), or point --database / SETTLECAL_DATABASE_URL "
                              "/ [database] url at the right one\n")
    assert not default_database.exists()

    imported = subprocess.run([venv / "settlecal", "import", sample], cwd=work, env=env, capture_output=True, text=True)
    assert imported.returncode == 0, imported.stderr
    assert f"Created the database at {default_database}." in imported.stderr
    assert default_database.is_file()

    server = Process([str(venv / "settlecal"), "serve", "--port", "0"], work, env,
                     r"Serving settlement calendars on (http://\S+)/")
    started.append(server)
    assert server.url, server.log
    calendar = requests.get(f"{server.url}/bsp/es-eur-monthly.ics", timeout=30)
    assert calendar.status_code == 200 and b"BEGIN:VEVENT" in calendar.content
    assert requests.get(f"{server.url}/.web/", timeout=30).status_code == 200
    principal = requests.request("PROPFIND", f"{server.url}/", headers={"Depth": "0"}, auth=("bsp", "x"), timeout=30,
                                 data='<propfind xmlns="DAV:"><prop><current-user-principal/></prop></propfind>')
    assert principal.status_code == 207 and b"<href>/bsp/</href>" in principal.content
    listing = requests.request("PROPFIND", f"{server.url}/bsp/", headers={"Depth": "1"}, auth=("bsp", "x"), timeout=30)
    assert b"/bsp/es-eur-monthly/" in listing.content

    installed = site_packages(venv)
    assert not list(installed.rglob("*.sqlite3")) and not (installed / "var").exists()
    assert str(ROOT) not in server.log  # the installed code served, not the checkout's


def test_postgresql_without_its_driver_says_which_extra(installed: Installed, tmp_path: pathlib.Path) -> None:
    venv = installed.bin
    # The installed environment, as if psycopg were not installed (`pip install settlecal` without extras).
    result = subprocess.run(
        [venv / "python", "-c",
         "import sys; sys.modules['psycopg'] = None; from importer.cli import cli; cli(prog_name='settlecal')",
         "--database", "postgresql://settlecal@db.invalid/settlecal", "releases"],
        cwd=tmp_path, env=user_env(tmp_path), capture_output=True, text=True)

    assert result.returncode == 1
    assert result.stderr == ("Error: the postgresql driver is not installed: pip install 'settlecal[postgresql]' "
                             "(into the environment settlecal runs from)\n")
