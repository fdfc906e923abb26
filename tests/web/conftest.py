"""The web page's tiers: in-process WSGI (fast, every backend) and a live server driven by Chromium.

One database per backend for the whole session, holding the sample release and the amendment (two
releases, so the history has moves and removals). The pages never write, so tests share it; a test
that imports more uses the function-scoped `loaded` fixture of the protocol tier instead.

"Today" is pinned (TODAY) so the default month, the marked day and the upcoming list don't depend
on the date the tests run.
"""

from __future__ import annotations

import datetime
import os
import pathlib
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from settlecal.db.engine import make_engine
from settlecal.db.schema import upgrade
from caldav_plugin.serve import serving
from caldav_plugin.wsgi import Application, make_application
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import BACKENDS, SAMPLES, _postgresql_database
from tests.protocol.client import WsgiClient
from tests.protocol.conftest import loaded, reimport  # noqa: F401  (fixtures for this tier too)

TODAY = datetime.date(2026, 3, 10)
CHROMIUM = "/usr/bin/chromium"
# The flags this machine needs (no sandbox as root, no background traffic to a closed network).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def load_releases(url: str) -> Engine:
    """The database at `url` with the sample release, then the amendment, imported."""
    engine = make_engine(url)
    upgrade(engine)
    for name in ("sample-release.csv", "amendment.csv"):
        import_release(engine, read_release(SAMPLES / name), operator="tests")
    return engine


def web_of(application: Application) -> Any:
    """The web plugin Radicale built inside the application."""
    return application._radicale._web  # Radicale keeps it private


def pinned_application(url: str) -> Application:
    application = make_application(database_url=url)
    web_of(application).today = lambda: TODAY
    return application


@pytest.fixture(scope="session", params=BACKENDS)
def web_database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a database holding both releases, on each backend the machine has."""
    if request.param == "postgresql":
        for url in _postgresql_database():
            load_releases(url)
            yield url
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'settlecal.sqlite3'}"
        load_releases(url)
        yield url
        make_engine(url).dispose()


@pytest.fixture(scope="session")
def web_engine(web_database: str) -> Engine:
    return make_engine(web_database)


@pytest.fixture(scope="session")
def web(web_database: str) -> WsgiClient:
    """The WSGI entry in-process, over the loaded database."""
    return WsgiClient(pinned_application(web_database))


@pytest.fixture(scope="session")
def live_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An SQLite database with both releases, for the live server the browser talks to."""
    url = f"sqlite:///{tmp_path_factory.mktemp('live-web') / 'settlecal.sqlite3'}"
    load_releases(url)
    yield url
    make_engine(url).dispose()


@pytest.fixture(scope="session")
def live_server(live_database: str) -> Iterator[str]:
    """The base URL of the real server (waitress + the WSGI entry) on a free loopback port.

    `create_server` binds and listens before it returns, so the port is ready at once.
    """
    with serving(pinned_application(live_database)) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's Chromium under Playwright (`make browser` installs it; nothing is downloaded here)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, tmp_path: pathlib.Path) -> Iterator[Any]:
    """A fresh browser tab (own cookies, downloads allowed, clipboard granted)."""
    context = browser.new_context(accept_downloads=True, locale="en-US", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()
