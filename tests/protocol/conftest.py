"""The protocol tier: the WSGI entry in-process over a database holding the sample release.

tests/live reuses these tests over a socket by overriding the `dav` fixture.
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from caldav_plugin.wsgi import make_application
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.protocol.client import Client, WsgiClient

Importer = Callable[[pathlib.Path], None]


@pytest.fixture
def loaded(engine: Engine, sample: pathlib.Path) -> Engine:
    """The database with the sample release imported."""
    import_release(engine, read_release(sample), operator="tests")
    return engine


@pytest.fixture
def reimport(loaded: Engine) -> Importer:
    """Imports another release into the loaded database, as `settlecal import` would."""

    def run(path: pathlib.Path) -> None:
        import_release(loaded, read_release(path), operator="tests")

    return run


@pytest.fixture
def dav(loaded: Engine, database_url: str) -> Client:
    return WsgiClient(make_application(database_url=database_url))
