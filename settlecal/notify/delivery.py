"""Delivering the outbox through a notifier, so that nothing is lost and nothing is sent twice.

For each due message, in one session with the mail system: the notifier announces it (SMTP: MAIL
FROM, RCPT TO; a refusal there is safe to retry: nothing was handed over), then the message is
committed as `sending`, then the notifier hands it over (SMTP: DATA), then it is committed as `sent`.
A sender killed between the mail system's acceptance and that last commit leaves the message in
`sending`, and it is never resent on its own: the Message-ID, derived from the release and the
subscriber, stays the same if an admin requeues it. This is the only place that runs these steps,
whatever the transport (settlecal/notify/notifier.py).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Iterable

from sqlalchemy import Engine

from settlecal.db.queries import notifications as notifications_db
from settlecal.db.queries.notifications import OutboxRow
from settlecal.db.snapshot import reading
from settlecal.notify import outbox
from settlecal.notify.notifier import (
    Connection, ConnectionLost, Deferred, Notifier, NotifierNotConfigured, Refused,
)

Clock = Callable[[], datetime.datetime]


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """What one run of the sender did, and what is left."""

    sent: int = 0
    deferred: int = 0  # back in the queue, with the time of the next attempt
    failed: int = 0  # refused for good (5xx)
    queued: int = 0  # still queued after the run (deferred ones, and those not yet due)
    uncertain: int = 0  # left in `sending` by a sender that stopped mid-send
    error: str | None = None  # why delivery was deferred, when it was


def deliver(engine: Engine, notifier: Notifier | None, *, now: datetime.datetime | None = None,
            retry_now: bool = False, only: Iterable[int] | None = None) -> Delivery:
    """Sends the messages that are due (all queued ones with `retry_now`; only these ids with `only`).

    `notifier` is None when none is configured: fine while nothing is due. `now` pins the clock
    (tests step through the back-off with it).
    """
    clock: Clock = (lambda: now) if now is not None else _utcnow
    with reading(engine) as session:
        due = notifications_db.outbox_messages(
            session, states=[outbox.State.QUEUED], due_at=None if retry_now else clock(), ids=only)
    counts = {"sent": 0, "deferred": 0, "failed": 0}
    error = None
    if due:
        if notifier is None:
            raise NotifierNotConfigured()
        error = _send_all(engine, notifier, due, clock, counts)
    return dataclasses.replace(_left(engine, clock()), **counts, error=error)


def _send_all(engine: Engine, notifier: Notifier, due: list[OutboxRow], clock: Clock,
              counts: dict[str, int]) -> str | None:
    try:
        connection = notifier.connect()
    except Exception as error:  # noqa: BLE001  (whatever keeps the mail system away, every message waits)
        reason = str(error) if isinstance(error, ConnectionLost) else _reason("cannot connect", error)
        outbox.defer(engine, (row.id for row in due), clock(), reason)
        counts["deferred"] += len(due)
        return reason
    error_seen = None
    try:
        for index, row in enumerate(due):
            try:
                outcome = _send_one(engine, connection, row, clock)
            except Deferred as refusal:
                error_seen = str(refusal)
                outbox.defer(engine, [row.id], clock(), error_seen)
                counts["deferred"] += 1
            except Refused as refusal:
                outbox.fail(engine, row.id, clock(), str(refusal))
                counts["failed"] += 1
            except ConnectionLost as lost:
                error_seen = str(lost)
                rest = [later.id for later in due[index:]]
                outbox.defer(engine, rest, clock(), error_seen)  # leaves a message in `sending` as it is
                counts["deferred"] += len(rest)
                break
            except Exception as error:  # noqa: BLE001  (this message cannot be sent: it fails alone)
                # A message that cannot even be written out (an address the transport cannot encode,
                # a stored header that no longer parses) must not stop every message queued after it.
                connection.abandon()
                outbox.fail(engine, row.id, clock(), _reason("cannot be sent", error))
                counts["failed"] += 1
            else:
                if outcome is not None:
                    counts[outcome] += 1
    finally:
        connection.close()
    return error_seen


def _send_one(engine: Engine, connection: Connection, row: OutboxRow, clock: Clock) -> str | None:
    """Hands one message over: "sent", "deferred" or "failed"; None when another sender claimed it."""
    try:
        connection.announce(row)
    except (Deferred, Refused):
        connection.abandon()
        raise
    if not outbox.claim(engine, row.id, clock()):
        connection.abandon()
        return None
    try:
        connection.hand_over(row)
    except Refused as refusal:
        # Answered, and not taken: safe to retry once someone fixed the cause.
        outbox.fail(engine, row.id, clock(), str(refusal))
        return "failed"
    except Deferred as refusal:
        outbox.defer(engine, [row.id], clock(), str(refusal), claimed=True)
        return "deferred"
    outbox.mark_sent(engine, row.id, clock())
    return "sent"


def _left(engine: Engine, now: datetime.datetime) -> Delivery:
    with reading(engine) as session:
        counts = notifications_db.outbox_counts(session)
        stuck = notifications_db.outbox_messages(session, states=[outbox.State.SENDING],
                                                 claimed_before=now - outbox.SENDING_LEASE)
    return Delivery(queued=counts.get(outbox.State.QUEUED, 0), uncertain=len(stuck))


def _reason(what: str, error: BaseException) -> str:
    return f"{what}: {type(error).__name__}: {error}"


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
