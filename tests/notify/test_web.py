"""The web parts of notifications, at the WSGI-handler level: subscribing with double opt-in,
one-click unsubscribe (RFC 8058), and the Atom feed of changes."""

from __future__ import annotations

import io
import re
import urllib.parse
import wsgiref.util
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from sqlalchemy import Engine

from caldav_plugin.web import atom, subscriptions
from settlecal.notify import subscriptions as subscribers_lib
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import SAMPLES
from tests.notify.conftest import CSRF, PUBLIC_URL, SmtpServer, signup_body

ATOM = "{http://www.w3.org/2005/Atom}"
pytestmark = pytest.mark.usefixtures("confirmations_finish")


def environ(method: str, path: str, query: str = "", body: str = "", **headers: str) -> dict[str, Any]:
    env: dict[str, Any] = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": query}
    wsgiref.util.setup_testing_defaults(env)
    data = body.encode()
    env["wsgi.input"] = io.BytesIO(data)
    env["CONTENT_LENGTH"] = str(len(data))
    env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    env.update({f"HTTP_{name.upper()}": value for name, value in headers.items()})
    return env


def page(engine: Engine, method: str, path: str, query: str = "", body: str = "") -> tuple[int, str]:
    """The handler's answer; a POST of the sign-up form carries the CSRF token of the form's cookie."""
    headers = {}
    if method == "POST" and path == "/.web/subscriptions":
        body, headers = signup_body(body), {"Cookie": f"settlecal_csrf={CSRF}"}
    status, headers, content, _ = subscriptions.handle(environ(method, path, query, body, **headers), path,
                                                       engine, origin="http://ignored.example")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    return status, content.decode()


def feed(engine: Engine, query: str = "", **headers: str) -> tuple[int, dict[str, str], bytes | None]:
    status, answer_headers, body, _ = atom.handle(environ("GET", "/.web/changes.atom", query, **headers), engine,
                                                  origin=PUBLIC_URL)
    return status, answer_headers, body


def link(text: str, name: str) -> str:
    found = re.search(rf"{re.escape(PUBLIC_URL)}/\.web/subscriptions/{name}\?token=[\w-]+", text)
    assert found, text
    return found.group(0)


def test_subscribing_on_the_web_page_needs_the_emailed_link(loaded: Engine, smtp: SmtpServer) -> None:
    status, form = page(loaded, "GET", "/.web/subscriptions", "system=BSP&country=ES&kind=remittance&lang=es")
    assert status == 200
    assert '<input type="hidden" name="country" value="ES">' in form
    assert "BSP · ES (Remesa)" in form

    status, answer = page(loaded, "POST", "/.web/subscriptions", body=urllib.parse.urlencode(
        {"system": "BSP", "country": "ES", "kind": "remittance", "lang": "es", "email": "lucia@example.com"}))

    assert status == 200 and "Revise su correo" in answer
    [confirmation] = smtp.mailbox.wait_for(1)  # sent at once, by a thread of the web process
    assert confirmation["To"] == "lucia@example.com"
    assert confirmation["Subject"].startswith("Confirme su suscripción")
    assert confirmation["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = confirmation.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    confirm_url = urllib.parse.urlsplit(link(text, "confirm"))
    [pending] = subscribers_lib.listed(loaded)
    assert not pending.confirmed

    status, shown = page(loaded, "GET", confirm_url.path, confirm_url.query)  # a mail scanner may do this
    assert status == 200 and "<form method=\"post\"" in shown
    assert not subscribers_lib.listed(loaded)[0].confirmed

    status, confirmed = page(loaded, "POST", confirm_url.path, confirm_url.query, "lang=es")
    assert status == 200 and "Suscripción confirmada" in confirmed
    assert subscribers_lib.listed(loaded)[0].confirmed

    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")
    from settlecal.notify import delivery as mail_sender
    from settlecal.notify.transports import notifier_for
    from settlecal.notify.config import load_config

    mail_sender.deliver(loaded, notifier_for(load_config()))
    _, notice = smtp.mailbox.wait_for(2)
    body = notice.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "2026-11-4 · Remesa: 2026-12-08 (mar) 12:00 → 2026-12-09 (mié) 12:00" in body
    assert "Facturación" not in body


def test_asking_twice_sends_at_most_three_confirmations_and_never_reveals_a_subscriber(
    loaded: Engine, smtp: SmtpServer,
) -> None:
    form = urllib.parse.urlencode({"country": "ES", "email": "ana@example.com"})
    answers = [page(loaded, "POST", "/.web/subscriptions", body=form) for _ in range(5)]

    assert {answer for answer in answers} == {answers[0]}
    assert len(smtp.mailbox.wait_for(3)) == 3
    assert len({message["Message-ID"] for message in smtp.mailbox.wait_for(3)}) == 3


@pytest.mark.parametrize(("body", "problem"), [
    ("email=nobody", "That is not an e-mail address."),
    ("email=a%40example.com&system=XYZ", "This filter is not valid"),
    ("email=a%40example.com&kind=payday", "This filter is not valid"),
])
def test_a_bad_subscription_form_is_refused(loaded: Engine, smtp: SmtpServer, body: str, problem: str) -> None:
    status, answer = page(loaded, "POST", "/.web/subscriptions", body=body)

    assert status == 400 and problem in answer
    assert subscribers_lib.listed(loaded) == []


def test_one_click_unsubscribe(loaded: Engine, smtp: SmtpServer) -> None:
    row = subscribers_lib.add(loaded, subscribers_lib.Subscription("ana@example.com"))
    query = f"token={row.token}"

    status, shown = page(loaded, "GET", "/.web/subscriptions/unsubscribe", query)
    assert status == 200 and "ana@example.com" in shown
    assert len(subscribers_lib.listed(loaded)) == 1  # a GET changes nothing

    status, done = page(loaded, "POST", "/.web/subscriptions/unsubscribe", query, "List-Unsubscribe=One-Click")
    assert status == 200 and "You are unsubscribed" in done
    assert subscribers_lib.listed(loaded) == []

    assert page(loaded, "POST", "/.web/subscriptions/unsubscribe", query, "List-Unsubscribe=One-Click")[0] == 200
    assert page(loaded, "GET", "/.web/subscriptions/unsubscribe", query)[0] == 404
    assert page(loaded, "GET", "/.web/subscriptions/confirm", "token=nope")[0] == 404


def test_the_changes_feed_is_atom_and_lists_the_amendment(loaded: Engine) -> None:
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test", note="Spanish bank holidays")

    status, headers, body = feed(loaded, "system=BSP&country=ES")

    assert status == 200 and headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert body is not None
    root = ET.fromstring(body)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated", "author"):
        assert root.find(f"{ATOM}{required}") is not None
    self_link = root.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None
    assert self_link.get("href") == f"{PUBLIC_URL}/.web/changes.atom?system=BSP&country=ES&lang=en"
    entries = root.findall(f"{ATOM}entry")
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "BSP ES EUR monthly: release 2 (Moved: 4, Removed: 2, Changed (cut-off time or remarks): 4)",
        "BSP ES EUR monthly: release 1 (Added: 264)",
    ]
    newest = entries[0]
    for required in ("id", "title", "updated", "content"):
        assert newest.find(f"{ATOM}{required}") is not None
    assert newest.findtext(f"{ATOM}id", "").startswith("urn:uuid:")
    assert newest.findtext(f"{ATOM}summary") == "Spanish bank holidays"
    content = newest.findtext(f"{ATOM}content") or ""
    assert "2026-11-4 · Remittance: <del>2026-12-08 (Tue) 12:00</del> → <ins>2026-12-09 (Wed) 12:00</ins>" in content
    assert "2026-03-4 · Billing: <del>2026-04-03 (Fri)</del> → <ins>2026-04-07 (Tue)</ins>" in content
    assert "CASS" not in body.decode()
    assert feed(loaded, "system=BSP&country=ES")[2] == body  # deterministic


