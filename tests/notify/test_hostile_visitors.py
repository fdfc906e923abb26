"""Issue 13, rows "high" and "low" of the notifications: an anonymous visitor of a live server, with a
real SMTP server (aiosmtpd) on loopback, cannot stop notifications, flood a mailbox or post from
another site."""

from __future__ import annotations

import datetime
import re
import urllib.parse
from collections.abc import Iterator

import pytest
import requests
from click.testing import CliRunner
from sqlalchemy import Engine, select, update

from caldav_plugin.serve import serving
from caldav_plugin.web import signups
from caldav_plugin.wsgi import make_application
from importer.cli import cli
from settlecal.db.engine import writing
from settlecal.db.models import OutboxMessage, Subscriber
from settlecal.notify import subscriptions as subscribers_lib
from settlecal.notify.config import load_config
from settlecal.release_format.file import read_release
from settlecal.releases.service import import_release
from tests.conftest import SAMPLES
from tests.notify.conftest import SmtpServer, subscribe

pytestmark = pytest.mark.usefixtures("confirmations_finish")


@pytest.fixture
def server(loaded: Engine, database_url: str) -> Iterator[str]:
    with serving(make_application(database_url=database_url), threads=4) as url:
        yield url


def form(server: str, query: str = "country=ES") -> tuple[requests.Session, str]:
    """A visitor's browser that opened the sign-up form: its cookie, and the form's CSRF token."""
    browser = requests.Session()
    shown = browser.get(f"{server}/.web/subscriptions?{query}", timeout=10)
    assert shown.status_code == 200
    token = re.search(r'name="csrf" value="([^"]+)"', shown.text)
    assert token, shown.text
    return browser, token.group(1)


def sign_up(server: str, email: str, query: str = "country=ES", **headers: str) -> requests.Response:
    browser, token = form(server, query)
    fields = {**dict(urllib.parse.parse_qsl(query)), "email": email, "csrf": token}
    return browser.post(f"{server}/.web/subscriptions", data=fields, headers=headers, timeout=10)


