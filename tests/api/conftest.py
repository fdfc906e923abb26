"""The JSON API's tier: the WSGI entry in-process over a database with a history to read.

The shared database holds four revisions: the sample release (1), the amendment (2), its rollback (3)
and the amendment again (4), so releases, rollbacks, moves and removals all show. Tests that import
more use the protocol tier's function-scoped `loaded` database instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from caldav_plugin.wsgi import Application, make_application
from settlecal.db.engine import make_engine
from settlecal.db.schema import upgrade
from settlecal.release_format.file import read_release
from settlecal.releases.service import import_release, rollback
from tests.conftest import BACKENDS, SAMPLES, _postgresql_database
from tests.protocol.client import Client, Response, WsgiClient
from tests.protocol.conftest import loaded, reimport  # noqa: F401  (fixtures for this tier too)

API = "/.web/api/v1"


def load_history(url: str) -> Engine:
    engine = make_engine(url)
    upgrade(engine)
    import_release(engine, read_release(SAMPLES / "sample-release.csv"), operator="tests")
    import_release(engine, read_release(SAMPLES / "amendment.csv"), operator="tests")
    rollback(engine, operator="tests", notify=False)
    import_release(engine, read_release(SAMPLES / "amendment.csv"), operator="tests", note="again")
    return engine


@pytest.fixture(scope="session", params=BACKENDS)
def api_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "postgresql":
        for url in _postgresql_database():
            load_history(url)
            yield url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('api') / 'settlecal.sqlite3'}"
        load_history(url)
        yield url
        make_engine(url).dispose()


@pytest.fixture(scope="session")
def api_engine(api_database: str) -> Engine:
    return make_engine(api_database)


@pytest.fixture(scope="session")
def api(api_database: str) -> WsgiClient:
    return WsgiClient(make_application(database_url=api_database))


def get(client: Client, path: str, **headers: str) -> tuple[Response, Any]:
    """GET of an API path (relative to /.web/api/v1 unless absolute), and its JSON body (None if empty)."""
    answer = client.request("GET", path if path.startswith("/.web") else API + path, headers=headers)
    return answer, json.loads(answer.body) if answer.body else None


def local(url: str) -> str:
    """The server path of an absolute URL the API gave (links use the request's host)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def walk(client: Client, path: str, items: str) -> Iterator[dict[str, Any]]:
    """Every item of a paginated list, following `next` from page to page."""
    answer, body = get(client, path)
    while True:
        assert answer.status == 200, body
        yield from body[items]
        if body["next"] is None:
            assert body["next_cursor"] is None
            return
        answer, body = get(client, local(body["next"]))


@pytest.fixture(scope="session")
def api_application(api_database: str) -> Application:
    return make_application(database_url=api_database)

