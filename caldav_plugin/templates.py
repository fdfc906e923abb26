"""PROPFIND Depth 1 and REPORTs on a calendar, without Radicale walking every event.

Radicale answers a calendar's listing item by item (paths, rights, XML elements): about 0.15 ms an
event, so a 500-event PROPFIND cost as much on settlecal as on stock Radicale. Every event's answer
has the same shape, and only a few values differ between events: its href, ETag, Last-Modified,
length and text, all in the revision's stored render. So Radicale answers the request with the
calendar's listing cut to its first three events (everything else, rights, errors, the calendar's
own properties and the sync token included, is Radicale's own), the first event's answer becomes a
template, and the template must reproduce Radicale's answers for the second and third before it
writes the others. When anything does not fit (a property whose value varies another way, a filter
Radicale checks itself, a missing href, another encoding, an error), Radicale answers the whole
request as before. A listing of three events or fewer is Radicale's answer as it is.
"""

from __future__ import annotations

import dataclasses
import io
import re
import zlib
from collections.abc import Callable, Mapping
from typing import Any, Final
from xml.sax.saxutils import escape

from radicale import pathutils

from caldav_plugin import collection as collections
from caldav_plugin.http import Answer
from caldav_plugin.shapes import Shapes, Template
from settlecal import hrefs
from settlecal.domain import CalendarKey
from settlecal.formats.ical import RenderedEvent

SAMPLE: Final = 3
_ROOT: Final = re.compile(r"<((?:[\w.-]+:)?)multistatus\b[^>]*>")
_METHODS: Final = frozenset({"PROPFIND", "REPORT"})

Delegate = Callable[[dict[str, Any], str], Answer]


def applies(method: str, path: str, environ: Mapping[str, Any]) -> bool:
    """A listing of a calendar: PROPFIND Depth 1 or a REPORT on its collection."""
    if method not in _METHODS:
        return False
    if method == "PROPFIND" and str(environ.get("HTTP_DEPTH", "0")).strip() != "1":
        return False
    return isinstance(hrefs.parse_path(pathutils.sanitize_path(path)), hrefs.CalendarPath)


def respond(environ: dict[str, Any], method: str, delegate: Delegate, shapes: Shapes | None = None) -> Answer:
    """Radicale's answer over the first events, extended to every event; else Radicale's whole answer.
    With `shapes`, a calendar-query answered so before on any calendar is written without Radicale."""
    raw = _body(environ)
    accepted = environ.pop("HTTP_ACCEPT_ENCODING", None)  # spliced as text, compressed after, as Radicale does
    calendar = _collection(str(environ.get("PATH_INFO") or "/"))
    key = shapes.key(environ, method, raw) if shapes is not None and calendar is not None else None
    if key is not None and shapes is not None and calendar is not None:
        written = shapes.write(key, environ, calendar, _fill)
        if written is not None:
            shape, text = written
            return _encoded(shape.status, list(shape.headers), text, accepted)
    environ["wsgi.input"] = io.BytesIO(raw)
    with collections.sampled(SAMPLE) as sample:
        answer = delegate(environ, method)
    if accepted is not None:
        environ["HTTP_ACCEPT_ENCODING"] = accepted
    events = sample.events
    spliced = None
    if sample.truncated and sample.exact and events is not None and answer.status.startswith("207") \
            and "utf-8" in (answer.header("Content-Type") or "").lower():
        spliced = _spliced(b"".join(answer.body).decode("utf-8"), events, method == "PROPFIND")
    if spliced is None:  # Radicale's own answer: again, whole, unless nothing was left out of this one
        environ["wsgi.input"] = io.BytesIO(raw)
        return delegate(environ, method) if sample.truncated or accepted is not None else answer
    if key is not None and shapes is not None and calendar is not None and sample.window is not None:
        shapes.learn(key, calendar, answer.status, answer.headers, *spliced.parts, sample.window)
    return _encoded(answer.status, answer.headers, spliced.text, accepted)


