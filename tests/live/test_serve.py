"""`settlecal serve` end to end: the command in its own process, as `make run` starts it."""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator

import icalendar
import pytest
import requests
from sqlalchemy import Engine

from tests.protocol.test_subscriber import ES, live_key_dates


@pytest.fixture
def served(loaded: Engine, database_url: str) -> Iterator[str]:
    """`settlecal --database URL serve --port 0`; ready when it prints the URL it listens on."""
    process = subprocess.Popen(
        [sys.executable, "-m", "importer", "--database", database_url, "serve", "--host", "127.0.0.1",
         "--port", "0"],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    assert process.stderr is not None
    try:
        for line in process.stderr:  # blocks until the announcement; the server logs before it too
            found = re.search(r"Serving settlement calendars on (http://\S+)/", line)
            if found:
                # Keep reading the log, or a full pipe would block the server.
                threading.Thread(target=process.stderr.read, daemon=True).start()
                yield found.group(1)
                break
        else:
            pytest.fail(f"settlecal serve exited with {process.wait()}")
    finally:
        process.send_signal(signal.SIGINT)
        try:
            assert process.wait(timeout=20) == 0
        finally:
            process.kill()
            process.stderr.close()


def test_settlecal_serve(served: str, loaded: Engine) -> None:
    answer = requests.get(f"{served}/bsp/es-eur-monthly.ics", timeout=30)
    assert answer.status_code == 200
    events = icalendar.Calendar.from_ical(answer.content).walk("VEVENT")
    assert {str(e["UID"]) for e in events} == set(live_key_dates(loaded, ES))
    assert requests.get(f"{served}/bsp/es-eur-monthly.ics", timeout=30,
                        headers={"If-None-Match": answer.headers["ETag"]}).status_code == 304
    assert requests.put(f"{served}/bsp/es-eur-monthly/x.ics", data="x", timeout=30).status_code == 403
    listing = requests.request("PROPFIND", f"{served}/bsp/", headers={"Depth": "1"}, timeout=30, auth=("bsp", "x"))
    assert listing.status_code == 207 and b"/bsp/es-eur-monthly/" in listing.content


def test_a_304_keeps_the_connection_open(served: str) -> None:
    import http.client
    import urllib.parse

    connection = http.client.HTTPConnection(urllib.parse.urlsplit(served).netloc, timeout=30)
    try:
        connection.request("GET", "/bsp/es-eur-monthly.ics", headers={"Accept-Encoding": "identity"})
        first = connection.getresponse()
        body, etag = first.read(), first.getheader("ETag")
        socket_used = connection.sock
        for path in ("/bsp/es-eur-monthly.ics", "/bsp/es-eur-monthly/"):  # the alias, then the collection
            connection.request("GET", path, headers={"If-None-Match": etag or "", "Accept-Encoding": "identity"})
            answer = connection.getresponse()
            assert answer.status == 304 and answer.read() == b""
            assert answer.getheader("Connection") != "close" and connection.sock is socket_used
        connection.request("GET", "/bsp/es-eur-monthly.ics", headers={"Accept-Encoding": "identity"})
        assert connection.getresponse().read() == body and connection.sock is socket_used
    finally:
        connection.close()
