"""A server process's logging: one stream, one format.

Every line on standard error is one JSON object (`[logging] format = json`): access records with their
fields, everything else (Radicale's lines, settlecal's, gunicorn's through config/gunicorn.conf.py) as
`time, level, logger, message`. `text` gives plain lines for a terminal. The access log can go to a
file of its own instead (`[logging] access_log = PATH`), reopened when logrotate moves it, or `off`.
Radicale's own logging set-up is not used: it would add a second, free-text handler.
"""

from __future__ import annotations

import datetime
import json
import logging
import logging.handlers
import sys
from typing import Final

from caldav_plugin.edge.access_log import ACCESS_LOGGER, access_logger
from settlecal.config import ConfigInvalid, Settings

# Names the handlers this module adds, so configuring twice (two apps in one process) adds none.
_HANDLER: Final = "settlecal-log"
_ACCESS_HANDLER: Final = "settlecal-access"


class JsonLines(logging.Formatter):
    """One JSON object a line; no traceback (a bug's details are in the DEBUG line that follows it)."""

    def format(self, record: logging.LogRecord) -> str:
        access = getattr(record, "access", None)
        if isinstance(access, dict):
            return json.dumps({"level": record.levelname, "logger": record.name, **access}, ensure_ascii=True)
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname, "logger": record.name, "message": record.getMessage(), "pid": record.process,
        }
        if record.exc_info and record.levelno <= logging.DEBUG:
            line["traceback"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=True)


def formatter(name: str) -> logging.Formatter:
    if name == "text":
        return logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return JsonLines()


def configure(settings: Settings) -> None:
    """Sets the process's logging up once, from the settings."""
    root = logging.getLogger()
    level = settings.log_level.upper()
    if not any(handler.get_name() == _HANDLER for handler in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(formatter(settings.log_format))
        handler.set_name(_HANDLER)
        root.addHandler(handler)
    root.setLevel(level)
    logging.getLogger("radicale").setLevel(level)
    logging.getLogger("settlecal").setLevel(level)
    # The schema check at start and in /.web/health would log Alembic's two INFO lines each time.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    _configure_access(settings.access_log)


def _configure_access(where: str) -> None:
    for handler in [h for h in access_logger.handlers if h.get_name() == _ACCESS_HANDLER]:
        access_logger.removeHandler(handler)
        handler.close()
    if where.lower() in ("off", "0", "no", "false", "none"):
        access_logger.setLevel(logging.WARNING)
        access_logger.propagate = False
        return
    access_logger.setLevel(logging.INFO)
    if where in ("", "-", "stderr", "on"):
        access_logger.propagate = True  # the process's one stream
        return
    # WatchedFileHandler reopens the file when logrotate has moved it: no copytruncate, no signal.
    try:
        handler = logging.handlers.WatchedFileHandler(where, encoding="utf-8")
    except OSError as error:
        raise ConfigInvalid("[logging] access_log", f"cannot write {where!r}: {error.strerror}") from error
    handler.setFormatter(JsonLines())
    handler.set_name(_ACCESS_HANDLER)
    access_logger.addHandler(handler)
    access_logger.propagate = False


__all__ = ["ACCESS_LOGGER", "JsonLines", "configure", "formatter"]
