"""Hostile requests are refused with a 4xx before anything reads them: bodies over
`[server] max_content_length` (413, read from the header, before the body), malformed lengths,
credentials and charsets (400/415), and XML bodies with a DTD or entities, too deep, or broken (400).
Radicale's own parser (defusedxml) refuses entities too, but answers that with a 500.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import datetime
import io
import re
import xml.parsers.expat
from collections.abc import Mapping
from typing import Any, Final

from radicale import config as radicale_config
from radicale import httputils

from caldav_plugin.edge.answers import text_answer
from caldav_plugin.edge.settings import EdgeSettings
from caldav_plugin.http import Answer

# CalDAV filters nest six or seven elements deep; Radicale recurses per level.
XML_MAX_DEPTH: Final = 64
MAX_PATH: Final = 4096
XML_METHODS: Final = frozenset({"PROPFIND", "REPORT"})
# The widest range a free-busy query or an `expand` may cover. Key dates never recur, so a wider one
# finds nothing more, but Radicale's work grows with it (it walks the range for recurrences).
MAX_RANGE_DAYS: Final = 3 * 366 + 1
_UTC: Final = re.compile(r"^(\d{8})T(\d{6})Z$")
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")


class Refused(Exception):
    """A request refused at the edge; carries its answer."""

    def __init__(self, status: str, text: str) -> None:
        super().__init__(status, text)
        self.status = status
        self.text = text


def screen(environ: dict[str, Any], method: str, settings: EdgeSettings,
           configuration: radicale_config.Configuration) -> Answer | None:
    """A 4xx answer for a request nobody should process, else None (the request goes on).

    An XML body is read here, checked and put back as `wsgi.input`, so Radicale reads the same bytes.
    """
    try:
        _check_path(environ)
        _check_depth(environ)
        length = _content_length(environ, settings)
        _check_authorization(environ)
        _check_charset(environ)
        if length and method in XML_METHODS:
            _check_xml(environ, method, length, configuration)
    except Refused as refused:
        return text_answer(refused.status, refused.text, method)
    return None


def _check_path(environ: Mapping[str, Any]) -> None:
    path = environ.get("PATH_INFO") or "/"
    if len(path) > MAX_PATH:
        raise Refused("414 URI Too Long", "414 URI Too Long: the path is too long.\n")
    if _CONTROL.search(path):
        raise Refused("400 Bad Request", "400 Bad Request: control characters in the path.\n")


def _check_depth(environ: Mapping[str, Any]) -> None:
    depth = environ.get("HTTP_DEPTH")
    # RFC 4918 §10.2: 0, 1 or infinity; Apple's clients add ",noroot" to 1.
    if depth is not None and str(depth).split(",")[0].strip().lower() not in ("0", "1", "infinity"):
        raise Refused("400 Bad Request", "400 Bad Request: Depth must be 0, 1 or infinity.\n")


def _content_length(environ: Mapping[str, Any], settings: EdgeSettings) -> int:
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or not raw.isascii():
        raise Refused("400 Bad Request", "400 Bad Request: Content-Length is not a number.\n")
    length = int(raw)
    if length > settings.max_body:
        raise Refused("413 Content Too Large",
                      f"413 Content Too Large: request bodies are limited to {settings.max_body} bytes.\n")
    return length


def _check_authorization(environ: Mapping[str, Any]) -> None:
    header = environ.get("HTTP_AUTHORIZATION")
    if not header:
        return
    scheme, _, credentials = str(header).strip().partition(" ")
    if scheme.lower() != "basic":
        return  # Radicale ignores other schemes
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if ":" not in decoded:
        raise Refused("400 Bad Request", "400 Bad Request: malformed Basic credentials.\n")


def _check_charset(environ: Mapping[str, Any]) -> None:
    content_type = str(environ.get("CONTENT_TYPE") or "")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            try:
                codecs.lookup(value.strip().strip('"'))
            except LookupError:
                raise Refused("415 Unsupported Media Type",
                              "415 Unsupported Media Type: unknown charset.\n") from None


def _check_xml(environ: dict[str, Any], method: str, length: int,
               configuration: radicale_config.Configuration) -> None:
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    if len(raw) < length:
        raise Refused("400 Bad Request", "400 Bad Request: the body is shorter than its Content-Length.\n")
    try:
        text = httputils.decode_request(configuration, environ, raw)
    except (UnicodeDecodeError, LookupError):
        raise Refused("400 Bad Request", "400 Bad Request: the body is not text in its charset.\n") from None
    shape = _XmlShape(method)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = shape.start
    parser.EndElementHandler = shape.end
    parser.CharacterDataHandler = shape.text
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError:
        raise Refused("400 Bad Request", "400 Bad Request: the body is not well-formed XML.\n") from None
    shape.finish()


def _no_dtd(*args: Any) -> None:
    raise Refused("400 Bad Request", "400 Bad Request: DTDs and entities are not accepted.\n")


def _check_range(what: str, attributes: Mapping[str, str]) -> None:
    """Refuses a range without both ends, with a malformed end, or wider than MAX_RANGE_DAYS."""
    ends = []
    for name in ("start", "end"):
        value = attributes.get(name)
        matched = _UTC.match(value or "")
        try:
            ends.append(datetime.datetime.strptime("".join(matched.groups()), "%Y%m%d%H%M%S") if matched else None)
        except ValueError:
            ends.append(None)
        if ends[-1] is None:
            raise Refused("400 Bad Request", f"400 Bad Request: the {what} needs a {name} in UTC "
                                             "(e.g. 20260101T000000Z).\n")
    start, end = ends
    assert start is not None and end is not None
    if end <= start:
        raise Refused("400 Bad Request", f"400 Bad Request: the {what}'s end is not after its start.\n")
    if end - start > datetime.timedelta(days=MAX_RANGE_DAYS):
        raise Refused("400 Bad Request",
                      f"400 Bad Request: the {what} spans more than {MAX_RANGE_DAYS} days; ask for less.\n")


class _XmlShape:
    """Follows the elements as expat reads them; refuses what is too deep or what Radicale 3.9 would
    answer with a 500: a PROPFIND without a child element, an empty <href>, a free-busy query
    without a time range."""

    HREF: Final = "DAV: href"
    FREE_BUSY: Final = "urn:ietf:params:xml:ns:caldav free-busy-query"
    TIME_RANGE: Final = "urn:ietf:params:xml:ns:caldav time-range"
    EXPAND: Final = "urn:ietf:params:xml:ns:caldav expand"

    def __init__(self, method: str) -> None:
        self.method = method
        self.depth = 0
        self.root = ""
        self.root_children = 0
        self.time_range = False
        self.href: list[str] | None = None

    def start(self, name: str, attributes: Any) -> None:
        self.depth += 1
        if self.depth > XML_MAX_DEPTH:
            raise Refused("400 Bad Request", f"400 Bad Request: XML nested deeper than {XML_MAX_DEPTH} levels.\n")
        if self.depth == 1:
            self.root = name
        elif self.depth == 2:
            self.root_children += 1
        if name == self.TIME_RANGE:
            self.time_range = True
            if self.root == self.FREE_BUSY:
                _check_range("free-busy query", attributes)
        if name == self.EXPAND:
            _check_range("expand", attributes)
        if name == self.HREF:
            self.href = []

    def text(self, data: str) -> None:
        if self.href is not None:
            self.href.append(data)

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == self.HREF:
            if not "".join(self.href or ()).strip():
                raise Refused("400 Bad Request", "400 Bad Request: an empty <href>.\n")
            self.href = None

    def finish(self) -> None:
        if self.method == "PROPFIND" and not self.root_children:
            raise Refused("400 Bad Request", "400 Bad Request: a PROPFIND body names no properties.\n")
        if self.root == self.FREE_BUSY and not self.time_range:
            raise Refused("400 Bad Request", "400 Bad Request: a free-busy query needs a time range.\n")
