"""`settlecal publish DIR`: every calendar as a static `.ics` and `.ics.gz`, for nginx or a CDN.

The files are the bytes the server's GET answers with (the revision's stored render, settlecal/renders.py),
laid out as the server's paths (`DIR/bsp/es-eur-monthly.ics`), plus the page's feeds that take no
parameters (`DIR/.web/feed.ics`, and `DIR/.web/changes.atom` when a public URL is known, its links
being absolute). Each file is written to a temporary name beside it and renamed over the old one,
so a reader sees the old file or the new one, never half. A file whose bytes are the same is not
touched, and every calendar file's modification time is the time of its revision: nginx's ETag
(modification time and size) and Last-Modified then only change when the calendar does, and are
the same on every host that publishes the same database.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gzip
import os
import pathlib
import tempfile
from collections.abc import Iterator

from sqlalchemy import Engine

from settlecal import renders
from settlecal.db import queries
from settlecal.db import renders as stored_renders
from settlecal.db.snapshot import reading
from settlecal.formats import atom, ical
from settlecal.formats.query import Query

FEED: str = ".web/feed.ics"
CHANGES: str = ".web/changes.atom"


@dataclasses.dataclass(slots=True)
class Published:
    """What one run did: files written and left alone (each `.ics` with its `.gz` counts once)."""

    revision: int = 0
    written: list[str] = dataclasses.field(default_factory=list)
    unchanged: int = 0
    rendered: int = 0  # calendars no server had rendered yet (now stored for them too)


def publish(engine: Engine, directory: pathlib.Path, *, refresh_minutes: int = renders.DEFAULT_REFRESH_MINUTES,
            origin: str = "") -> Published:
    """Writes every calendar and the parameterless feeds of one revision into `directory`."""
    done = Published()
    variant = renders.variant(refresh_minutes)
    fresh: list[tuple[int, stored_renders.StoredRow]] = []
    with reading(engine) as session:
        done.revision = queries.current_revision(session)
        for state in queries.calendar_states(session):
            row = stored_renders.stored(session, state.id, variant, state.revision)
            if row is None:
                row = renders.build_for(session, state, refresh_minutes)
                fresh.append((state.id, row))
            moment = state.modified_at.timestamp()
            _record(done, f"{state.key.path}.ics", _write(directory, f"{state.key.path}.ics", row.body,
                                                          row.gzipped, moment))
        key_dates = queries.selected_key_dates(session)
        feed = ical.render_selection(key_dates, Query(refresh_minutes=refresh_minutes)).encode("utf-8")
        _record(done, FEED, _write(directory, FEED, feed, _gzip(feed), None))
        if origin:
            changes = atom.render(session, Query(origin=origin.rstrip("/")))
            _record(done, CHANGES, _write(directory, CHANGES, changes, _gzip(changes), None))
    for calendar_id, row in fresh:  # the servers read them too from now on
        renders.store(engine, calendar_id, refresh_minutes, row)
    done.rendered = len(fresh)
    return done


def _record(done: Published, name: str, written: bool) -> None:
    if written:
        done.written.append(name)
    else:
        done.unchanged += 1


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=renders.GZIP_LEVEL, mtime=0)


def _write(directory: pathlib.Path, name: str, body: bytes, gzipped: bytes, moment: float | None) -> bool:
    """Writes `name` and `name.gz` unless both hold these bytes already; whether it wrote."""
    path = directory / name
    changed = False
    for target, data in ((path.with_name(path.name + ".gz"), gzipped), (path, body)):
        if _same(target, data, moment):
            continue
        _replace(target, data, moment)
        changed = True
    return changed


def _same(path: pathlib.Path, data: bytes, moment: float | None) -> bool:
    try:
        status = path.stat()
        if status.st_size != len(data) or (moment is not None and int(status.st_mtime) != int(moment)):
            return False
        return path.read_bytes() == data
    except FileNotFoundError:
        return False


def _replace(path: pathlib.Path, data: bytes, moment: float | None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, 0o644)  # served by another user (nginx's)
        if moment is not None:
            os.utime(temporary, (moment, moment))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def files(directory: pathlib.Path) -> Iterator[pathlib.Path]:
    """Every published file under `directory` (for tests and checks)."""
    yield from sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))