def states(engine: Engine) -> dict[str, str]:
    with writing(engine) as session:
        return {row.recipient: row.state for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def settlecal(engine: Engine, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["--database", str(engine.url.render_as_string(hide_password=False)), *args])
    return result.exit_code, result.output


# Row 1 (high): a non-ASCII address stopped every notification.

@pytest.mark.parametrize("address", ["josé@exämple.com", "üser@exämple.com"])
def test_a_non_ascii_address_fails_alone_where_the_server_lacks_smtputf8(
    server: str, loaded: Engine, smtp: SmtpServer, address: str,
) -> None:
    subscribe(loaded, "bob@example.com", country="ES")
    posted = sign_up(server, address)
    assert posted.status_code == 200 and signups.SENDER.wait_idle(10)
    assert states(loaded) == {address: "failed"}  # tried at once by the web page's sender, alone
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")

    code, output = settlecal(loaded, "notify", "--requeue-failed")

    assert code == 0, output
    assert "Traceback" not in output and "Sent 1, deferred 0, failed 1" in output
    assert smtp.mailbox.recipients == ["bob@example.com"]  # the notice went out, the confirmation could not
    assert states(loaded) == {address: "failed", "bob@example.com": "sent"}


def test_a_non_ascii_address_is_delivered_with_smtputf8(server: str, loaded: Engine, smtp_utf8: SmtpServer) -> None:
    posted = sign_up(server, "josé@exämple.com")

    assert posted.status_code == 200
    [confirmation] = smtp_utf8.mailbox.wait_for(1)
    assert smtp_utf8.mailbox.recipients == ["josé@exämple.com"]
    assert confirmation["To"] == "josé@exämple.com"


def test_an_internationalised_domain_goes_out_in_its_ascii_form(server: str, loaded: Engine, smtp: SmtpServer) -> None:
    assert sign_up(server, "ana@exämple.com").status_code == 200

    [confirmation] = smtp.mailbox.wait_for(1)
    assert smtp.mailbox.recipients == ["ana@xn--exmple-cua.com"]
    assert confirmation["To"] == "ana@xn--exmple-cua.com"


def test_a_stored_address_that_cannot_be_sent_fails_alone_and_commands_end_cleanly(
    loaded: Engine, smtp: SmtpServer,
) -> None:
    """Rows an older version let in (control characters) fail one by one; the import still reports."""
    subscribe(loaded, "ana@example.com", country="ES")
    subscribe(loaded, "bob@example.com", country="ES")
    with writing(loaded) as session:
        session.execute(update(Subscriber).where(Subscriber.email == "ana@example.com")
                        .values(email="ana\x1b@example.com"))
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test", notify=True)
    with writing(loaded) as session:  # the queued message carries the stored address, as before
        session.execute(update(OutboxMessage).where(OutboxMessage.recipient == "ana@example.com")
                        .values(recipient="ana\x1b@example.com"))

    code, output = settlecal(loaded, "notify")

    assert code == 0 and "Traceback" not in output, output
    assert "Sent 1, deferred 0, failed 1" in output
    assert smtp.mailbox.recipients == ["bob@example.com"]


# Row 2 (high): mail bombing, cross-site posts.

def test_a_hundred_filters_send_one_address_at_most_three_confirmations_a_day(
    server: str, loaded: Engine, smtp: SmtpServer,
) -> None:
    browser, token = form(server)
    countries = ["ES", "FR", "DE", "IT", "PT", "GB", "US", "AR", "BR", "CN"]
    kinds = ["remittance", "settlement", "billing", "period", "submission", "remittance,settlement",
             "billing,settlement", "period,billing", "submission,settlement", "remittance,billing"]
    answers = {browser.post(f"{server}/.web/subscriptions", timeout=10,
                            data={"country": country, "kind": kind, "email": "victim@example.com", "csrf": token}).text
               for country in countries for kind in kinds}

    assert len(answers) == 1  # the same page whatever happened
    smtp.mailbox.wait_for(3)
    assert subscribers_lib_confirmations(loaded, "victim@example.com") == 3


def subscribers_lib_confirmations(engine: Engine, address: str) -> int:
    with writing(engine) as session:
        return len(session.scalars(select(OutboxMessage.id).where(OutboxMessage.recipient == address)).all())


def test_one_client_may_sign_up_a_few_addresses_an_hour(server: str, loaded: Engine, smtp: SmtpServer,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    browser, token = form(server)
    answers = [browser.post(f"{server}/.web/subscriptions", timeout=10,
                            data={"country": "ES", "email": f"person{n}@example.com", "csrf": token})
               for n in range(14)]

    assert {answer.status_code for answer in answers} == {200}
    assert len({re.sub(r"person\d+", "X", answer.text) for answer in answers}) == 1
    assert len(subscribers_lib.listed(loaded)) == load_config().confirmations_per_client == 10


@pytest.mark.parametrize(("headers", "with_token", "status"), [
    ({"Origin": "https://evil.example"}, True, 403),
    ({"Origin": "null"}, True, 403),
    ({}, False, 403),
    ({"Content-Type": "text/plain"}, True, 415),
])
def test_a_sign_up_from_another_site_is_refused(server: str, loaded: Engine, smtp: SmtpServer,
                                                headers: dict[str, str], with_token: bool, status: int) -> None:
    browser, token = form(server)
    body = urllib.parse.urlencode({"country": "ES", "email": "ana@example.com", **({"csrf": token} if with_token else {})})
    sent = {"Content-Type": "application/x-www-form-urlencoded", **headers}

    answer = browser.post(f"{server}/.web/subscriptions", data=body, headers=sent, timeout=10)

    assert answer.status_code == status
    assert "Traceback" not in answer.text
    assert subscribers_lib.listed(loaded) == []


def test_the_form_posts_to_the_server_it_came_from_with_its_own_origin(server: str, loaded: Engine,
                                                                      smtp: SmtpServer) -> None:
    browser = requests.Session()
    shown = browser.get(f"{server}/.web/subscriptions?country=ES", timeout=10)
    token = re.findall(r'name="csrf" value="([^"]+)"', shown.text)[0]

    assert '<form method="post" action="/.web/subscriptions">' in shown.text
    answer = browser.post(f"{server}/.web/subscriptions", headers={"Origin": server}, timeout=10,
                          data={"country": "ES", "email": "ana@example.com", "csrf": token})
    assert answer.status_code == 200 and len(subscribers_lib.listed(loaded)) == 1


@pytest.mark.parametrize("query", ["country=XX", "currency=QQQ", "country=ES&kind=payday", "system=ZZZ"])
def test_unknown_codes_in_a_filter_are_refused(server: str, loaded: Engine, smtp: SmtpServer, query: str) -> None:
    browser, token = form(server)
    fields = {**dict(urllib.parse.parse_qsl(query)), "email": "ana@example.com", "csrf": token}

    answer = browser.post(f"{server}/.web/subscriptions", data=fields, timeout=10)

    assert answer.status_code == 400
    assert subscribers_lib.listed(loaded) == []


def test_pending_sign_ups_expire(loaded: Engine, smtp: SmtpServer) -> None:
    config = load_config()
    long_ago = datetime.datetime.now(datetime.UTC) - config.pending_lifetime - datetime.timedelta(minutes=1)
    subscribers_lib.request(loaded, subscribers_lib.Subscription("ana@example.com"), config, now=long_ago)
    [pending] = subscribers_lib.listed(loaded)

    assert subscribers_lib.confirm(loaded, pending.token, pending_lifetime=config.pending_lifetime) is None
    assert subscribers_lib.listed(loaded) == []


@pytest.mark.parametrize("address", ["ana\x1b@example.com", "ana\x00@example.com", "ana\x7f@example.com",
                                     "ana@example.com\r\nBcc: all@example.com"])
def test_control_characters_in_an_address_are_refused(server: str, loaded: Engine, smtp: SmtpServer,
                                                      address: str) -> None:
    answer = sign_up(server, address)

    assert answer.status_code == 400 and "That is not an e-mail address." in answer.text
    assert subscribers_lib.listed(loaded) == []
