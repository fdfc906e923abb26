"""Repeated warnings of one request collapse into two lines: the first as it happens, and at the end of
the request one line with how many more like it there were (a multiget of 50,000 bad hrefs would
otherwise write 50,000 WARNING lines).

"Like it" means the same logger, level and message template (the values may differ: each bad href is
named in its own warning, the first is kept). The filter sits on Radicale's logger, which Radicale and
this package log through; outside a request nothing is collapsed.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
from typing import Final

from radicale.log import logger

_KINDS: Final = 100  # distinct repeated warnings tracked per request; more are logged as they come


@dataclasses.dataclass
class _Repeated:
    level: int
    first: str
    more: int = 0


_request: contextvars.ContextVar[dict[tuple[str, int, str], _Repeated] | None] = contextvars.ContextVar(
    "settlecal_repeated_warnings", default=None)


class CollapseRepeats(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        seen = _request.get()
        if seen is None or record.levelno < logging.WARNING or getattr(record, "collapsed", False):
            return True
        key = (record.name, record.levelno, str(record.msg))
        found = seen.get(key)
        if found is None:
            if len(seen) < _KINDS:
                seen[key] = _Repeated(record.levelno, record.getMessage())
            return True
        found.more += 1
        return False


_FILTER: Final = CollapseRepeats()


def install() -> None:
    """Puts the filter on Radicale's logger, once per process."""
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def begin() -> contextvars.Token[dict[tuple[str, int, str], _Repeated] | None]:
    return _request.set({})


def end(token: contextvars.Token[dict[tuple[str, int, str], _Repeated] | None]) -> None:
    """Logs one line per warning that repeated in the request, then forgets the request."""
    seen = _request.get() or {}
    _request.reset(token)
    for repeated in seen.values():
        if repeated.more:
            logger.log(repeated.level, "%s (and %d more like it in this request, not logged)",
                       repeated.first, repeated.more, extra={"collapsed": True})
