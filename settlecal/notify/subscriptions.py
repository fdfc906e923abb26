"""Subscribers: who is told about changes, for which calendars, in which language.

An admin adds a subscriber confirmed (`settlecal subscribers add`); the web page adds one pending,
queues a message with a confirmation link, and mails nothing else until that link is followed
(double opt-in). Every message carries the subscriber's unsubscribe link; its token is a random
secret of 32 bytes that only confirms or ends that one subscription.
"""

from __future__ import annotations

import dataclasses
import datetime
import secrets
from collections.abc import Iterable

from sqlalchemy import Engine, delete, func, select, update
from sqlalchemy.orm import Session

from settlecal.db.queries import notifications as notifications_db
from settlecal.db.engine import writing
from settlecal.db.snapshot import reading
from settlecal.db.models import OutboxMessage, Subscriber
from settlecal.db.queries.notifications import SubscriberRow
from settlecal.db.schema import upgrade
from settlecal.domain import CalendarFilter, Kind
from settlecal.notify import outbox
from settlecal.notify.addresses import AddressInvalid, normalise
from settlecal.errors import SettlecalError
from settlecal.notify.compose import confirmation_message
from settlecal.i18n.languages import LANGUAGES
from settlecal.notify.config import NotifyConfig

# How many confirmation messages one pending subscription may cause: the form cannot be used to
# flood an address. Across filters, [notify] confirmations_per_address bounds an address's day.
MAX_CONFIRMATIONS = 3
_DAY = datetime.timedelta(days=1)
# A sign-up nobody confirms is dropped after this long (its link stops working).
PENDING_LIFETIME = datetime.timedelta(days=7)


class SubscriberInvalid(SettlecalError):
    def __init__(self, field: str, value: str, problem: str) -> None:
        super().__init__(field, value, problem)
        self.field = field
        self.value = value
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.field} {self.value!r}: {self.problem}"


class UnknownSubscriber(SettlecalError):
    def __init__(self, email: str) -> None:
        super().__init__(email)
        self.email = email

    def __str__(self) -> str:
        return f"no subscriber {self.email}"


@dataclasses.dataclass(frozen=True, slots=True)
class Subscription:
    """What an address asks to follow."""

    email: str
    where: CalendarFilter = dataclasses.field(default_factory=CalendarFilter)
    kinds: frozenset[Kind] | None = None
    lang: str = "en"

    def __post_init__(self) -> None:
        try:
            email = normalise(self.email)
        except AddressInvalid as error:
            raise SubscriberInvalid("e-mail address", error.address, error.problem) from None
        if self.lang not in LANGUAGES:
            raise SubscriberInvalid("language", self.lang, f"choose one of {', '.join(LANGUAGES)}")
        object.__setattr__(self, "email", email)
        object.__setattr__(self, "kinds", frozenset(self.kinds) or None if self.kinds is not None else None)


def add(engine: Engine, subscription: Subscription, *, now: datetime.datetime | None = None) -> SubscriberRow:
    """Subscribes an address, confirmed (an admin vouches for it). The same address with the same
    filter is one subscriber: adding it again updates its language and confirms it."""
    now = now or _now()
    upgrade(engine)
    with writing(engine) as session:
        row = _same(session, subscription) or _new(session, subscription, now)
        row.lang = subscription.lang
        row.confirmed_at = row.confirmed_at or now
        return _row(session, row)


def remove(engine: Engine, email: str) -> list[SubscriberRow]:
    """Ends every subscription of an address, and drops the messages still queued for it."""
    upgrade(engine)
    with writing(engine) as session:
        found = notifications_db.subscribers(session, email=email)
        if not found:
            raise UnknownSubscriber(email)
        _delete(session, [row.id for row in found])
        return found


def listed(engine: Engine) -> list[SubscriberRow]:
    """Every subscriber, confirmed or pending, by address."""
    upgrade(engine)
    with reading(engine) as session:
        return notifications_db.subscribers(session)


