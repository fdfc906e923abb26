"""One request reads one revision, even when an import commits in the middle of it."""

from __future__ import annotations

import pathlib

from sqlalchemy import Engine, text

from caldav_plugin.storage import Storage
from settlecal.db.snapshot import reading, request_snapshot
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


def test_the_change_feed_reads_the_requests_revision(loaded: Engine, reimport: Importer,
                                                      amendment: pathlib.Path) -> None:
    """The Atom feed's reads join the request's snapshot, like the storage's."""
    from caldav_plugin.web import atom

    environ = {"REQUEST_METHOD": "GET", "QUERY_STRING": "system=CASS"}
    with request_snapshot(loaded):
        with reading(loaded) as session:  # the request's first read opens the snapshot
            session.execute(text("SELECT 1 FROM release"))
        reimport(amendment)  # commits while the request is under way
        status, headers, body, _ = atom.handle(environ, loaded, origin="http://calendars.example")
    assert status == 200 and body is not None
    assert headers["ETag"].startswith('"r1-') and b"amendment.csv" not in body