def test_the_changes_feed_filters_kinds_speaks_spanish_and_answers_304(loaded: Engine) -> None:
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")

    status, headers, body = feed(loaded, "country=ES&kind=dispute-deadline&lang=es")

    assert status == 200 and body is not None
    root = ET.fromstring(body)
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    newest = root.findall(f"{ATOM}entry")[0]
    assert newest.findtext(f"{ATOM}title") == "CASS ES EUR quincenal: publicación 2 (Movidas: 2)"
    assert "Plazo de disputas: <del>2026-12-08 (mar)</del> → <ins>2026-12-09 (mié)</ins>" in (
        newest.findtext(f"{ATOM}content") or "")
    assert feed(loaded, "country=ES&kind=dispute-deadline&lang=es", If_None_Match=headers["ETag"])[0] == 304
    assert feed(loaded, "country=FR&kind=dispute-deadline&lang=es", If_None_Match=headers["ETag"])[0] == 200
    assert feed(loaded, "system=XYZ")[0] == 400


@pytest.mark.parametrize("country", ["ES", "es", "Spain", "España", "Spain (ES)"])
def test_every_filtered_endpoint_reads_the_country_the_same_way(loaded: Engine, country: str) -> None:
    """One parser: what the page accepts, the Atom feed and the sign-up form accept too."""
    query = urllib.parse.urlencode({"system": "BSP", "country": country})

    atom_status, _, body = feed(loaded, query)
    form_status, form = page(loaded, "GET", "/.web/subscriptions", query)

    assert (atom_status, form_status) == (200, 200)
    assert body is not None and b"BSP ES EUR" in body
    assert '<input type="hidden" name="country" value="' in form


@pytest.mark.parametrize("query", ["country=XX", "country=Atlantis", "currency=ZZZ", "system=RAIL",
                                   "frequency=hourly", "kind=birthday"])
def test_a_filter_naming_nothing_is_refused_everywhere(loaded: Engine, query: str) -> None:
    atom_status, _, _ = feed(loaded, query)
    form_status, _ = page(loaded, "GET", "/.web/subscriptions", query)
    post_status, _ = page(loaded, "POST", "/.web/subscriptions", body=f"{query}&email=a@example.org")

    assert (atom_status, form_status, post_status) == (400, 400, 400)
