"""Every write is refused with 403 and an explanation, for anyone, and changes nothing at all."""

from __future__ import annotations

import base64
import hashlib
import pathlib

import pytest
from sqlalchemy import Engine, MetaData, select

from caldav_plugin.errors import ReadOnly
from caldav_plugin.storage import Storage
from caldav_plugin.wsgi import load_configuration
from tests.protocol.client import Client
from tests.protocol.test_subscriber import CALENDAR

EVENT = f"{CALENDAR}2026-03-4-billing.ics"
NEW_EVENT = f"{CALENDAR}new.ics"
ICS = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:x\r\n"
       "DTSTAMP:20260101T000000Z\r\nDTSTART;VALUE=DATE:20260101\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
PROPPATCH = ('<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set><D:prop>'
             "<D:displayname>mine</D:displayname></D:prop></D:set></D:propertyupdate>")
WRITES = [
    ("PUT", NEW_EVENT, {"Content-Type": "text/calendar"}, ICS),
    ("PUT", EVENT, {"Content-Type": "text/calendar", "If-Match": "*"}, ICS),
    ("DELETE", EVENT, {}, ""),
    ("DELETE", CALENDAR, {}, ""),
    ("DELETE", "/bsp/", {}, ""),
    ("MKCOL", "/bsp/new/", {}, ""),
    ("MKCALENDAR", "/bsp/xx-eur-monthly/", {}, ""),
    ("PROPPATCH", CALENDAR, {"Content-Type": "application/xml"}, PROPPATCH),
    ("MOVE", EVENT, {"Destination": f"http://127.0.0.1:5232{NEW_EVENT}"}, ""),
    ("COPY", EVENT, {"Destination": f"http://127.0.0.1:5232{NEW_EVENT}"}, ""),
    ("LOCK", EVENT, {}, ""),
    ("POST", CALENDAR, {"Content-Type": "text/calendar"}, ICS),
    ("POST", "/", {}, ""),
]
LOGINS = {"anonymous": {}, "bsp": {"Authorization": "Basic " + base64.b64encode(b"bsp:x").decode()}}


def database_fingerprint(engine: Engine, url: str) -> str:
    """Every row of every table; for SQLite also the bytes of the database files."""
    digest = hashlib.sha256()
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns or table.columns))
            digest.update(repr((table.name, rows.all())).encode())
    if url.startswith("sqlite"):
        path = pathlib.Path(url.removeprefix("sqlite:///"))
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                digest.update(file.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize("login", list(LOGINS))
def test_every_write_method_is_refused(dav: Client, loaded: Engine, database_url: str, login: str) -> None:
    before = database_fingerprint(loaded, database_url)
    for method, path, headers, body in WRITES:
        answer = dav.request(method, path, headers={**headers, **LOGINS[login]}, body=body)
        assert answer.status == 403, (method, path)
        assert "read-only" in answer.text, (method, path)
        assert "www-authenticate" not in answer.headers
    assert database_fingerprint(loaded, database_url) == before
    assert dav.request("GET", EVENT).status == 200
    assert dav.request("GET", NEW_EVENT).status == 404


def test_web_page_posts_are_not_refused_as_writes(dav: Client) -> None:
    assert dav.request("POST", "/.web/").status != 403


def test_options_offers_only_reads(dav: Client) -> None:
    allow = {m.strip() for m in dav.request("OPTIONS", CALENDAR).headers["allow"].split(",")}
    assert {"GET", "HEAD", "PROPFIND", "REPORT"} <= allow
    assert not {"PUT", "DELETE", "MKCOL", "MKCALENDAR", "PROPPATCH", "MOVE", "COPY", "POST"} & allow


def test_storage_refuses_writes_itself(loaded: Engine, database_url: str) -> None:
    storage = Storage(load_configuration(database_url=database_url))
    collection = next(iter(storage.discover(CALENDAR)))
    with pytest.raises(ReadOnly, match=r"\[Errno 13\]"):
        collection.delete("2026-03-4-billing.ics")
    with pytest.raises(ReadOnly):
        collection.set_meta({"D:displayname": "x"})
    with pytest.raises(ReadOnly):
        storage.create_collection("/bsp/new/")
