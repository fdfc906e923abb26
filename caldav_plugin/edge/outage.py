"""Database outages become 503 + Retry-After with a short text, never a 500 or a stack trace.

Radicale turns every exception inside it into a 500 and logs it with its traceback (SQL and
parameters included) and a CRITICAL line. So the engine's `handle_error` event notes an outage in
the request's context; the WSGI entry answers 503 instead, and `QuietOutages` drops Radicale's lines
about that request: the log gets one WARNING line, without SQL or parameters. The engine's pool
(pre-ping, and the SQLite file check) reconnects by itself once the database is back.
"""

from __future__ import annotations

import contextvars
import logging
from typing import Any

from sqlalchemy import Engine, event

from caldav_plugin.edge.answers import text_answer
from caldav_plugin.edge.settings import EdgeSettings
from caldav_plugin.http import Answer
from settlecal.db.availability import is_outage

_failure: contextvars.ContextVar[BaseException | None] = contextvars.ContextVar("settlecal_db_failure",
                                                                                default=None)


def watch(engine: Engine) -> None:
    """Notes database outages raised inside Radicale, which turns every exception into a 500."""
    if not event.contains(engine, "handle_error", _note_failure):
        event.listen(engine, "handle_error", _note_failure)


def _note_failure(context: Any) -> None:
    error = context.sqlalchemy_exception
    if context.is_disconnect or (error is not None and is_outage(error)):
        _failure.set(error or context.original_exception)


def begin_request() -> contextvars.Token[BaseException | None]:
    return _failure.set(None)


def failure_seen() -> BaseException | None:
    return _failure.get()


def end_request(token: contextvars.Token[BaseException | None]) -> None:
    _failure.reset(token)


def unavailable(settings: EdgeSettings, method: str) -> Answer:
    return text_answer("503 Service Unavailable",
                       "503 Service Unavailable: the calendar database cannot be reached. "
                       "Try again shortly.\n", method, [("Retry-After", str(settings.retry_after))])


def quiet_radicale() -> None:
    """Installs QuietOutages on the loggers Radicale reports exceptions on, once per process."""
    for each in (logging.getLogger("radicale"), logging.getLogger()):
        if not any(isinstance(installed, QuietOutages) for installed in each.filters):
            each.addFilter(QuietOutages())


class QuietOutages(logging.Filter):
    """Drops Radicale's own error lines about a request whose database went away: it logs the
    exception on its logger, the traceback (SQL and parameters included) on the root logger, then a
    CRITICAL "500". The WSGI entry logs the outage in one WARNING line instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.name in ("radicale", "root") and record.levelno >= logging.ERROR
                    and _failure.get() is not None)
