"""One request reads one revision, even when an import commits in the middle of it."""

from __future__ import annotations

import pathlib

from sqlalchemy import Engine

from caldav_plugin.storage import Storage
from settlecal.db.snapshot import request_snapshot
from caldav_plugin.wsgi import load_configuration
from tests.protocol.conftest import Importer
from tests.protocol.test_subscriber import CALENDAR


def test_a_request_keeps_reading_its_revision(loaded: Engine, database_url: str, reimport: Importer,
                                             amendment: pathlib.Path) -> None:
    storage = Storage(load_configuration(database_url=database_url))
    with request_snapshot(storage.engine):
        (before,) = storage.discover(CALENDAR)
        names = {item.href for item in before.get_all()}  # type: ignore[union-attr]
        reimport(amendment)  # commits while the request is under way
        (again,) = storage.discover(CALENDAR)
        assert again.etag == before.etag
        token, changed = again.sync(f"http://settlecal.invalid/ns/sync/{0}")
        assert token.endswith("/1") and set(changed) == names
    (after,) = storage.discover(CALENDAR)
    assert after.etag != before.etag
    assert after.sync("http://settlecal.invalid/ns/sync/1")[1]
