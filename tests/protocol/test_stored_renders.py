"""Stored renders: a calendar revision is rendered once for the whole deployment and every server
process reads its bytes from the database (settlecal/renders.py, caldav_plugin/stored.py)."""

from __future__ import annotations

import concurrent.futures
import gzip
import pathlib
import threading

import pytest
from sqlalchemy import Engine, delete, select, update

from caldav_plugin.wsgi import make_application
from settlecal import renders
from settlecal.db import queries
from settlecal.db.models import StoredRender
from settlecal.db.snapshot import reading
from settlecal.formats import ical
from tests.protocol.client import WsgiClient
from tests.protocol.conftest import Importer
from tests.protocol.test_subscriber import CALENDAR, ES

VARIANT = renders.variant(renders.DEFAULT_REFRESH_MINUTES)


def stored_rows(engine: Engine) -> dict[int, tuple[str, int, bytes, bytes]]:
    with engine.connect() as connection:
        rows = connection.execute(select(StoredRender.calendar_id, StoredRender.variant, StoredRender.revision,
                                         StoredRender.body, StoredRender.gzipped))
        return {row[0]: tuple(row[1:]) for row in rows}  # type: ignore[misc]


def fresh_render(engine: Engine) -> dict[int, tuple[int, bytes]]:
    """Every calendar rendered from its rows, as the server did before renders were stored."""
    with reading(engine) as session:
        return {
            state.id: (state.revision, ical.render_calendar(
                state.key, [ical.render_event(state.key, row) for row in queries.events(session, state.id)],
                refresh_minutes=renders.DEFAULT_REFRESH_MINUTES).encode())
            for state in queries.calendar_states(session)
        }


def test_an_import_stores_the_render_of_every_calendar_it_changed(loaded: Engine, reimport: Importer,
                                                                  amendment: pathlib.Path) -> None:
    expected = fresh_render(loaded)
    stored = stored_rows(loaded)
    assert stored.keys() == expected.keys()
    for calendar_id, (variant, revision, body, gzipped) in stored.items():
        assert (variant, revision, body) == (VARIANT, *expected[calendar_id])
        assert gzip.decompress(gzipped) == body

    reimport(amendment)  # moves a few key dates: only those are rendered, the rest spliced from before

    after, stored_after = fresh_render(loaded), stored_rows(loaded)
    changed = {calendar_id for calendar_id in after if after[calendar_id][0] != expected[calendar_id][0]}
    assert changed
    for calendar_id, (variant, revision, body, _) in stored_after.items():
        assert (revision, body) == after[calendar_id]  # one row per calendar: the older one is gone
    with reading(loaded) as session:
        state = queries.calendar_state(session, ES)
        assert state is not None
        row = renders.build_for(session, state, renders.DEFAULT_REFRESH_MINUTES)
        whole = renders.build(ES, state.revision, queries.events(session, state.id), renders.DEFAULT_REFRESH_MINUTES)
    assert (row.body, row.events, row.gzipped) == (whole.body, whole.events, whole.gzipped)
    assert renders.events(row) == tuple(ical.render_event(ES, r) for r in _rows(loaded, state.id))


def _rows(engine: Engine, calendar_id: int) -> list[queries.EventRow]:
    with reading(engine) as session:
        return queries.events(session, calendar_id)


def test_a_server_serves_the_stored_bytes_without_rendering(loaded: Engine, database_url: str) -> None:
    # Another server stored this revision: a process that never saw it serves those bytes.
    marker = b"BEGIN:VCALENDAR\r\nX-STORED-BY:another-server\r\nEND:VCALENDAR\r\n"
    with loaded.begin() as connection:
        connection.execute(update(StoredRender).values(body=marker, gzipped=gzip.compress(marker)))
    dav = WsgiClient(make_application(database_url=database_url))

    got = dav.request("GET", CALENDAR)
    zipped = dav.request("GET", CALENDAR, headers={"Accept-Encoding": "gzip"})
    revalidated = dav.request("GET", CALENDAR, headers={"If-None-Match": got.headers["etag"]})

    assert got.status == 200 and got.body == marker
    assert zipped.headers["content-encoding"] == "gzip" and gzip.decompress(zipped.body) == marker
    assert revalidated.status == 304 and revalidated.body == b""


def test_a_revision_nobody_stored_is_rendered_once_then_stored(loaded: Engine, database_url: str,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    with loaded.begin() as connection:
        connection.execute(delete(StoredRender))
    builds: list[int] = []
    lock = threading.Lock()
    real = renders.build_for

    def counted(*args: object, **kwargs: object) -> object:
        with lock:
            builds.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(renders, "build_for", counted)
    application = make_application(database_url=database_url)
    dav = WsgiClient(application)
    # Eight requests at once for a calendar no server rendered: one renders, the others wait for it.
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: dav.request("GET", CALENDAR), range(8)))
    application.storage.writer.drain()

    assert {answer.status for answer in answers} == {200} and len({answer.body for answer in answers}) == 1
    assert len(builds) == 1
    with reading(loaded) as session:
        state = queries.calendar_state(session, ES)
    assert state is not None
    variant, revision, body, _ = stored_rows(loaded)[state.id]
    assert (variant, revision, body) == (VARIANT, state.revision, answers[0].body)


def test_an_import_renders_ahead_only_within_its_budget_counted_by_the_database(loaded: Engine) -> None:
    """With no render stored, the whole calendar counts; with one stored, the key dates changed since."""
    with reading(loaded) as session:
        states = queries.calendar_states(session)
        for state in states:
            assert queries.key_date_count(session, state.id) == len(queries.events(session, state.id))
            assert queries.key_date_count(session, state.id, since=0) == len(queries.events(session, state.id, since=0))
            assert queries.key_date_count(session, state.id, since=state.revision) == 0
    keys = [state.key for state in states]
    total = sum(len(_rows(loaded, state.id)) for state in states)
    with loaded.begin() as connection:
        connection.execute(delete(StoredRender))

    assert renders.prerender(loaded, keys, max_events=total - 1) == 0
    assert stored_rows(loaded) == {}
    assert renders.prerender(loaded, keys, max_events=total) == len(keys)
    assert renders.prerender(loaded, keys, max_events=0) == 0  # all stored already: nothing to render
