"""Calendar-query answers learned on one calendar, written for every other without Radicale.

A calendar-query REPORT's answer (templates.py) is a head, one response per matching event, and a
tail; the per-event template differs between two calendars only by the calendar's path in each
href. So once templates.py has checked a template against Radicale's own answer, it is kept here
under the request that produced it (method, body, and every header Radicale reads), with the
calendar's path as one more slot and the time range the request selects by. The same request on
any calendar is then answered from that calendar's stored render alone: its events in the range,
through the template. Clients send the same few queries to every calendar they follow (DAVx⁵,
Thunderbird: one per day and window), so Radicale walks each shape once, not once per calendar.

Written only when it is certain to be Radicale's answer: the request is one Radicale answered with a
verified template, the user needs no password check and may read the calendar, and at least one
event matches (with none, ElementTree declares fewer namespaces on the root).
"""

from __future__ import annotations

import collections
import dataclasses
import threading
import urllib.parse
from collections.abc import Callable, Mapping
from typing import Any, Final

from caldav_plugin.collection import CalendarCollection
from settlecal.domain import CalendarKey

Template = list[str | int]
COLLECTION: Final = -1  # the template slot of the calendar's path (quoted, as in Radicale's hrefs)
LIMIT: Final = 128  # shapes kept: each a few kilobytes
MAX_BODY: Final = 16 * 1024  # longer request bodies are not kept as keys
# What Radicale reads of a REPORT besides its body and path (Accept-Encoding is handled after).
_HEADERS: Final = ("HTTP_DEPTH", "HTTP_PREFER", "CONTENT_TYPE", "SCRIPT_NAME", "HTTP_X_SCRIPT_NAME",
                   "HTTP_AUTHORIZATION", "HTTP_X_REMOTE_USER")

Key = tuple[str | bytes | None, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Shape:
    status: str
    headers: tuple[tuple[str, str], ...]  # Radicale's (templates.py sets the Content-Length)
    head: str
    template: Template
    tail: str
    window: tuple[int, int]  # the time range the query selects events by, POSIX seconds


class Shapes:
    """The shapes learned in this process, most recently used first, at most LIMIT."""

    def __init__(self, calendar: Callable[[CalendarKey], CalendarCollection | None],
                 readable: Callable[[Mapping[str, Any], str], bool]) -> None:
        self._calendar = calendar
        self._readable = readable
        self._shapes: collections.OrderedDict[Key, Shape] = collections.OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(environ: Mapping[str, Any], method: str, raw: bytes) -> Key | None:
        if method != "REPORT" or len(raw) > MAX_BODY or b"calendar-query" not in raw:
            return None
        return (raw, *(environ.get(name) for name in _HEADERS))

    def learn(self, key: Key, calendar: CalendarKey, status: str, headers: list[tuple[str, str]], head: str,
              template: Template, tail: str, window: tuple[int, int]) -> None:
        """Keeps the template templates.py verified, when the calendar's path can be made a slot."""
        quoted = _quoted(calendar)
        general = _general(template, quoted)
        if general is None or quoted in head or quoted in tail:
            return
        with self._lock:
            self._shapes[key] = Shape(status, tuple(headers), head, general, tail, window)
            self._shapes.move_to_end(key)
            while len(self._shapes) > LIMIT:
                self._shapes.popitem(last=False)

    def write(self, key: Key, environ: Mapping[str, Any], calendar: CalendarKey,
              fill: Callable[[Template, Any], str]) -> tuple[Shape, str] | None:
        """The answer's text from a learned shape, or None when there is none or it may not apply."""
        with self._lock:
            shape = self._shapes.get(key)
        if shape is None or not self._readable(environ, f"/{calendar.path}/"):
            return None
        collection = self._calendar(calendar)
        if collection is None:
            return None
        events = collection.render().overlapping(*shape.window)
        if not events:
            return None
        quoted = _quoted(calendar)
        parts = [part if part != COLLECTION else quoted for part in shape.template]
        return shape, shape.head + "".join(fill(parts, event) for event in events) + shape.tail


def _quoted(calendar: CalendarKey) -> str:
    """The calendar's path as Radicale writes it in hrefs (without the base prefix)."""
    return urllib.parse.quote(f"/{calendar.path}/")


def _general(template: Template, quoted: str) -> Template | None:
    """The template with the calendar's path before each href a slot; None when the path appears
    anywhere else (then the answer is particular to this calendar)."""
    general: Template = []
    for position, part in enumerate(template):
        following = template[position + 1] if position + 1 < len(template) else None
        if isinstance(part, str) and following == 0:  # the text before an event's name in its href
            if not part.endswith(quoted):
                return None
            part = part[:-len(quoted)]
            general += [part, COLLECTION]
            if quoted in part:
                return None
            continue
        if isinstance(part, str) and quoted in part:
            return None
        general.append(part)
    return general
