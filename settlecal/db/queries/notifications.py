"""Reads of change notifications: subscribers and the outbox of messages to them.

Like `queries`, functions take the session first and return plain values, never ORM objects.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from settlecal.db.models import OutboxMessage, Subscriber
from settlecal.db.queries.calendars import utc
from settlecal.domain import CalendarFilter, Frequency, Kind, System


@dataclasses.dataclass(frozen=True, slots=True)
class SubscriberRow:
    id: int
    email: str
    where: CalendarFilter
    kinds: frozenset[Kind] | None  # None: every kind
    lang: str
    token: str
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None


@dataclasses.dataclass(frozen=True, slots=True)
class OutboxRow:
    id: int
    message_id: str
    release_id: int | None
    subscriber_id: int
    recipient: str
    subject: str
    text: str
    html: str
    headers: str
    state: str
    attempts: int
    created_at: datetime.datetime
    next_attempt_at: datetime.datetime
    claimed_at: datetime.datetime | None
    sent_at: datetime.datetime | None
    last_error: str | None


def subscribers(session: Session, *, email: str | None = None, confirmed: bool | None = None) -> list[SubscriberRow]:
    """Subscribers by e-mail address, then by id; of one address, confirmed or pending ones only."""
    query = select(Subscriber).order_by(Subscriber.email, Subscriber.id)
    if email is not None:
        query = query.where(func.lower(Subscriber.email) == email.lower())
    if confirmed is not None:
        query = query.where(Subscriber.confirmed_at.is_not(None) if confirmed else Subscriber.confirmed_at.is_(None))
    return [_subscriber_row(row) for row in session.scalars(query)]


def subscriber_by_token(session: Session, token: str) -> SubscriberRow | None:
    row = session.scalars(select(Subscriber).where(Subscriber.token == token)).one_or_none()
    return None if row is None else _subscriber_row(row)


def outbox_messages(
    session: Session,
    *,
    states: Iterable[str] | None = None,
    due_at: datetime.datetime | None = None,
    claimed_before: datetime.datetime | None = None,
    ids: Iterable[int] | None = None,
) -> list[OutboxRow]:
    """Outbox messages in the order they were queued: in these states, due by `due_at`, claimed
    (moved to `sending`) before `claimed_before`, or with these ids."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if states is not None:
        query = query.where(OutboxMessage.state.in_(list(states)))
    if due_at is not None:
        query = query.where(OutboxMessage.next_attempt_at <= due_at)
    if claimed_before is not None:
        query = query.where(OutboxMessage.claimed_at < claimed_before)
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(list(ids)))
    return [_outbox_row(row) for row in session.scalars(query)]


def outbox_counts(session: Session) -> dict[str, int]:
    """How many messages are in each state."""
    query = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    return {state: count for state, count in session.execute(query)}


def _subscriber_row(row: Subscriber) -> SubscriberRow:
    where = CalendarFilter(
        System(row.system) if row.system else None, row.country, row.currency,
        Frequency(row.frequency) if row.frequency else None,
    )
    kinds = frozenset(Kind(kind) for kind in row.kinds.split(",")) if row.kinds else None
    return SubscriberRow(row.id, row.email, where, kinds, row.lang, row.token, utc(row.created_at),
                         row.confirmed_at and utc(row.confirmed_at))


def _outbox_row(row: OutboxMessage) -> OutboxRow:
    return OutboxRow(
        row.id, row.message_id, row.release_id, row.subscriber_id, row.recipient, row.subject, row.text,
        row.html, row.headers, row.state, row.attempts, utc(row.created_at), utc(row.next_attempt_at),
        row.claimed_at and utc(row.claimed_at), row.sent_at and utc(row.sent_at), row.last_error,
    )
