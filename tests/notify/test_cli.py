"""`settlecal subscribers …`, `settlecal notify` and `import --no-notify` through the CLI."""

from __future__ import annotations

import json
import pathlib

import pytest
from sqlalchemy import Engine

from settlecal.db.queries import notifications as notifications_db
from settlecal.db.engine import make_engine
from settlecal.db.snapshot import reading
from tests.conftest import Settlecal
from tests.notify.conftest import SmtpServer


def outbox_states(database_url: str) -> list[str]:
    with reading(make_engine(database_url)) as session:
        return [row.state for row in notifications_db.outbox_messages(session)]


def test_subscribers_add_list_remove(engine: Engine, settlecal: Settlecal) -> None:
    added = settlecal("subscribers", "add", "Ana@Example.com", "--system", "bsp", "--country", "es",
                      "--kind", "remittance,settlement", "--kind", "billing", "--lang", "es")
    settlecal("subscribers", "add", "ana@example.com", "--currency", "usd")
    settlecal("subscribers", "add", "bob@example.com")
    again = settlecal("subscribers", "add", "bob@example.com", "--lang", "es")  # same filter: updated

    assert added.exit_code == 0, added.output
    assert added.output == "Subscribed Ana@example.com: BSP ES (billing, remittance, settlement), in es.\n"
    assert again.output == "Subscribed bob@example.com: every calendar (all key dates), in es.\n"
    listed = json.loads(settlecal("subscribers", "list", "--json").output)
    assert [(s["email"], s["system"], s["country"], s["currency"], s["kinds"], s["lang"], s["confirmed"])
            for s in listed] == [
        ("Ana@example.com", "BSP", "ES", None, ["billing", "remittance", "settlement"], "es", True),
        ("ana@example.com", None, None, "USD", None, "en", True),
        ("bob@example.com", None, None, None, None, "es", True),
    ]
    text = settlecal("subscribers", "list").output.splitlines()
    assert text[0].split()[:3] == ["id", "e-mail", "system"]
    assert "billing,remittance,settlement" in text[1] and "confirmed" in text[1]

    removed = settlecal("subscribers", "remove", "ANA@example.com")

    assert removed.output == "Removed 2 subscription(s) of ANA@example.com.\n"
    assert [s["email"] for s in json.loads(settlecal("subscribers", "list", "--json").output)] == ["bob@example.com"]
    missing = settlecal("subscribers", "remove", "ana@example.com")
    assert (missing.exit_code, missing.output) == (1, "Error: no subscriber ana@example.com\n")


@pytest.mark.parametrize("lang", ["en", "es", "fr", "pt", "ar", "zh"])
def test_subscribers_speak_any_of_the_six_languages(engine: Engine, settlecal: Settlecal, lang: str) -> None:
    added = settlecal("subscribers", "add", "li@example.com", "--country", "CN", "--lang", lang)

    assert added.output == f"Subscribed li@example.com: CN (all key dates), in {lang}.\n"
    assert [s["lang"] for s in json.loads(settlecal("subscribers", "list", "--json").output)] == [lang]


@pytest.mark.parametrize(("args", "message"), [
    (["not-an-address"], "Error: e-mail address 'not-an-address': An email address must have an @-sign.\n"),
    (["ana\x1b@example.com"], "Error: e-mail address 'ana\\x1b@example.com': The email address contains invalid characters before the @-sign: U+001B."),
    (["a@example.com", "--kind", "payday"], "'payday' is not one of period, submission"),
    (["a@example.com", "--lang", "de"], "'de' is not one of 'en', 'es', 'fr', 'pt', 'ar', 'zh'"),
])
def test_subscribers_add_rejects_bad_input(engine: Engine, settlecal: Settlecal, args: list[str], message: str) -> None:
    result = settlecal("subscribers", "add", *args)

    assert result.exit_code in (1, 2)
    assert message in result.output


