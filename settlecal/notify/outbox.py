"""The outbox: every write to queued notifications, and the back-off between attempts.

A message moves queued → sending → sent. `sending` is committed before the SMTP DATA command, so
a sender killed after the server accepted the message leaves it in `sending`, and no run sends it
again on its own (docs/notifications.md explains the window). A refused or unreachable server sends
it back to `queued` with a later `next_attempt_at`; a permanent refusal (5xx) makes it `failed`.
"""

from __future__ import annotations

import datetime
import enum
import json
from collections.abc import Iterable

from sqlalchemy import Engine, delete, or_, select, update
from sqlalchemy.orm import Session

from settlecal.db.engine import writing
from settlecal.db.models import OutboxMessage
from settlecal.notify.compose import ComposedMessage

BACKOFF_FIRST = datetime.timedelta(minutes=1)
BACKOFF_CAP = datetime.timedelta(hours=6)
# A message in `sending` for longer than this was left by a sender that stopped mid-send: it is
# reported as possibly delivered (a live sender finishes one message within its SMTP timeouts).
SENDING_LEASE = datetime.timedelta(minutes=15)


class State(enum.StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


def backoff(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, … minutes, at most 6 hours."""
    wait: datetime.timedelta = BACKOFF_FIRST * 2 ** min(max(attempts - 1, 0), 20)
    return min(wait, BACKOFF_CAP)


def queue(session: Session, message: ComposedMessage, *, release_id: int | None, subscriber_id: int,
          now: datetime.datetime) -> None:
    """Adds a message to the outbox, due at once, in the caller's transaction."""
    session.add(OutboxMessage(
        message_id=message.message_id, release_id=release_id, subscriber_id=subscriber_id,
        recipient=message.recipient, subject=message.subject, text=message.text, html=message.html,
        headers=json.dumps(message.headers, sort_keys=True), state=State.QUEUED, attempts=0,
        created_at=now, next_attempt_at=now,
    ))


def claim(engine: Engine, message: int, now: datetime.datetime) -> bool:
    """Marks a queued message as being sent, committed; False when another sender has it."""
    with writing(engine) as session:
        result = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message, OutboxMessage.state == State.QUEUED)
            .values(state=State.SENDING, claimed_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def mark_sent(engine: Engine, message: int, now: datetime.datetime) -> None:
    with writing(engine) as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message)
            .values(state=State.SENT, sent_at=now, last_error=None)
        )


def defer(engine: Engine, messages: Iterable[int], now: datetime.datetime, error: str, *,
          claimed: bool = False) -> None:
    """Records a failed attempt on queued messages: due again after the back-off.

    `claimed`: the messages are in `sending` and the server answered that it did not take them.
    """
    ids = list(messages)
    if not ids:
        return
    state = State.SENDING if claimed else State.QUEUED
    with writing(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.id.in_(ids), OutboxMessage.state == state)
        for row in session.scalars(query):
            row.attempts += 1
            row.state = State.QUEUED
            row.claimed_at = None
            row.next_attempt_at = now + backoff(row.attempts)
            row.last_error = error[:2000]


def fail(engine: Engine, message: int, now: datetime.datetime, error: str) -> None:
    """Records a permanent refusal: the message is kept, as failed, and not tried again."""
    with writing(engine) as session:
        session.execute(
            update(OutboxMessage).where(OutboxMessage.id == message)
            .values(state=State.FAILED, attempts=OutboxMessage.attempts + 1, claimed_at=None,
                    next_attempt_at=now, last_error=error[:2000])
        )


def requeue(engine: Engine, *, failed: bool, uncertain: bool, now: datetime.datetime) -> int:
    """Queues failed messages, or those left in `sending` past the lease, again; due at once.

    A requeued `sending` message keeps its Message-ID, so a receiver that already has it can drop it.
    """
    conditions = []
    if failed:
        conditions.append(OutboxMessage.state == State.FAILED)
    if uncertain:
        conditions.append((OutboxMessage.state == State.SENDING) & (OutboxMessage.claimed_at < now - SENDING_LEASE))
    if not conditions:
        return 0
    with writing(engine) as session:
        result = session.execute(
            update(OutboxMessage).where(or_(*conditions))
            .values(state=State.QUEUED, claimed_at=None, next_attempt_at=now)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]


def forget_subscribers(session: Session, subscribers: Iterable[int]) -> None:
    """Drops the messages of subscribers who left, except one being sent right now."""
    session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.subscriber_id.in_(list(subscribers)), OutboxMessage.state != State.SENDING,
        )
    )
