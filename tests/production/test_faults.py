"""Faults a real deployment meets: the database goes away and comes back; an import holds the write
lock for a while. (kill -9 of an import: tests/cli/test_atomicity.py.)"""

from __future__ import annotations

import json
import pathlib
import threading
import time
from collections.abc import Callable, Iterator

import pytest
import requests
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

import settlecal.releases.service
from bench.servers import settlecal_serve
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import SAMPLES
from tests.production.proxy import Proxy

PASSWORD = "pr0d-s3cret-pw"  # PostgreSQL trusts local connections here, so any password does


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting until {what}")
        time.sleep(0.1)


@pytest.fixture
def proxy(postgresql_url: str) -> Iterator[Proxy]:
    url = make_url(postgresql_url)
    proxy = Proxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy
    proxy.close()


def test_database_unreachable_gives_503_then_recovers_by_itself(
    postgresql_url: str, loaded: Engine, proxy: Proxy
) -> None:
    through_proxy = (make_url(postgresql_url).set(port=proxy.port, password=PASSWORD)
                     .render_as_string(hide_password=False))
    with settlecal_serve(through_proxy) as server:
        ics = f"{server.url}/bsp/es-eur-monthly.ics"
        healthy = requests.get(ics, timeout=30)
        assert healthy.status_code == 200

        proxy.cut()
        for method, path in (("GET", "/bsp/es-eur-monthly.ics"), ("GET", "/bsp/es-eur-monthly/"),
                             ("PROPFIND", "/bsp/"), ("REPORT", "/bsp/es-eur-monthly/"), ("GET", "/.web/health")):
            answer = requests.request(method, server.url + path, timeout=30, headers={"Depth": "1"})
            assert answer.status_code == 503, (method, path, answer.status_code)
            assert answer.headers["Retry-After"].isdigit()
            assert b"Traceback" not in answer.content and PASSWORD.encode() not in answer.content
            assert str(proxy.port).encode() not in answer.content
        assert json.loads(requests.get(server.url + "/.web/health", timeout=30).content)["database"] == "unreachable"

        proxy.restore()
        wait_for(lambda: requests.get(ics, timeout=30).status_code == 200, "the server recovers")
        assert requests.get(ics, timeout=30).content == healthy.content
        assert requests.get(server.url + "/.web/health", timeout=30).json()["status"] == "ok"
        time.sleep(0.2)
    log = server.log
    assert "database unavailable" in log
    assert PASSWORD not in log and "Traceback" not in log


@pytest.fixture
def held_import(loaded: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[threading.Event, threading.Event, threading.Thread]]:
    """The amendment's import, stopped after its last write and before its commit until released."""
    written, release = threading.Event(), threading.Event()
    finish = settlecal.releases.service._finish

    def finish_then_wait(*args: object, **kwargs: object) -> object:
        summary = finish(*args, **kwargs)
        written.set()
        assert release.wait(60), "the test never released the import"
        return summary

    monkeypatch.setattr(settlecal.releases.service, "_finish", finish_then_wait)
    amendment = read_release(SAMPLES / "amendment.csv")
    thread = threading.Thread(target=import_release, args=(loaded, amendment), kwargs={"operator": "tests"},
                              daemon=True)
    yield written, release, thread
    release.set()
    thread.join(timeout=60)


def test_readers_keep_the_previous_revision_while_an_import_writes(
    database_url: str, loaded: Engine, held_import: tuple[threading.Event, threading.Event, threading.Thread],
    tmp_path: pathlib.Path,
) -> None:
    written, release, thread = held_import
    with settlecal_serve(database_url) as server, requests.Session() as session:
        ics = f"{server.url}/bsp/es-eur-monthly.ics"
        before = session.get(ics, timeout=30)
        assert before.headers["X-Settlecal-Revision"] == "1"

        thread.start()
        assert written.wait(60), "the import never reached its commit"
        # The import holds the write lock with every row written: readers still get revision 1, fast.
        for _ in range(5):
            started = time.monotonic()
            during = session.get(ics, timeout=30)
            assert time.monotonic() - started < 5
            assert (during.status_code, during.content, during.headers["ETag"]) == (
                200, before.content, before.headers["ETag"])
            assert during.headers["X-Settlecal-Revision"] == "1"
            assert session.request("PROPFIND", f"{server.url}/bsp/", headers={"Depth": "1"}, timeout=30,
                                   auth=("bsp", "x")).status_code == 207
        assert session.get(f"{server.url}/.web/health", timeout=30).json()["revision"] == 1

        release.set()
        thread.join(timeout=60)
        after = session.get(ics, timeout=30)
        assert after.headers["X-Settlecal-Revision"] == "2"
        assert after.headers["ETag"] != before.headers["ETag"] and after.content != before.content


def test_serve_on_an_unreachable_database_starts_and_answers_503() -> None:
    with settlecal_serve(f"postgresql://settlecal:{PASSWORD}@127.0.0.1:9/settlecal?connect_timeout=2") as server:
        for path in ("/bsp/es-eur-monthly.ics", "/.web/health", "/.web/"):
            answer = requests.get(server.url + path, timeout=30)
            assert answer.status_code == 503, (path, answer.status_code)
            assert answer.headers["Retry-After"].isdigit()
    assert "cannot reach the database at postgresql://settlecal:***@127.0.0.1:9/settlecal" in server.log
    assert "Traceback" not in server.log and PASSWORD not in server.log
