"""The same calendars in the two forms the server benchmark compares settlecal with, copied over HTTP
from a running settlecal server (so nothing here depends on how settlecal renders):

- a stock Radicale multifilesystem folder holding, item for item, the events settlecal serves
  (each calendar's items as its time-range-free calendar-query REPORT returns them), and
- a static folder of each calendar's `.ics` bytes as settlecal serves them, for nginx.
"""

from __future__ import annotations

import base64
import dataclasses
import http.client
import json
import pathlib
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Final

DAV: Final = "{DAV:}"
CALDAV: Final = "{urn:ietf:params:xml:ns:caldav}"
PRINCIPALS: Final = ("bsp", "cass", "cass-import")
DISCOVERY: Final = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/>'
                    "<D:displayname/></D:prop></D:propfind>")
EVERY_EVENT: Final = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                      '<D:prop><C:calendar-data/></D:prop><C:filter><C:comp-filter name="VCALENDAR">'
                      '<C:comp-filter name="VEVENT"/></C:comp-filter></C:filter></C:calendar-query>')


@dataclasses.dataclass(frozen=True, slots=True)
class Calendar:
    path: str  # "/bsp/es-eur-monthly/"
    name: str  # its display name

    @property
    def ics(self) -> str:
        return self.path.rstrip("/") + ".ics"


class Connection:
    """One keep-alive HTTP/1.1 connection to a loopback server."""

    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        assert parsed.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
        self._connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=600)

    def request(self, method: str, path: str, body: str = "", headers: dict[str, str] | None = None,
                ) -> tuple[int, dict[str, str], bytes]:
        sent = {"Accept-Encoding": "identity", **(headers or {})}
        if body:
            sent.setdefault("Content-Type", "application/xml; charset=utf-8")
        self._connection.request(method, path, body=body.encode() or None, headers=sent)
        response = self._connection.getresponse()
        data = response.read()
        if response.will_close:
            self._connection.close()  # reopened by the next request
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data

    def close(self) -> None:
        self._connection.close()


def calendars(base_url: str) -> list[Calendar]:
    """Every calendar the server lists under its principals, in listing order."""
    connection = Connection(base_url)
    found = []
    try:
        for principal in PRINCIPALS:
            status, _, body = connection.request("PROPFIND", f"/{principal}/", DISCOVERY,
                                                 {"Depth": "1", "Authorization": _basic(principal)})
            if status in (403, 404):  # a system without calendars (the shipped rights list bsp and cass)
                continue
            assert status == 207, (principal, status)
            for response in ET.fromstring(body).iter(f"{DAV}response"):
                href = response.findtext(f"{DAV}href") or ""
                if response.find(f".//{DAV}resourcetype/{CALDAV}calendar") is not None:
                    found.append(Calendar(urllib.parse.unquote(href),
                                          response.findtext(f".//{DAV}displayname") or href))
    finally:
        connection.close()
    return found


def _basic(user: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:x".encode()).decode()


def events(connection: Connection, calendar: Calendar) -> Iterator[tuple[str, str]]:
    """(file name, iCalendar text) of each event of `calendar`, as the server's REPORT gives them."""
    status, _, body = connection.request("REPORT", calendar.path, EVERY_EVENT, {"Depth": "1"})
    assert status == 207, (calendar.path, status)
    for response in ET.fromstring(body).iter(f"{DAV}response"):
        href = response.findtext(f"{DAV}href") or ""
        text = response.findtext(f".//{CALDAV}calendar-data")
        if text is not None:
            yield urllib.parse.unquote(href).rsplit("/", 1)[-1], text


def write_radicale(base_url: str, listing: list[Calendar], folder: pathlib.Path) -> int:
    """Radicale's multifilesystem tree of every calendar under `folder`; returns the number of items."""
    connection = Connection(base_url)
    items = 0
    try:
        for calendar in listing:
            collection = folder / "collection-root" / calendar.path.strip("/")
            collection.mkdir(parents=True)
            props = {"tag": "VCALENDAR", "D:displayname": calendar.name,
                     "C:supported-calendar-component-set": "VEVENT"}
            (collection / ".Radicale.props").write_text(json.dumps(props), encoding="utf-8")
            for name, text in events(connection, calendar):
                (collection / name).write_text(text, encoding="utf-8", newline="")
                items += 1
    finally:
        connection.close()
    return items


def write_static(base_url: str, listing: list[Calendar], root: pathlib.Path) -> dict[str, int]:
    """Each calendar's `.ics` download, byte for byte, at the same path under `root`; sizes by path."""
    connection = Connection(base_url)
    sizes = {}
    try:
        for calendar in listing:
            status, _, body = connection.request("GET", calendar.ics)
            assert status == 200, (calendar.ics, status)
            target = root / calendar.ics.lstrip("/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(body)
            sizes[calendar.path] = len(body)
    finally:
        connection.close()
    return sizes
