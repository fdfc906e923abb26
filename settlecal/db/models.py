"""The tables: calendars, their periods and key dates, releases and the change log.

Every write happens in a release, and a release's id is the global revision: it rises by one with each
import or rollback, and a key date's `revision` is the release that last changed how it renders. That one
number drives CalDAV sync tokens, ETags, SEQUENCE and LAST-MODIFIED.

Removed key dates stay as rows with `removed = True`, so their UID keeps its SEQUENCE if they come
back, and a sync since an older revision can report them as deleted.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Final, Optional

from sqlalchemy import (
    Date,
    DateTime,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from settlecal.domain import MAX_PERIOD_CODE, CalendarKey, Frequency, System

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Ids are handed out by the importer while it holds the write lock (see settlecal/releases/apply.py), so bulk
# inserts know their keys up front; the database never generates them.
Id = Annotated[int, mapped_column(primary_key=True, autoincrement=False)]
# The largest id or revision the tables hold on every backend (PostgreSQL's `integer` has 32 bits). A
# larger number names nothing, and must not reach a query: PostgreSQL refuses it as a parameter.
MAX_ID: Final = 2**31 - 1
# A release id. Deliberately no foreign key, here and on other columns that only copy a key the
# writer has just created (key_date.calendar_id, change.release_id): PostgreSQL checks a foreign
# key with a query per row, which made a million-row COPY half again as slow, and the writer stamps
# nothing but the release it inserted first in the same transaction.
Revision = Annotated[int, mapped_column()]
Day = Annotated[datetime.date, mapped_column(Date)]
Cutoff = Annotated[Optional[str], mapped_column(String(5))]
# Wide enough for every System value (`CASS-IMPORT`).
SYSTEM_WIDTH: Final = 11


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Calendar(Base):
    """One system/country/currency/frequency combination: one CalDAV collection."""

    __tablename__ = "calendar"
    __table_args__ = (UniqueConstraint("system", "country", "currency", "frequency"),)

    id: Mapped[Id]
    system: Mapped[str] = mapped_column(String(SYSTEM_WIDTH))
    country: Mapped[str] = mapped_column(String(2))
    currency: Mapped[str] = mapped_column(String(3))
    frequency: Mapped[str] = mapped_column(String(20))
    # The last revision that changed any of its key dates: the collection's ETag and sync token.
    revision: Mapped[Revision]
    # The operation's IANA zone, in which its cut-off times are wall-clock times: the release's
    # `timezone`, else the country's principal zone (settlecal.zones.country_zone).
    timezone: Mapped[str] = mapped_column(String(64))
    # The member countries of the multi-country operation the calendar belongs to, `AE|BH|OM` as the
    # release gave them (each member has its own calendar), None for a single country.
    members: Mapped[Optional[str]] = mapped_column(String(100))

    periods: Mapped[list[Period]] = relationship(back_populates="calendar")

    @property
    def key(self) -> CalendarKey:
        return CalendarKey(System(self.system), self.country, self.currency, Frequency(self.frequency))


class Period(Base):
    """A reporting or billing period; its code is the operator's label, unique within its calendar."""

    __tablename__ = "period"
    __table_args__ = (
        UniqueConstraint("calendar_id", "code"),
        Index("ix_period_calendar_year", "calendar_id", "year"),
    )

    id: Mapped[Id]
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendar.id"))
    code: Mapped[str] = mapped_column(String(MAX_PERIOD_CODE))
    start: Mapped[Day]
    end: Mapped[Day]
    # The calendar year a release speaks for: the one holding most of the period's days
    # (settlecal.domain.period_year), unless the release gave another in its `year` column.
    year: Mapped[int]
    remarks: Mapped[Optional[str]] = mapped_column(Text)
    # The canonical text of its key dates in force (settlecal.releases.diff.fingerprint), None when it has
    # none: a re-import compares these instead of re-reading every key date.
    fingerprint: Mapped[Optional[str]] = mapped_column(Text)

    calendar: Mapped[Calendar] = relationship(back_populates="periods")
    key_dates: Mapped[list[KeyDate]] = relationship(back_populates="period")


class KeyDate(Base):
    """One dated event of a period: the period span itself, billing, remittance, settlement, ..."""

    __tablename__ = "key_date"
    __table_args__ = (
        UniqueConstraint("period_id", "kind"),
        Index("ix_key_date_calendar_date", "calendar_id", "date"),
        Index("ix_key_date_calendar_revision", "calendar_id", "revision"),
    )

    id: Mapped[Id]
    calendar_id: Mapped[int]  # the period's, copied so that per-calendar indexes need no join
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    kind: Mapped[str] = mapped_column(String(20))
    date: Mapped[Day]
    # Last day, inclusive: the period's end for the `period` kind, else the same as `date`. Stored
    # so that time-range queries are one indexed comparison for every kind.
    end: Mapped[Day]
    cutoff: Mapped[Cutoff]
    sequence: Mapped[int]
    revision: Mapped[Revision]
    removed: Mapped[bool]

    period: Mapped[Period] = relationship(back_populates="key_dates")


