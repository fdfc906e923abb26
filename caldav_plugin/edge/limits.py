"""A few expensive requests at a time per process, so that downloads and health checks stay fast.

Listing a principal with every calendar's length (PROPFIND Depth 1 on `/bsp/` with allprop, no body
or `getcontentlength`: each calendar's stored body is read to measure it), an `expand` or a free-busy REPORT, and Radicale's `?view=freebusy` take tens to hundreds of
milliseconds of CPU each; a handful of clients sending them at once would hold every worker thread
while `.ics` downloads and `/.web/health` wait. At most EXPENSIVE_AT_ONCE run in a process; another
one is answered 503 + Retry-After at once (clients retry), never queued on a thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from typing import Any, Final

from radicale import pathutils

from settlecal import hrefs

EXPENSIVE_AT_ONCE: Final = 2
_COSTLY_REPORTS: Final = (b"free-busy-query", b"expand")
_COSTLY_PROPERTIES: Final = (b"allprop", b"getcontentlength")


def is_expensive(environ: Mapping[str, Any], method: str, path: str) -> bool:
    if method == "GET":
        return "view=freebusy" in str(environ.get("QUERY_STRING") or "")
    if method == "PROPFIND":
        if str(environ.get("HTTP_DEPTH", "0")).strip() == "0":
            return False
        # A calendar's own listing is cheap (templates.py); the root and principals list calendars.
        if isinstance(hrefs.parse_path(pathutils.sanitize_path(path)), hrefs.CalendarPath):
            return False
        body = _body(environ)
        return not body.strip() or any(word in body for word in _COSTLY_PROPERTIES)
    if method == "REPORT":
        return any(word in _body(environ) for word in _COSTLY_REPORTS)
    return False


def _body(environ: Mapping[str, Any]) -> bytes:
    # The screen read every XML body and put it back as a BytesIO (screening.py).
    stream = environ.get("wsgi.input")
    getvalue = getattr(stream, "getvalue", None)
    return bytes(getvalue()) if getvalue is not None else b""


class Limit:
    """A non-blocking count of the expensive requests in flight."""

    def __init__(self, at_once: int = EXPENSIVE_AT_ONCE) -> None:
        self._slots = threading.BoundedSemaphore(at_once)

    @contextlib.contextmanager
    def slot(self) -> Iterator[bool]:
        """Yields whether this request may run (False: answer 503)."""
        acquired = self._slots.acquire(blocking=False)
        try:
            yield acquired
        finally:
            if acquired:
                self._slots.release()
