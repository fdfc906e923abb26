"""What the sign-up form keeps per server process: how often each client asked, and the one worker
that sends confirmation messages.

A visitor's POST never waits for SMTP and never starts a thread: it queues the message's outbox id
for one worker per process, through a bounded queue. When the queue is full the message simply stays
in the outbox for `settlecal notify` (or the next import), like one the SMTP server deferred.
"""

from __future__ import annotations

import collections
import logging
import queue
import threading
import time
from typing import Final

from sqlalchemy import Engine

from settlecal.notify import delivery as outbox_delivery
from settlecal.notify.config import NotifyConfig
from settlecal.notify.transports import notifier_for

logger = logging.getLogger(__name__)
# More distinct clients than this in one window and the oldest are forgotten: memory stays bounded.
MAX_CLIENTS: Final = 10_000
QUEUE_SIZE: Final = 100
WORKER_NAME: Final = "settlecal-confirmation"
_HOUR: Final = 3600.0


class ClientLimiter:
    """Sign-ups per client address in a sliding hour, bounded in memory; thread-safe."""

    def __init__(self, window: float = _HOUR) -> None:
        self.window = window
        self._seen: collections.OrderedDict[str, collections.deque[float]] = collections.OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str, limit: int, now: float | None = None) -> bool:
        """Counts this attempt; False when the client already made `limit` in the window."""
        now = time.monotonic() if now is None else now
        with self._lock:
            times = self._seen.pop(client, None) or collections.deque()
            while times and times[0] <= now - self.window:
                times.popleft()
            allowed = len(times) < limit
            if allowed:
                times.append(now)
            self._seen[client] = times
            while len(self._seen) > MAX_CLIENTS:
                self._seen.popitem(last=False)
            return allowed


class ConfirmationSender:
    """One daemon thread per process delivering queued confirmation messages, one at a time."""

    def __init__(self, size: int = QUEUE_SIZE) -> None:
        self._queue: queue.Queue[tuple[Engine, NotifyConfig, int]] = queue.Queue(size)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def submit(self, engine: Engine, config: NotifyConfig, message: int) -> bool:
        """Hands the message to the worker; False (it stays queued in the outbox) when it is busy."""
        self._start()
        try:
            self._queue.put_nowait((engine, config, message))
        except queue.Full:
            logger.warning("confirmation message %s stays queued: the sender is busy", message)
            return False
        return True

    def wait_idle(self, timeout: float) -> bool:
        """Whether every submitted message was handled within `timeout` seconds (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            with self._queue.all_tasks_done:
                self._queue.all_tasks_done.wait(0.05)
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=WORKER_NAME, daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            engine, config, message = self._queue.get()
            try:
                outbox_delivery.deliver(engine, notifier_for(config), only=[message])
            except Exception as error:  # noqa: BLE001  (the outbox keeps the message for `notify`)
                logger.warning("confirmation message %s stays queued: %s: %s", message, type(error).__name__, error)
            finally:
                self._queue.task_done()


# One per process: every Web plugin instance shares it (each keeps its own ClientLimiter).
SENDER = ConfirmationSender()
