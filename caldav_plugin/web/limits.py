"""How much work one request of the page may cause.

Renders that cost seconds of CPU (a PDF, a feed or CSV of many calendars, the Atom feed of the change
log) run at most `MAX_EXPENSIVE` at a time per process; one more is answered 503 with Retry-After at
once instead of queueing behind them, so the threads stay free for `/.web/health`, the calendars'
`.ics` and the page itself. A HEAD of such a URL is answered from the headers alone: nothing renders.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any, Final

from caldav_plugin.edge.limits import Limit

# Two renders keep both cores of a small server busy; more only make every request slower.
MAX_EXPENSIVE: Final = 2
RETRY_AFTER: Final = 5
# A release id is a database integer: larger numbers name nothing (and overflow PostgreSQL's int).
MAX_ID: Final = 2**31 - 1
# A PDF is for reading: a range longer than this is refused before anything is read.
MAX_PDF_DAYS: Final = 3 * 366

_renders = Limit(MAX_EXPENSIVE)


class Busy(Exception):
    """As many expensive renders as allowed are running; try again in RETRY_AFTER seconds."""


@contextlib.contextmanager
def expensive() -> Iterator[None]:
    """Holds one of the process's render slots for the block, or raises Busy without waiting."""
    with _renders.slot() as allowed:
        if not allowed:
            raise Busy()
        yield


def is_head(environ: Mapping[str, Any]) -> bool:
    return str(environ.get("REQUEST_METHOD", "GET")).upper() == "HEAD"


def busy_text() -> tuple[int, dict[str, str], bytes, None]:
    """The 503 of a feed (read by programs: plain text)."""
    return 503, {"Content-Type": "text/plain; charset=utf-8", "Retry-After": str(RETRY_AFTER),
                 "Cache-Control": "no-store"}, b"503 Service Unavailable: busy, try again in a few seconds.\n", None