def request(engine: Engine, subscription: Subscription, config: NotifyConfig, *,
            now: datetime.datetime | None = None) -> int | None:
    """A subscription asked for on the web page: pending, with a confirmation message queued.

    Returns the outbox id of that message, or None when none was queued (the address already
    follows this filter, or asked too often: for this filter, or for any filter within a day). The
    caller tells the visitor the same either way, so the page does not reveal who subscribes.
    Pending sign-ups older than `config.pending_lifetime` are dropped first.
    """
    now = now or _now()
    with writing(engine) as session:
        _expire(session, now - config.pending_lifetime)
        if _confirmations_since(session, subscription.email, now - _DAY) >= config.confirmations_per_address:
            return None
        row = _same(session, subscription)
        if row is not None and row.confirmed_at is not None:
            return None
        if row is None:
            row = _new(session, subscription, now)
            session.flush()  # its id
        row.lang = subscription.lang
        sent = session.scalars(
            select(OutboxMessage.id).where(OutboxMessage.subscriber_id == row.id, OutboxMessage.release_id.is_(None))
        ).all()
        if len(sent) >= MAX_CONFIRMATIONS:
            return None
        message = confirmation_message(_row(session, row), len(sent) + 1, now, config)
        outbox.queue(session, message, release_id=None, subscriber_id=row.id, now=now)
        session.flush()
        return session.scalars(select(OutboxMessage.id).where(OutboxMessage.message_id == message.message_id)).one()


def confirm(engine: Engine, token: str, *, now: datetime.datetime | None = None,
            pending_lifetime: datetime.timedelta = PENDING_LIFETIME) -> SubscriberRow | None:
    """Confirms the subscription of this token; None when the token is unknown (or unsubscribed),
    or its sign-up waited longer than `pending_lifetime` (it is dropped)."""
    now = now or _now()
    with writing(engine) as session:
        _expire(session, now - pending_lifetime)
        session.execute(
            update(Subscriber).where(Subscriber.token == token, Subscriber.confirmed_at.is_(None))
            .values(confirmed_at=now)
        )
        return notifications_db.subscriber_by_token(session, token)


def unsubscribe(engine: Engine, token: str) -> SubscriberRow | None:
    """Ends the subscription of this token; None when there is none (already ended: a second click)."""
    with writing(engine) as session:
        found = notifications_db.subscriber_by_token(session, token)
        if found is not None:
            _delete(session, [found.id])
        return found


def by_token(engine: Engine, token: str) -> SubscriberRow | None:
    with reading(engine) as session:
        return notifications_db.subscriber_by_token(session, token)


def _expire(session: Session, created_before: datetime.datetime) -> None:
    """Drops pending sign-ups made before `created_before`, with their queued messages."""
    stale = session.scalars(select(Subscriber.id).where(
        Subscriber.confirmed_at.is_(None), Subscriber.created_at < created_before)).all()
    if stale:
        _delete(session, stale)


def _confirmations_since(session: Session, email: str, since: datetime.datetime) -> int:
    """Confirmation messages queued for this address (whatever the filter) since `since`."""
    query = select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.release_id.is_(None), func.lower(OutboxMessage.recipient) == email.lower(),
        OutboxMessage.created_at >= since)
    return int(session.scalar(query) or 0)


def _same(session: Session, subscription: Subscription) -> Subscriber | None:
    where = subscription.where
    kinds = _kinds_text(subscription.kinds)
    for row in session.scalars(select(Subscriber).where(func.lower(Subscriber.email) == subscription.email.lower())):
        if (row.system, row.country, row.currency, row.frequency, row.kinds) == (
            where.system and where.system.value, where.country, where.currency,
            where.frequency and where.frequency.value, kinds,
        ):
            return row
    return None


def _new(session: Session, subscription: Subscription, now: datetime.datetime) -> Subscriber:
    where = subscription.where
    row = Subscriber(
        email=subscription.email, system=where.system and where.system.value, country=where.country,
        currency=where.currency, frequency=where.frequency and where.frequency.value,
        kinds=_kinds_text(subscription.kinds), lang=subscription.lang, token=secrets.token_urlsafe(32),
        created_at=now, confirmed_at=None,
    )
    session.add(row)
    return row


def _row(session: Session, row: Subscriber) -> SubscriberRow:
    session.flush()
    found = notifications_db.subscriber_by_token(session, row.token)
    assert found is not None
    return found


def _delete(session: Session, ids: Iterable[int]) -> None:
    ids = list(ids)
    outbox.forget_subscribers(session, ids)
    session.execute(delete(Subscriber).where(Subscriber.id.in_(ids)))


def _kinds_text(kinds: frozenset[Kind] | None) -> str | None:
    return ",".join(sorted(kind.value for kind in kinds)) if kinds else None


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
