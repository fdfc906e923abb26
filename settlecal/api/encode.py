"""Answers as JSON bytes: fields in their class's order, dates ISO 8601, times in UTC to the second.

The same value always gives the same bytes, so an answer's bytes change only when the data does.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
from typing import Any


def plain(value: Any) -> Any:
    """The JSON-ready form of an answer value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [plain(item) for item in value]
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime.datetime):
        return utc_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def utc_text(moment: datetime.datetime) -> str:
    """`2026-03-10T09:15:02Z`; a time without a zone is taken as UTC (SQLite stores it so)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(datetime.timezone.utc)
    return moment.replace(tzinfo=None, microsecond=0).isoformat() + "Z"


def to_json(value: Any) -> bytes:
    """The answer as UTF-8 JSON, one line and a newline."""
    return (json.dumps(plain(value), ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
