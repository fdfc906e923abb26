"""A real SMTP server on loopback (aiosmtpd) that records what it receives, and a database with the
sample release loaded, for the notification tests."""

from __future__ import annotations

import asyncio
import email
import email.message
import email.policy
import socket
import threading
import urllib.parse
from collections.abc import Iterator

import pytest

from caldav_plugin.web import signups
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import Engine

from settlecal.filters import calendar_filter
from settlecal.notify import subscriptions as subscribers_lib
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import SAMPLES

PUBLIC_URL = "https://calendars.example.org"


class Mailbox:
    """What the SMTP server received: one (envelope sender, recipients, parsed message) per DATA."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.raw: list[bytes] = []  # the same messages as received
        self._changed = threading.Condition()
        self.data_reply = "250 OK"  # what DATA answers, e.g. "451 try later"
        self.refused_recipients: dict[str, str] = {}  # address → RCPT reply
        self.hold: threading.Event | None = None  # when set up, DATA answers only once it is set
        self.arrived = threading.Event()

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope, address: str,
                          rcpt_options: list[str]) -> str:
        if address in self.refused_recipients:
            return self.refused_recipients[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.data_reply.startswith("250"):
            raw = envelope.original_content or b""
            parsed = email.message_from_bytes(raw, policy=email.policy.default)
            with self._changed:
                sender = str(envelope.mail_from)
                self.messages.append((sender, list(envelope.rcpt_tos), parsed))  # type: ignore[arg-type]
                self.raw.append(raw)
                self._changed.notify_all()
        self.arrived.set()
        hold = self.hold
        if hold is not None:
            await asyncio.get_running_loop().run_in_executor(None, hold.wait, 30)
        return self.data_reply

    def wait_for(self, count: int, timeout: float = 10) -> list[email.message.EmailMessage]:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.messages) >= count, timeout), self.messages
            return [message for _, _, message in self.messages]

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for _, recipients, message in self.messages if address in recipients]

    @property
    def recipients(self) -> list[str]:
        return sorted(address for _, recipients, _ in self.messages for address in recipients)


class SmtpServer:
    """aiosmtpd on a free loopback port; `stop()` and `start()` again on the same port."""

    def __init__(self) -> None:
        self.mailbox = Mailbox()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"smtp://127.0.0.1:{self.port}?timeout=10"
        self._controller: Controller | None = None
        self.smtputf8 = False  # whether EHLO offers SMTPUTF8 (RFC 6531)

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port,
                                      enable_SMTPUTF8=self.smtputf8)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """An SMTP server configured for settlecal but not running yet (connections are refused)."""
    server = SmtpServer()
    monkeypatch.setenv("SETTLECAL_SMTP_URL", server.url)
    monkeypatch.setenv("SETTLECAL_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("SETTLECAL_MAIL_FROM", "Settlement calendars <calendars@example.org>")
    monkeypatch.delenv("SETTLECAL_MESSAGE_DOMAIN", raising=False)
    monkeypatch.setenv("SETTLECAL_CONFIG", "/dev/null")
    try:
        yield server
    finally:
        if server.mailbox.hold is not None:
            server.mailbox.hold.set()
        server.stop()


@pytest.fixture
def smtp(smtp_down: SmtpServer) -> SmtpServer:
    """A running SMTP server that settlecal is configured to use."""
    smtp_down.start()
    return smtp_down


@pytest.fixture
def smtp_utf8(smtp_down: SmtpServer) -> SmtpServer:
    """A running SMTP server that offers SMTPUTF8."""
    smtp_down.smtputf8 = True
    smtp_down.start()
    return smtp_down


@pytest.fixture
def loaded(engine: Engine) -> Engine:
    """The sample release imported, before anyone subscribed."""
    import_release(engine, read_release(SAMPLES / "sample-release.csv"), operator="test")
    return engine


@pytest.fixture
def confirmations_finish(database_url: str) -> Iterator[None]:
    """Waits, after the test and before its database goes, for the web page's confirmation senders."""
    yield
    assert signups.SENDER.wait_idle(30)


def subscribe(engine: Engine, address: str, lang: str = "en", kinds: frozenset | None = None,
              **where: str) -> None:
    subscribers_lib.add(engine, subscribers_lib.Subscription(
        address, calendar_filter(urllib.parse.urlencode(where))[0], kinds, lang))


# What the sign-up form carries (caldav_plugin/web/guard.py): the CSRF cookie set with the form, and
# the same token in a hidden field. Tests that post the form directly send both.
CSRF = "test-csrf-token"
SIGNUP_HEADERS = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": f"settlecal_csrf={CSRF}"}


def signup_body(body: str) -> str:
    return f"{body}&csrf={CSRF}" if body else f"csrf={CSRF}"