def test_import_delivers_at_once_and_notify_has_nothing_left(
    settlecal: Settlecal, smtp: SmtpServer, sample: pathlib.Path, amendment: pathlib.Path, database_url: str,
) -> None:
    settlecal("import", sample)
    settlecal("subscribers", "add", "ana@example.com", "--country", "ES")

    imported = settlecal("import", amendment)
    as_json = settlecal("rollback", "--json")

    assert imported.exit_code == 0, imported.output
    assert json.loads(as_json.stdout)["notifications"] == 1  # the rollback, queued for ana too
    assert "Notifications: Sent 1, deferred 0, failed 0; 0 still queued." in imported.stderr
    assert "Notifications" not in imported.stdout
    assert len(smtp.mailbox.wait_for(2)) == 2
    notified = settlecal("notify", "--json")
    assert json.loads(notified.stdout) == {"sent": 0, "deferred": 0, "failed": 0, "queued": 0, "uncertain": 0,
                                           "error": None}
    assert outbox_states(database_url) == ["sent", "sent"]


def test_import_no_notify_queues_nothing(
    settlecal: Settlecal, smtp: SmtpServer, sample: pathlib.Path, amendment: pathlib.Path, database_url: str,
) -> None:
    settlecal("import", sample)
    settlecal("subscribers", "add", "ana@example.com")

    imported = settlecal("import", amendment, "--no-notify", "--json")
    rolled_back = settlecal("rollback", "--no-notify")

    assert (imported.exit_code, rolled_back.exit_code) == (0, 0)
    assert json.loads(imported.stdout)["notifications"] == 0
    assert outbox_states(database_url) == []
    assert smtp.mailbox.messages == []


def test_notify_keeps_messages_queued_while_the_server_is_down(
    settlecal: Settlecal, smtp_down: SmtpServer, sample: pathlib.Path, amendment: pathlib.Path, database_url: str,
) -> None:
    settlecal("import", sample)
    settlecal("subscribers", "add", "ana@example.com", "--country", "ES")
    imported = settlecal("import", amendment)
    assert "Notifications: Sent 0, deferred 1, failed 0; 1 still queued." in imported.stderr

    waiting = settlecal("notify")  # within the back-off: no attempt
    smtp_down.start()
    forced = settlecal("notify", "--retry-now")

    assert waiting.output == "Sent 0, deferred 0, failed 0; 1 still queued.\n"
    assert forced.output == "Sent 1, deferred 0, failed 0; 0 still queued.\n"
    assert len(smtp_down.mailbox.wait_for(1)) == 1


def test_without_an_smtp_server_messages_wait_in_the_outbox(
    settlecal: Settlecal, sample: pathlib.Path, amendment: pathlib.Path, database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SETTLECAL_SMTP_URL", raising=False)
    monkeypatch.setenv("SETTLECAL_CONFIG", "/dev/null")
    settlecal("import", sample)
    settlecal("subscribers", "add", "ana@example.com")

    imported = settlecal("import", amendment)
    notified = settlecal("notify")

    assert "1 notification(s) queued; no SMTP server is configured" in imported.stderr
    assert (notified.exit_code, notified.output) == (
        1, "Error: no SMTP server configured: set SETTLECAL_SMTP_URL (see docs/notifications.md)\n")
    assert outbox_states(database_url) == ["queued"]


def test_a_bad_smtp_url_stops_no_import_and_is_reported(
    settlecal: Settlecal, monkeypatch: pytest.MonkeyPatch, sample: pathlib.Path, amendment: pathlib.Path,
    database_url: str,
) -> None:
    monkeypatch.setenv("SETTLECAL_SMTP_URL", "http://mail.example.com")
    monkeypatch.setenv("SETTLECAL_CONFIG", "/dev/null")
    settlecal("import", sample)
    settlecal("subscribers", "add", "ana@example.com")
    problem = "SETTLECAL_SMTP_URL: 'http://mail.example.com' is not smtp://host:port or smtps://host:port"

    imported = settlecal("import", amendment)
    notified = settlecal("notify")

    assert imported.exit_code == 0
    assert f"1 notification(s) queued, not sent: {problem}" in imported.stderr
    assert (notified.exit_code, notified.output) == (1, f"Error: {problem}\n")
    assert outbox_states(database_url) == ["queued"]
