"""Login throttling for a private server: failed logins slow down further attempts, per user and per
client address, with exponential back-off (docs/deployment.md, "Private mode").

A user or address that failed more than its free attempts is refused early, with 429 and
`Retry-After`, before Radicale checks a password: nothing sleeps, so no worker thread is held
however many guesses arrive (Radicale's own `[auth] delay` sleeps in the worker; the shipped private
configuration sets it to 0). A successful login clears its user's failures; an address's failures
expire once a quiet period has passed. The state is per process and bounded in size.
"""

from __future__ import annotations

import collections
import dataclasses
import math
import threading
import time
from collections.abc import Callable

from caldav_plugin.edge.answers import text_answer
from caldav_plugin.http import Answer


@dataclasses.dataclass(frozen=True, slots=True)
class ThrottleSettings:
    user_free: int = 5  # failed logins of one user before it waits
    address_free: int = 20  # failed logins from one address (several users behind one NAT) before it waits
    first_wait: float = 1.0  # seconds after the first failure past the free ones; doubles with each one
    longest_wait: float = 900.0
    entries: int = 100_000  # users and addresses remembered; the oldest are forgotten first


@dataclasses.dataclass(slots=True)
class _Failures:
    count: int
    last: float
    until: float  # refused before this time


class LoginThrottle:
    """Counts failed logins by key ('user:…', 'address:…') and says how long a key must wait."""

    def __init__(self, settings: ThrottleSettings = ThrottleSettings(), *,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._settings = settings
        self._clock = clock
        self._lock = threading.Lock()
        self._failures: collections.OrderedDict[str, _Failures] = collections.OrderedDict()

    def wait(self, keys: tuple[str, ...]) -> float:
        """Seconds the longest-waiting of `keys` must still wait (0: go ahead)."""
        now = self._clock()
        with self._lock:
            return max([0.0, *(found.until - now for key in keys if (found := self._failures.get(key)))])

    def failed(self, keys: tuple[str, ...]) -> None:
        now = self._clock()
        with self._lock:
            for key in keys:
                found = self._failures.pop(key, None)
                if found is None or now - found.last > self._settings.longest_wait * 2:
                    found = _Failures(0, now, now)  # quiet long enough: start again
                found.count += 1
                found.last = now
                free = self._settings.user_free if key.startswith("user:") else self._settings.address_free
                if found.count > free:
                    wait = self._settings.first_wait * 2 ** min(found.count - free - 1, 30)
                    found.until = now + min(wait, self._settings.longest_wait)
                self._failures[key] = found
            while len(self._failures) > self._settings.entries:
                self._failures.popitem(last=False)

    def succeeded(self, user_key: str) -> None:
        with self._lock:
            self._failures.pop(user_key, None)


def keys_for(login: str, address: str) -> tuple[str, ...]:
    return (f"user:{login.lower()}", f"address:{address}")


def too_many(wait: float, method: str) -> Answer:
    seconds = max(1, math.ceil(wait))
    return text_answer("429 Too Many Requests",
                       f"429 Too Many Requests: too many failed logins; retry in {seconds} seconds.\n", method,
                       [("Retry-After", str(seconds))])
