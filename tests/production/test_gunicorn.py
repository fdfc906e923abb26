"""gunicorn with the shipped settings (caldav_plugin/gunicorn.py), as the systemd unit runs it: a reload
under load loses no request, systemd hears "ready" from a worker that can serve, and a database at an
older schema stops the server at once with one line saying what to do."""

from __future__ import annotations

import os
import pathlib
import signal
import socket
import subprocess
import sys
import threading

import requests
from alembic import command
from sqlalchemy import Engine

from bench.servers import ROOT, gunicorn
from settlecal.db.engine import make_engine
from settlecal.db.schema import alembic_config
from tests.production.test_faults import wait_for

GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:caldav_plugin.gunicorn", "caldav_plugin.wsgi:application"]


class Load:
    """Client threads requesting a calendar over and over until stopped; counts what failed."""

    def __init__(self, url: str, clients: int = 4) -> None:
        self.url, self.done, self.failures = url, 0, []  # type: ignore[var-annotated]
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._run) for _ in range(clients)]
        for thread in self._threads:
            thread.start()

    def _run(self) -> None:
        with requests.Session() as session:
            while not self._stop.is_set():
                try:
                    status = session.get(self.url, timeout=60).status_code
                    failure = None if status == 200 else f"status {status}"
                except requests.RequestException as error:
                    failure = repr(error)
                with self._lock:
                    self.done += 1
                    if failure:
                        self.failures.append(failure)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=120)


def test_reload_under_load_loses_no_request(loaded: Engine, database_url: str) -> None:
    with gunicorn(database_url, workers=2, env={"SETTLECAL_ACCESS_LOG": "off"}) as server:
        wait_for(lambda: requests.get(server.url + "/.web/health", timeout=30).status_code == 200, "ready")
        load = Load(server.url + "/bsp/es-eur-monthly.ics")
        try:
            for reload in range(1, 4):
                server.process.send_signal(signal.SIGHUP)
                wait_for(lambda: server.log.count("Worker exiting") >= 2 * reload, f"reload {reload} done", 120)
                served = load.done
                wait_for(lambda: load.done > served + 20, "requests served by the new workers", 120)
        finally:
            load.stop()
    assert load.failures == [] and load.done > 60
    assert "was sent SIGTERM" not in server.log and '"level": "ERROR"' not in server.log, server.log[-3000:]


def test_systemd_hears_ready_from_a_worker_that_can_serve(loaded: Engine, database_url: str,
                                                          tmp_path: pathlib.Path) -> None:
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as notify:
        notify.bind(address)
        notify.settimeout(120)
        env = {"NOTIFY_SOCKET": address, "SETTLECAL_WORKERS": "1"}
        with gunicorn(database_url, workers=1, env=env) as server:
            message = notify.recv(4096)
            # The moment systemd is told, the application answers (its worker has loaded it).
            assert requests.get(server.url + "/.web/health", timeout=5).status_code == 200
    assert message == b"READY=1\nSTATUS=serving"  # the worker's, not gunicorn's arbiter's


def test_an_older_schema_stops_the_server_with_one_line(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(make_engine(url)), "0001")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SETTLECAL_DATABASE_URL": url, "SETTLECAL_BIND": "127.0.0.1:0",
           "SETTLECAL_WORKERS": "1", "SETTLECAL_CONFIG": "/dev/null"}

    result = subprocess.run(GUNICORN, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 3  # the unit does not restart it (RestartPreventExitStatus=3)
    assert "is at schema 0001, this settlecal needs " in result.stderr
    assert "run `settlecal migrate` against the primary" in result.stderr
    assert "Traceback" not in result.stderr


