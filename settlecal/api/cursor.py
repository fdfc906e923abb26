"""Opaque page cursors: where the last page ended, for which query, and at which revision.

A cursor is base64url (no padding) of a short JSON array: `[version, query digest, revision, position]`.
Clients must not build or read them, but nothing in one is secret: a forged cursor can only start a
page somewhere in data the client may read anyway. Decoding is strict and bounded (length first, then
shape, then each value's type), so whatever a stranger sends costs microseconds and gets a 400.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from settlecal.api.errors import CursorInvalid
from settlecal.db.models import MAX_ID

VERSION: Final = 1
MAX_LENGTH: Final = 512
_ALPHABET: Final = re.compile(r"[A-Za-z0-9_-]+")
_MAX_TEXT: Final = 200  # longer than any code or key a position holds

# Reads one value of a position back, raising ValueError (or TypeError) when it is not one.
Reader = Callable[[Any], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Cursor:
    query: str  # digest of the query it pages through (see `query_digest`)
    revision: int  # what the pages were read at; 0 where no revision check applies
    position: tuple[Any, ...]  # the sort key of the last item served


def query_digest(endpoint: str, canonical_query: str) -> str:
    return hashlib.sha256(f"{endpoint}?{canonical_query}".encode()).hexdigest()[:16]


def encode(cursor: Cursor) -> str:
    position = [value.isoformat() if isinstance(value, datetime.date) else value for value in cursor.position]
    raw = json.dumps([VERSION, cursor.query, cursor.revision, position], separators=(",", ":"), ensure_ascii=True)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(text: str, *, query: str, shape: Sequence[Reader]) -> Cursor:
    """The cursor `text` stands for, if it was made for `query` and its position has `shape`."""
    if len(text) > MAX_LENGTH or not _ALPHABET.fullmatch(text):
        raise CursorInvalid(text, "not a cursor this API handed out")
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        version, digest, revision, position = json.loads(raw.decode("ascii"))
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError):
        raise CursorInvalid(text, "not a cursor this API handed out") from None
    if version != VERSION or not isinstance(digest, str) or not isinstance(position, list):
        raise CursorInvalid(text, "not a cursor this API handed out")
    if digest != query:
        raise CursorInvalid(text, "made for another query: pass the same parameters as for the first page")
    if len(position) != len(shape):
        raise CursorInvalid(text, "not a cursor this API handed out")
    try:
        values = tuple(read(value) for read, value in zip(shape, position))
        return Cursor(digest, whole(revision), values)
    except (ValueError, TypeError):
        raise CursorInvalid(text, "not a cursor this API handed out") from None


def whole(value: Any) -> int:
    """A non-negative integer that fits a database key (no bool, no float)."""
    if type(value) is not int or not 0 <= value <= MAX_ID:
        raise ValueError(value)
    return value


def text(value: Any) -> str:
    # PostgreSQL refuses NUL characters and lone surrogates in a parameter: refused here instead.
    if not isinstance(value, str) or len(value) > _MAX_TEXT or "\x00" in value:
        raise ValueError(value)
    value.encode("utf-8")
    return value


def day(value: Any) -> datetime.date:
    if not isinstance(value, str) or len(value) != 10:
        raise ValueError(value)
    return datetime.date.fromisoformat(value)
