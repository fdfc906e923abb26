"""The request() helper of the protocol tests: in-process over WSGI, or over a socket (tests/live).

Both return the same Response, so one test body runs on either; XML helpers read multistatus answers.
"""

from __future__ import annotations

import dataclasses
import io
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Protocol

import requests

NS = {"D": "DAV:", "C": "urn:ietf:params:xml:ns:caldav", "CS": "http://calendarserver.org/ns/",
      "ICAL": "http://apple.com/ns/ical/"}


@dataclasses.dataclass(frozen=True)
class Response:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def xml(self) -> ET.Element:
        return ET.fromstring(self.body)

    def responses(self) -> dict[str, ET.Element]:
        """A multistatus answer's <response> elements by href."""
        return {r.findtext("D:href", namespaces=NS) or "": r for r in self.xml().findall("D:response", NS)}


class Client(Protocol):
    def request(self, method: str, path: str, *, headers: Mapping[str, str] | None = None,
                body: bytes | str = b"") -> Response: ...


class WsgiClient:
    """Calls the WSGI application in-process, as a server would."""

    def __init__(self, application: Callable[..., Iterable[bytes]]) -> None:
        self.application = application

    def request(self, method: str, path: str, *, headers: Mapping[str, str] | None = None,
                body: bytes | str = b"") -> Response:
        data = body.encode() if isinstance(body, str) else body
        path, _, query = path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method, "PATH_INFO": path, "SCRIPT_NAME": "", "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "5232", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(data),
            "wsgi.errors": sys.stderr, "CONTENT_LENGTH": str(len(data)),
        }
        for name, value in (headers or {}).items():
            key = name.upper().replace("-", "_")
            environ[key if key == "CONTENT_TYPE" else f"HTTP_{key}"] = value
        captured: dict[str, Any] = {}

        def start_response(status: str, response_headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, response_headers
            return lambda _: None

        chunks = b"".join(self.application(environ, start_response))
        if method == "HEAD":
            chunks = b""  # a server sends no body for HEAD
        status = int(captured["status"].split()[0])
        return Response(status, {k.lower(): v for k, v in captured["headers"]}, chunks)


class HttpClient:
    """Real HTTP over a socket; no automatic decompression surprises: bodies are as sent."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()

    def request(self, method: str, path: str, *, headers: Mapping[str, str] | None = None,
                body: bytes | str = b"") -> Response:
        sent = {"Accept-Encoding": "identity", **(headers or {})}
        answer = self.session.request(method, self.base_url + path, headers=sent, data=body or None,
                                      timeout=30, stream=True)
        raw = answer.raw.read(decode_content=False)
        return Response(answer.status_code, {k.lower(): v for k, v in answer.headers.items()}, raw)


def propfind(*props: str) -> str:
    inner = "".join(f"<{p}/>" for p in props)
    return (f'<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:C="{NS["C"]}" xmlns:CS="{NS["CS"]}" '
            f'xmlns:ICAL="{NS["ICAL"]}"><D:prop>{inner}</D:prop></D:propfind>')


def calendar_query(start: str | None, end: str | None) -> str:
    bounds = "".join(f' {name}="{value}"' for name, value in (("start", start), ("end", end)) if value)
    return (f'<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="{NS["C"]}">'
            '<D:prop><D:getetag/><C:calendar-data/></D:prop>'
            '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            f'<C:time-range{bounds}/></C:comp-filter></C:comp-filter></C:filter></C:calendar-query>')


def sync_collection(token: str = "") -> str:
    return (f'<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>'
            '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>')


def multiget(*hrefs: str) -> str:
    links = "".join(f"<D:href>{href}</D:href>" for href in hrefs)
    return (f'<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="{NS["C"]}">'
            f'<D:prop><D:getetag/><C:calendar-data/></D:prop>{links}</C:calendar-multiget>')
