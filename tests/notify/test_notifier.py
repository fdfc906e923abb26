"""The outbox state machine against the recording notifier (tests/notify/recording.py): an import
queues messages, and each is handed over once, or fails or waits alone. The SMTP transport behind the
same protocol is tested against a real server in test_delivery.py."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import Engine

from settlecal.db.queries import notifications as notifications_db
from settlecal.db.queries.notifications import OutboxRow
from settlecal.db.snapshot import reading
from settlecal.notify import delivery, outbox
from settlecal.notify.config import load_config
from settlecal.notify.notifier import NotifierNotConfigured
from settlecal.notify.smtp import SmtpNotifier
from settlecal.notify.transports import notifier_for
from settlecal.release_format.file import read_release
from settlecal.releases.service import import_release
from tests.conftest import SAMPLES
from tests.notify.conftest import PUBLIC_URL, subscribe
from tests.notify.recording import RecordingNotifier

T0 = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def configured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SETTLECAL_CONFIG", "/dev/null")
    monkeypatch.setenv("SETTLECAL_PUBLIC_URL", PUBLIC_URL)
    monkeypatch.setenv("SETTLECAL_MAIL_FROM", "Settlement calendars <calendars@example.org>")
    monkeypatch.delenv("SETTLECAL_SMTP_URL", raising=False)


@pytest.fixture
def three(loaded: Engine) -> Engine:
    """The amendment imported with three subscribers following BSP Spain: three messages queued."""
    for address in ("ana@example.com", "gone@example.com", "zoe@example.com"):
        subscribe(loaded, address, system="BSP", country="ES")
    import_release(loaded, read_release(SAMPLES / "amendment.csv"), operator="test")
    return loaded


def messages(engine: Engine) -> dict[str, OutboxRow]:
    with reading(engine) as session:
        return {row.recipient: row for row in notifications_db.outbox_messages(session)}


def test_an_import_hands_each_queued_message_over_once_after_claiming_it(three: Engine) -> None:
    notifier = RecordingNotifier(engine=three)

    first = delivery.deliver(three, notifier, now=T0)
    again = delivery.deliver(three, notifier, now=T0 + datetime.timedelta(hours=1), retry_now=True)

    assert (first.sent, first.failed, first.deferred, first.queued) == (3, 0, 0, 0)
    assert again.sent == 0
    assert notifier.recipients == ["ana@example.com", "gone@example.com", "zoe@example.com"]
    assert notifier.states_at_hand_over == ["sending"] * 3  # claimed, and committed, before the hand-over
    assert {row.state for row in messages(three).values()} == {"sent"}
    assert len({row.message_id for row in notifier.sent}) == 3
    assert (notifier.sessions, notifier.open_sessions) == (1, 0)  # one session, closed


def test_an_address_refused_for_good_fails_alone(three: Engine) -> None:
    notifier = RecordingNotifier(refused={"gone@example.com": "550 5.1.1 No such user"})

    result = delivery.deliver(three, notifier, now=T0)

    assert (result.sent, result.failed, result.queued) == (2, 1, 0)
    assert notifier.recipients == ["ana@example.com", "zoe@example.com"]
    gone = messages(three)["gone@example.com"]
    assert (gone.state, gone.attempts, gone.last_error) == ("failed", 1, "550 5.1.1 No such user")
    assert notifier.abandoned == 1


def test_a_message_that_cannot_be_written_fails_alone(three: Engine) -> None:
    notifier = RecordingNotifier(unwritable={"ana@example.com"})

    result = delivery.deliver(three, notifier, now=T0)

    assert (result.sent, result.failed) == (2, 1)
    ana = messages(three)["ana@example.com"]
    assert ana.state == "failed" and ana.last_error is not None and "cannot be sent" in ana.last_error


def test_an_address_refused_for_now_waits_alone_and_goes_once_after_the_backoff(three: Engine) -> None:
    notifier = RecordingNotifier(deferred={"gone@example.com": "450 4.2.1 Mailbox busy"})

    first = delivery.deliver(three, notifier, now=T0)
    notifier.deferred.clear()
    early = delivery.deliver(three, notifier, now=T0 + datetime.timedelta(seconds=59))
    due = delivery.deliver(three, notifier, now=T0 + datetime.timedelta(minutes=1))

    assert (first.sent, first.deferred, first.queued, first.error) == (2, 1, 1, "450 4.2.1 Mailbox busy")
    assert (early.sent, early.queued) == (0, 1)
    assert (due.sent, due.queued) == (1, 0)
    assert sorted(notifier.recipients) == ["ana@example.com", "gone@example.com", "zoe@example.com"]


def test_an_unreachable_mail_system_defers_every_message(three: Engine) -> None:
    notifier = RecordingNotifier(unreachable="connection refused")

    result = delivery.deliver(three, notifier, now=T0)

    assert (result.sent, result.deferred, result.queued) == (0, 3, 3)
    assert result.error == "cannot reach the recording notifier: connection refused"
    rows = messages(three).values()
    assert {(row.state, row.attempts, row.next_attempt_at) for row in rows} == {
        ("queued", 1, T0 + outbox.backoff(1))}


def test_a_hand_over_refused_for_now_is_queued_again(three: Engine) -> None:
    notifier = RecordingNotifier(hand_over_refused="451 4.3.0 Try again later")

    result = delivery.deliver(three, notifier, now=T0)

    assert (result.sent, result.deferred, result.queued) == (0, 3, 3)
    assert notifier.sent == []
    assert {(row.state, row.attempts) for row in messages(three).values()} == {("queued", 1)}


def test_a_connection_lost_during_the_hand_over_is_never_handed_over_again(three: Engine) -> None:
    notifier = RecordingNotifier(lose_at_hand_over=True)

    lost = delivery.deliver(three, notifier, now=T0)
    notifier.lose_at_hand_over = False
    later = delivery.deliver(three, notifier, now=T0 + outbox.SENDING_LEASE * 2, retry_now=True)

    assert (lost.sent, lost.deferred) == (0, 3)  # the first may have been taken; the others were not tried
    assert (later.sent, later.uncertain) == (2, 1)
    assert notifier.recipients == ["ana@example.com", "gone@example.com", "zoe@example.com"]
    assert messages(three)["ana@example.com"].state == "sending"  # possibly delivered: reported, not resent


def test_a_message_claimed_by_another_sender_meanwhile_is_not_handed_over(three: Engine) -> None:
    # Another sender claims ana's message after this one found it due and announced it.
    def race(row: OutboxRow) -> None:
        if row.recipient == "ana@example.com":
            assert outbox.claim(three, row.id, T0)

    notifier = RecordingNotifier(on_announce=race)

    result = delivery.deliver(three, notifier, now=T0)

    assert result.sent == 2
    assert "ana@example.com" not in notifier.recipients
    assert notifier.abandoned == 1  # announced, then let go when the claim was lost


def test_the_configuration_chooses_the_notifier(three: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    assert notifier_for(load_config()) is None
    with pytest.raises(NotifierNotConfigured):
        delivery.deliver(three, None, now=T0)

    monkeypatch.setenv("SETTLECAL_SMTP_URL", "smtp://127.0.0.1:2525")

    chosen = notifier_for(load_config())
    assert isinstance(chosen, SmtpNotifier)
    assert (chosen.server.host, chosen.server.port) == ("127.0.0.1", 2525)


def test_nothing_due_needs_no_notifier(loaded: Engine) -> None:
    assert delivery.deliver(loaded, None, now=T0) == delivery.Delivery()
