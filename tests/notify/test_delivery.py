"""Delivery that loses nothing and sends nothing twice: a real SMTP server that is down, refuses,
or sees its client killed between accepting a message and the client's record of it."""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import threading

import pytest
from sqlalchemy import Engine

from settlecal.db.queries import notifications as notifications_db
from settlecal.db.snapshot import reading
from settlecal.db.queries.notifications import OutboxRow
from settlecal.notify import delivery as mail_sender
from settlecal.notify.transports import notifier_for
from settlecal.notify import outbox
from settlecal.notify.config import load_config
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from tests.conftest import ROOT, SAMPLES
from tests.notify.conftest import SmtpServer, subscribe

T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


def messages(engine: Engine) -> list[OutboxRow]:
    with reading(engine) as session:
        return notifications_db.outbox_messages(session)


@pytest.fixture
def amended(loaded: Engine) -> Engine:
    """The amendment imported with one subscriber following BSP Spain: one message queued."""
    subscribe(loaded, "ana@example.com", system="BSP", country="ES")
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")
    return loaded


def test_backoff_doubles_up_to_six_hours() -> None:
    waits = [outbox.backoff(attempt) for attempt in (1, 2, 3, 9, 10, 50)]

    assert waits == [datetime.timedelta(minutes=m) for m in (1, 2, 4, 256, 360, 360)]


def test_a_message_waits_while_the_server_is_down_and_goes_once_it_is_back(
    amended: Engine, smtp_down: SmtpServer,
) -> None:
    config = load_config()

    first = mail_sender.deliver(amended, notifier_for(config), now=T0)

    assert (first.sent, first.deferred, first.queued) == (0, 1, 1)
    assert first.error is not None and "cannot reach the SMTP server" in first.error
    [row] = messages(amended)
    assert (row.state, row.attempts, row.next_attempt_at) == ("queued", 1, T0 + datetime.timedelta(minutes=1))
    assert row.last_error is not None and "Connection refused" in row.last_error

    smtp_down.start()
    early = mail_sender.deliver(amended, notifier_for(config), now=T0 + datetime.timedelta(seconds=30))
    assert (early.sent, early.deferred, early.queued) == (0, 0, 1)  # not due yet: no attempt
    assert messages(amended)[0].attempts == 1

    due = mail_sender.deliver(amended, notifier_for(config), now=T0 + datetime.timedelta(minutes=1))
    again = mail_sender.deliver(amended, notifier_for(config), now=T0 + datetime.timedelta(hours=1))

    assert (due.sent, due.queued, again.sent) == (1, 0, 0)
    [row] = messages(amended)
    assert (row.state, row.sent_at, row.last_error) == ("sent", T0 + datetime.timedelta(minutes=1), None)
    assert [m["Message-ID"] for m in smtp_down.mailbox.wait_for(1)] == [row.message_id]


def test_a_temporary_refusal_keeps_the_message_queued_with_a_longer_wait(amended: Engine, smtp: SmtpServer) -> None:
    config = load_config()
    smtp.mailbox.data_reply = "451 4.3.0 Try again later"

    mail_sender.deliver(amended, notifier_for(config), now=T0)
    mail_sender.deliver(amended, notifier_for(config), now=T0 + datetime.timedelta(minutes=1))

    [row] = messages(amended)
    assert (row.state, row.attempts) == ("queued", 2)
    assert row.next_attempt_at == T0 + datetime.timedelta(minutes=1 + 2)
    assert row.last_error is not None and "451" in row.last_error
    assert smtp.mailbox.messages == []

    smtp.mailbox.data_reply = "250 OK"
    delivery = mail_sender.deliver(amended, notifier_for(config), now=T0 + datetime.timedelta(minutes=3))

    assert delivery.sent == 1
    assert len(smtp.mailbox.wait_for(1)) == 1


def test_a_permanent_refusal_fails_that_message_only(loaded: Engine, smtp: SmtpServer) -> None:
    subscribe(loaded, "gone@example.com", country="ES")
    subscribe(loaded, "ana@example.com", country="ES")
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")
    smtp.mailbox.refused_recipients["gone@example.com"] = "550 5.1.1 No such user"

    delivery = mail_sender.deliver(loaded, notifier_for(load_config()))

    assert (delivery.sent, delivery.failed, delivery.queued) == (1, 1, 0)
    assert smtp.mailbox.recipients == ["ana@example.com"]
    failed = [row for row in messages(loaded) if row.state == "failed"]
    assert [row.recipient for row in failed] == ["gone@example.com"]
    assert failed[0].last_error is not None and "550" in failed[0].last_error

    del smtp.mailbox.refused_recipients["gone@example.com"]
    now = datetime.datetime.now(datetime.UTC)
    assert outbox.requeue(loaded, failed=True, uncertain=False, now=now) == 1
    assert mail_sender.deliver(loaded, notifier_for(load_config())).sent == 1
    assert smtp.mailbox.recipients == ["ana@example.com", "gone@example.com"]


def test_a_message_claimed_by_another_sender_is_not_sent_again(amended: Engine, smtp: SmtpServer) -> None:
    [row] = messages(amended)

    assert outbox.claim(amended, row.id, T0)
    assert not outbox.claim(amended, row.id, T0)  # a second sender loses the race
    assert mail_sender.deliver(amended, notifier_for(load_config())).sent == 0
    assert smtp.mailbox.messages == []


def test_no_duplicate_when_the_sender_is_killed_between_sending_and_marking(
    amended: Engine, smtp: SmtpServer, database_url: str,
) -> None:
    # The server records the message, then holds its "250" until told: the sender is killed while it
    # waits, after the server has the message and before the sender could mark it sent.
    smtp.mailbox.hold = threading.Event()
    sender = subprocess.Popen(
        [sys.executable, "-m", "importer", "--database", database_url, "notify"],
        cwd=ROOT, env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        assert smtp.mailbox.arrived.wait(60), sender.communicate(timeout=5)
        assert [row.state for row in messages(amended)] == ["sending"]  # committed before DATA
        os.kill(sender.pid, signal.SIGKILL)
        assert sender.wait(timeout=30) == -signal.SIGKILL
    finally:
        smtp.mailbox.hold.set()
        if sender.poll() is None:
            sender.kill()
        sender.communicate()
    assert len(smtp.mailbox.messages) == 1

    at_once = mail_sender.deliver(amended, notifier_for(load_config()))
    later = mail_sender.deliver(amended, notifier_for(load_config()), now=datetime.datetime.now(datetime.UTC)
                                + outbox.SENDING_LEASE + datetime.timedelta(minutes=1), retry_now=True)

    assert (at_once.sent, at_once.uncertain) == (0, 0)  # another sender could still be at work
    assert (later.sent, later.uncertain) == (0, 1)  # possibly delivered: reported, not resent
    assert len(smtp.mailbox.messages) == 1
    [row] = messages(amended)
    assert row.state == "sending"

    # An admin who knows it was lost sends it again, with the same Message-ID for receivers to dedupe.
    requeued = outbox.requeue(amended, failed=False, uncertain=True,
                              now=datetime.datetime.now(datetime.UTC) + outbox.SENDING_LEASE * 2)
    assert requeued == 1
    assert mail_sender.deliver(amended, notifier_for(load_config()), retry_now=True).sent == 1
    first, second = smtp.mailbox.wait_for(2)
    assert first["Message-ID"] == second["Message-ID"] == row.message_id
