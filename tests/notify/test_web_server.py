"""The notification pages and the feed through the whole server: the WSGI entry, Radicale and the
web plugin's router, in-process and over a real socket (waitress on a free loopback port)."""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
import requests
from sqlalchemy import Engine

from caldav_plugin.serve import serving
from caldav_plugin.wsgi import make_application
from settlecal.notify import subscriptions as subscribers_lib
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import SAMPLES
from tests.notify.conftest import SmtpServer
from tests.protocol.client import WsgiClient
from tests.notify.conftest import SIGNUP_HEADERS, signup_body

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
pytestmark = pytest.mark.usefixtures("confirmations_finish")


@pytest.fixture
def amended(loaded: Engine) -> Engine:
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")
    return loaded


@pytest.fixture
def server(amended: Engine, database_url: str) -> Iterator[str]:
    with serving(make_application(database_url=database_url), threads=2) as url:
        yield url


def test_the_router_serves_the_feed_and_the_subscription_pages(amended: Engine, database_url: str,
                                                               smtp: SmtpServer) -> None:
    client = WsgiClient(make_application(database_url=database_url))

    atom = client.request("GET", "/.web/changes.atom?system=CASS&country=ES")
    form = client.request("GET", "/.web/subscriptions?system=CASS&country=ES&lang=es")
    posted = client.request("POST", "/.web/subscriptions", headers=SIGNUP_HEADERS,
                            body=signup_body("system=CASS&country=ES&lang=es&email=lucia%40example.com"))
    refused = client.request("POST", "/.web/", headers=FORM, body="x=1")

    assert atom.status == 200 and atom.headers["content-type"].startswith("application/atom+xml")
    assert ET.fromstring(atom.body).tag == "{http://www.w3.org/2005/Atom}feed"
    assert form.status == 200 and 'name="system" value="CASS"' in form.text
    assert posted.status == 200 and "Revise su correo" in posted.text
    assert refused.status == 405
    [confirmation] = smtp.mailbox.wait_for(1)
    assert confirmation["To"] == "lucia@example.com"


def test_one_click_unsubscribe_over_http(server: str, amended: Engine) -> None:
    row = subscribers_lib.add(amended, subscribers_lib.Subscription("ana@example.com", lang="es"))
    url = f"{server}/.web/subscriptions/unsubscribe?token={row.token}"

    shown = requests.get(url, timeout=10)
    # What a mail client does for List-Unsubscribe-Post (RFC 8058 §3.1).
    clicked = requests.post(url, data={"List-Unsubscribe": "One-Click"}, timeout=10)

    assert shown.status_code == 200 and "ana@example.com" in shown.text
    assert clicked.status_code == 200 and "Baja confirmada" in clicked.text
    assert subscribers_lib.listed(amended) == []


def test_the_feed_over_http_answers_304_to_its_etag(server: str) -> None:
    first = requests.get(f"{server}/.web/changes.atom?country=ES&kind=remittance", timeout=10)
    again = requests.get(f"{server}/.web/changes.atom?country=ES&kind=remittance", timeout=10,
                         headers={"If-None-Match": first.headers["ETag"]})

    assert first.status_code == 200
    entries = ET.fromstring(first.content).findall("{http://www.w3.org/2005/Atom}entry")
    assert "2026-12-09 (Wed)" in (entries[0].findtext("{http://www.w3.org/2005/Atom}content") or "")
    assert again.status_code == 304
    assert re.fullmatch(r'"r2-[0-9a-f]{32}"', first.headers["ETag"])  # names revision 2 (caldav_plugin/etags.py)
    assert urllib.parse.urlsplit(first.url).path == "/.web/changes.atom"


def test_a_forged_host_header_never_reaches_a_confirmation_email(
    amended: Engine, database_url: str, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SETTLECAL_PUBLIC_URL")  # nothing configured: the default, not the request, decides
    client = WsgiClient(make_application(database_url=database_url))

    posted = client.request("POST", "/.web/subscriptions", body=signup_body("country=ES&email=ana%40example.com"),
                            headers={**SIGNUP_HEADERS, "Host": "phishing.example"})

    assert posted.status == 200
    [confirmation] = smtp.mailbox.wait_for(1)
    text = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "phishing.example" not in text
    assert "http://127.0.0.1:5232/.web/subscriptions/confirm?token=" in text
