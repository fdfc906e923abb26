"""Where notifications go: the SMTP URL, the config file, and logging in to a real server."""

from __future__ import annotations

import pathlib
import socket

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from sqlalchemy import Engine

from settlecal.config import ConfigInvalid
from settlecal.notify import delivery as mail_sender
from settlecal.notify.transports import notifier_for
from settlecal.notify.config import NotifyConfigInvalid, SmtpServer, load_config
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import SAMPLES
from tests.notify.conftest import Mailbox, subscribe


def test_smtp_urls() -> None:
    assert SmtpServer.from_url("smtp://mail.example.com") == SmtpServer("mail.example.com", 25)
    assert SmtpServer.from_url("smtps://u%40x:p%3Aw@mail.example.com") == SmtpServer(
        "mail.example.com", 465, tls=True, username="u@x", password="p:w")
    assert SmtpServer.from_url("smtp://mail.example.com:587?starttls=1&timeout=5") == SmtpServer(
        "mail.example.com", 587, starttls=True, timeout=5.0)
    with pytest.raises(NotifyConfigInvalid, match="is not smtp://host:port"):
        SmtpServer.from_url("https://u:secret@mail.example.com")
    with pytest.raises(NotifyConfigInvalid) as error:
        SmtpServer.from_url("imap://u:secret@mail.example.com")
    assert "secret" not in str(error.value)


def test_settings_come_from_the_environment_else_the_config_file(tmp_path: pathlib.Path) -> None:
    config = tmp_path / "settlecal.conf"
    config.write_text("[notify]\nsmtp_url = smtp://file.example.com:2525\nfrom = Calendars <c@example.org>\n"
                      "public_url = https://calendars.example.org/\n", encoding="utf-8")

    from_file = load_config({"SETTLECAL_CONFIG": str(config)})
    overridden = load_config({"SETTLECAL_CONFIG": str(config), "SETTLECAL_SMTP_URL": "smtp://env.example.com"})
    defaults = load_config({"SETTLECAL_CONFIG": "/dev/null"})

    assert from_file.smtp == SmtpServer("file.example.com", 2525)
    assert (from_file.sender, from_file.public_url, from_file.message_domain) == (
        "Calendars <c@example.org>", "https://calendars.example.org", "calendars.example.org")
    assert overridden.smtp == SmtpServer("env.example.com", 25)
    assert (defaults.smtp, defaults.public_url, defaults.message_domain, defaults.sender) == (
        None, "http://127.0.0.1:5232", "settlecal.invalid", "settlecal@settlecal.invalid")
    with pytest.raises(ConfigInvalid, match="no such file"):
        load_config({"SETTLECAL_CONFIG": str(tmp_path / "none.conf")})


class Accounts:
    def __call__(self, server: object, session: object, envelope: object, mechanism: str, data: object) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (b"mailer", b"s3cr:t")
        return AuthResult(success=ok, handled=False)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_the_sender_logs_in(loaded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port(), authenticator=Accounts(),
                            auth_require_tls=False, auth_required=True)
    controller.start()
    monkeypatch.setenv("SETTLECAL_CONFIG", "/dev/null")
    subscribe(loaded, "ana@example.com", country="ES")
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")
    try:
        monkeypatch.setenv("SETTLECAL_SMTP_URL", f"smtp://mailer:wrong@127.0.0.1:{controller.port}")
        refused = mail_sender.deliver(loaded, notifier_for(load_config()))
        monkeypatch.setenv("SETTLECAL_SMTP_URL", f"smtp://mailer:s3cr%3At@127.0.0.1:{controller.port}")
        accepted = mail_sender.deliver(loaded, notifier_for(load_config()), retry_now=True)
    finally:
        controller.stop()

    assert (refused.sent, refused.deferred) == (0, 1)
    assert refused.error is not None and "SMTPAuthenticationError" in refused.error
    assert (accepted.sent, accepted.queued) == (1, 0)
    assert len(mailbox.wait_for(1)) == 1


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
