"""The live tier: the real server (waitress + the WSGI entry) on a free loopback port.

The server runs in a thread of the test process: `create_server` binds and listens before it
returns, so the port is ready at once (no sleeping, no polling). `dav` is overridden to go over
the socket, which reruns the protocol tests imported by test_protocol_live.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import waitress
from waitress import wasyncore
from sqlalchemy import Engine

from caldav_plugin.wsgi import make_application
from tests.protocol.client import Client, HttpClient
from tests.protocol.conftest import loaded, reimport  # noqa: F401  (fixtures for this tier too)


@pytest.fixture
def server(loaded: Engine, database_url: str) -> Iterator[str]:  # noqa: F811
    """The base URL of a running server over the loaded database."""
    application = make_application(database_url=database_url)
    instance = waitress.create_server(application, host="127.0.0.1", port=0, threads=4)
    host, port = instance.getsockname()[:2]  # type: ignore[union-attr]
    stop = threading.Event()

    def run() -> None:
        # waitress's own run() loops until its socket map is empty; this one stops when told and
        # closes every socket in the loop's own thread.
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=instance._map, count=1)  # type: ignore[union-attr]
        wasyncore.close_all(instance._map)  # type: ignore[union-attr]

    thread = threading.Thread(target=run, name="settlecal-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        stop.set()
        thread.join(timeout=10)
        instance.task_dispatcher.shutdown()  # type: ignore[union-attr]
        assert not thread.is_alive()


@pytest.fixture
def dav(server: str) -> Iterator[Client]:
    client = HttpClient(server)
    yield client
    client.session.close()