def _collection(path: str) -> CalendarKey | None:
    """The calendar whose CalDAV collection this is (not its `.ics` alias), or None."""
    target = hrefs.parse_path(pathutils.sanitize_path(path))
    return target.key if isinstance(target, hrefs.CalendarPath) and not target.alias else None


def _encoded(status: str, radicale_headers: list[tuple[str, str]], text: str, accepted: str | None) -> Answer:
    data = text.encode("utf-8")
    encoding: list[tuple[str, str]] = []
    if "gzip" in [coding.strip() for coding in (accepted or "").split(",")]:  # Radicale's test, and its gzip
        compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
        data = compressor.compress(data) + compressor.flush()
        encoding = [("Content-Encoding", "gzip")]
    headers: list[tuple[str, str]] = []
    for name, value in radicale_headers:
        if name.lower() == "content-length":
            headers += [*encoding, ("Content-Length", str(len(data)))]
        else:
            headers.append((name, value))
    return Answer(status, headers, [data])


def _body(environ: Mapping[str, Any]) -> bytes:
    length = str(environ.get("CONTENT_LENGTH") or "0").strip()
    stream = environ.get("wsgi.input")
    if stream is None or not length.isdigit() or int(length) == 0:
        return b""
    return bytes(stream.read(int(length)))


@dataclasses.dataclass(frozen=True, slots=True)
class Spliced:
    text: str
    parts: tuple[str, Template, str]  # head, the verified per-event template, tail


def _spliced(text: str, events: list[RenderedEvent], leading: bool) -> Spliced | None:
    """The whole answer from Radicale's answer over the first events, or None when it does not fit.
    `leading`: the calendar's own response comes first (PROPFIND)."""
    root = _ROOT.search(text)
    if root is None:
        return None
    prefix = root.group(1)
    opening, closing = f"<{prefix}response>", f"</{prefix}response>"
    starts = [match.start() for match in re.finditer(re.escape(opening), text)]
    first = 1 if leading else 0
    if len(starts) != SAMPLE + first:
        return None
    end = text.rfind(closing)
    if end < starts[-1]:
        return None
    end += len(closing)
    head, tail = text[:starts[first]], text[end:]
    answers = [text[a:b] for a, b in zip(starts[first:], [*starts[first + 1:], end])]
    template = _template(answers[0], events[0])
    if template is None:
        return None
    if any(_fill(template, event) != answer for event, answer in zip(events[1:], answers[1:])):
        return None
    return Spliced(head + "".join(_fill(template, event) for event in events) + tail, (head, template, tail))




# What differs between two events' answers, by the element that holds it: the href's last segment,
# ETag, Last-Modified, length and text (as ElementTree escapes it).
_VALUES: Final[tuple[tuple[str, Callable[[RenderedEvent], str]], ...]] = (
    ("href>", lambda event: event.name),
    ("getetag>", lambda event: event.etag),
    ("getlastmodified>", lambda event: event.last_modified),
    ("getcontentlength>", lambda event: str(len(event.text.encode("utf-8")))),
    ("calendar-data>", lambda event: escape(event.text)),
)


def _template(answer: str, event: RenderedEvent) -> Template | None:
    slots: list[tuple[int, int, int]] = []
    for index, (element, value_of) in enumerate(_VALUES):
        value = value_of(event)
        found = []
        position = answer.find(element)
        while position >= 0:  # each element holding exactly this value (the href: ending with it)
            start = position + len(element)
            stop = answer.find("<", start)
            if stop >= 0 and (answer[start:stop] == value or (index == 0 and answer[start:stop].endswith(value))):
                found.append(stop - len(value))
            position = answer.find(element, start)
        if len(found) > 1 or (index == 0 and not found):
            return None
        slots += [(start, start + len(value), index) for start in found]
    template: Template = []
    position = 0
    for start, stop, index in sorted(slots):
        template += [answer[position:start], index]
        position = stop
    template.append(answer[position:])
    return template


def _fill(template: Template, event: RenderedEvent) -> str:
    return "".join(_VALUES[part][1](event) if isinstance(part, int) else part for part in template)
