"""Stored renders for the server: one render per revision for the whole deployment.

A calendar revision missing from both the process's cache and the database is rendered by one
request of the process while the others asking for it wait for that render (single flight), then
written to the database by a background thread, so the request never waits on a write lock (an
import holds SQLite's for its whole transaction). Every other worker and host then reads it.
A server that cannot write (a read-only file, a replica whose primary is away) still serves: it
logs once and keeps its renders in memory.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections.abc import Iterator

from settlecal import renders
from settlecal.config import PoolSettings
from settlecal.db.engine import make_engine, shown
from settlecal.db.renders import StoredRow

logger = logging.getLogger("settlecal")

# Renders waiting to be written, at most: each holds a calendar's bytes. Beyond this a render is
# dropped (the next server to miss it renders it again).
_QUEUE = 64


class Flights:
    """One lock per key being rendered: the second request for it waits for the first one's render."""

    def __init__(self) -> None:
        self._locks: dict[object, tuple[threading.Lock, int]] = {}
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def flight(self, key: object) -> Iterator[None]:
        with self._lock:
            lock, users = self._locks.get(key, (None, 0))
            if lock is None:
                lock = threading.Lock()
            self._locks[key] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._locks[key]
                if users == 1:
                    del self._locks[key]
                else:
                    self._locks[key] = (lock, users - 1)


class RenderWriter:
    """Writes renders to the database from one daemon thread, in the order they were made."""

    def __init__(self, url: str, pool: PoolSettings, refresh_minutes: int) -> None:
        # The URL, not an engine: the engine is looked up at each write, so one disposed with its
        # database (dispose_engines) is never kept alive here.
        self._url = url
        self._pool = pool
        self._refresh = refresh_minutes
        self._queue: queue.Queue[tuple[int, StoredRow]] = queue.Queue(_QUEUE)
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()
        self._failed = False

    def put(self, calendar_id: int, row: StoredRow) -> None:
        with self._start:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="settlecal-render-writer", daemon=True)
                self._thread.start()
        try:
            self._queue.put_nowait((calendar_id, row))
        except queue.Full:
            logger.debug("render writer busy: revision %d of calendar %d not stored", row.revision, calendar_id)

    def drain(self) -> None:
        """Waits until every queued render is written (or given up): for tests and shutdown."""
        self._queue.join()

    def _run(self) -> None:
        while True:
            calendar_id, row = self._queue.get()
            try:
                renders.store(make_engine(self._url, mode="rw", pool=self._pool), calendar_id, self._refresh, row)
                self._failed = False
            except Exception as error:  # a server that cannot write still serves, from memory
                if not self._failed:
                    logger.warning("cannot store renders in %s (%s); rendering in each process",
                                   shown(self._url), type(error).__name__)
                self._failed = True
            finally:
                self._queue.task_done()
