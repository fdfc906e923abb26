"""The live tier: the real server (waitress + the WSGI entry) on a free loopback port.

The server runs in a thread of the test process: `create_server` binds and listens before it
returns, so the port is ready at once (no sleeping, no polling). `dav` is overridden to go over
the socket, which reruns the protocol tests imported by test_protocol_live.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from caldav_plugin.serve import serving
from caldav_plugin.wsgi import make_application
from tests.protocol.client import Client, HttpClient
from tests.protocol.conftest import loaded, reimport  # noqa: F401  (fixtures for this tier too)


@pytest.fixture
def server(loaded: Engine, database_url: str) -> Iterator[str]:  # noqa: F811
    """The base URL of a running server over the loaded database."""
    with serving(make_application(database_url=database_url)) as url:
        yield url


@pytest.fixture
def dav(server: str) -> Iterator[Client]:
    client = HttpClient(server)
    yield client
    client.session.close()