class Release(Base):
    """An import or a rollback. Its id is the revision it created."""

    __tablename__ = "release"

    id: Mapped[Id]
    action: Mapped[str] = mapped_column(String(10))  # "import" or "rollback"
    file_name: Mapped[Optional[str]] = mapped_column(String(255))
    sha256: Mapped[Optional[str]] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(100))
    note: Mapped[Optional[str]] = mapped_column(Text)
    rows: Mapped[int]
    calendars: Mapped[int]
    added: Mapped[int]
    moved: Mapped[int]
    changed: Mapped[int]
    removed: Mapped[int]
    # For a rollback: the import it undid. An import with a rollback pointing at it is no longer in force.
    undoes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("release.id"), unique=True)


class Change(Base):
    """One key date's change in one release, with its state before and after.

    `added` has no old state, `removed` no new one; `moved` changed the dates, `changed` only the
    cut-off or the period's remarks. The old state is what a rollback restores.
    """

    __tablename__ = "change"

    id: Mapped[Id]
    release_id: Mapped[int] = mapped_column(index=True)
    key_date_id: Mapped[int] = mapped_column(ForeignKey("key_date.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    old_date: Mapped[Optional[datetime.date]] = mapped_column(Date)
    old_end: Mapped[Optional[datetime.date]] = mapped_column(Date)
    old_cutoff: Mapped[Cutoff]
    old_remarks: Mapped[Optional[str]] = mapped_column(Text)
    new_date: Mapped[Optional[datetime.date]] = mapped_column(Date)
    new_end: Mapped[Optional[datetime.date]] = mapped_column(Date)
    new_cutoff: Mapped[Cutoff]
    new_remarks: Mapped[Optional[str]] = mapped_column(Text)


class StoredRender(Base):
    """One calendar revision rendered once for the whole deployment: every worker and host reads its
    bytes instead of rendering them again (settlecal/renders.py writes it, the server reads it).

    `variant` names what else the bytes depend on: the render version and the refresh interval
    (`"2/720"`). `events` is the per-event index of the body (href, UID, ETag, time range,
    Last-Modified, byte offset and length), from which CalDAV answers are built without rendering.
    Rows are derived data: deleting them only costs a render.
    """

    __tablename__ = "calendar_render"

    calendar_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    variant: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    gzipped: Mapped[bytes] = mapped_column(LargeBinary)
    events: Mapped[str] = mapped_column(Text)


# ---------------------------------------------------------------------------------------------
# Change notifications (settlecal/notify/subscriptions.py, settlecal/notify/outbox.py). These rows are not part of a
# release, so their ids are ordinary autoincrement keys, never reused (`sqlite_autoincrement`): a
# Message-ID names its subscriber's id, and a reused id could make a receiver drop a new message
# as a duplicate of an old one.


class Subscriber(Base):
    """An e-mail address that follows the calendars matching its filter, in its language.

    A filter column left empty matches every calendar, `kinds` (comma-separated, sorted) limits the
    key-date kinds, None meaning all. `token` is the random secret of its confirm and unsubscribe
    links. A subscriber who signed up on the web page gets mail only once `confirmed_at` is set.
    """

    __tablename__ = "subscriber"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    system: Mapped[Optional[str]] = mapped_column(String(SYSTEM_WIDTH))
    country: Mapped[Optional[str]] = mapped_column(String(2))
    currency: Mapped[Optional[str]] = mapped_column(String(3))
    frequency: Mapped[Optional[str]] = mapped_column(String(20))
    kinds: Mapped[Optional[str]] = mapped_column(String(200))
    lang: Mapped[str] = mapped_column(String(5))
    token: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    confirmed_at: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime(timezone=True))


class OutboxMessage(Base):
    """One e-mail to deliver: composed in the transaction that made the change, sent after it.

    `state` goes queued → sending (committed before the SMTP DATA command) → sent, or back to
    queued with a later `next_attempt_at` when the server is down or answers 4xx, or to failed on a
    5xx answer. A message left in `sending` may have been delivered: it is never resent on its own.
    `message_id` is the Message-ID header, derived from the release and the subscriber.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        Index("ix_outbox_message_state_due", "state", "next_attempt_at"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(250), unique=True)
    release_id: Mapped[Optional[int]] = mapped_column(index=True)  # None: a confirmation request
    subscriber_id: Mapped[int] = mapped_column(index=True)  # no foreign key: sent mail outlives it
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    headers: Mapped[str] = mapped_column(Text)  # JSON object of the extra headers
    state: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int]
    created_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    next_attempt_at: Mapped[datetime.datetime] = mapped_column(DateTime(timezone=True))
    claimed_at: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[Optional[datetime.datetime]] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[Optional[str]] = mapped_column(Text)
