"""Delivering the outbox over SMTP, so that nothing is lost and nothing is sent twice.

For each due message, on one connection: MAIL FROM and RCPT TO first (a refusal there is safe to
retry: nothing was handed over), then the message is committed as `sending`, then DATA, then it is
committed as `sent`. A sender killed between the server's acceptance of DATA and that last commit
leaves the message in `sending`, and it is never resent on its own: the Message-ID, derived from
the release and the subscriber, stays the same if an admin requeues it.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.message
import email.policy
import email.utils
import hashlib
import json
import smtplib
import ssl
from collections.abc import Callable, Iterable

from sqlalchemy import Engine

from settlecal.db.queries import notifications as notifications_db
from settlecal.db.snapshot import reading
from settlecal.db.queries.notifications import OutboxRow
from settlecal.notify import outbox
from settlecal.notify.addresses import AddressInvalid, WireAddress, wire
from settlecal.errors import SettlecalError
from settlecal.notify.config import NotifyConfig, SmtpServer

Clock = Callable[[], datetime.datetime]
# How a message is written out: CRLF line ends, and header lines up to RFC 5322's 998 characters, so
# that List-Unsubscribe stays a plain <URL> (folding a long URL would encode it, and one-click
# unsubscribers do not decode it). The body parts are encoded when set, at 76 characters a line.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)
# The same for a recipient that needs SMTPUTF8: its address goes into `To:` as UTF-8 (RFC 6532).
WIRE_POLICY_UTF8 = WIRE_POLICY.clone(utf8=True)


class SmtpNotConfigured(SettlecalError):
    def __str__(self) -> str:
        return "no SMTP server configured: set SETTLECAL_SMTP_URL (see docs/notifications.md)"


@dataclasses.dataclass(frozen=True, slots=True)
class Delivery:
    """What one run of the sender did, and what is left."""

    sent: int = 0
    deferred: int = 0  # back in the queue, with the time of the next attempt
    failed: int = 0  # refused for good (5xx)
    queued: int = 0  # still queued after the run (deferred ones, and those not yet due)
    uncertain: int = 0  # left in `sending` by a sender that stopped mid-send
    error: str | None = None  # why delivery was deferred, when it was


class _Deferred(Exception):
    """The server refused for now (4xx); the message is queued again."""


class _Failed(Exception):
    """The server refused the message for good (5xx)."""


class _ConnectionLost(Exception):
    """The connection failed; what is not yet handed over goes back to the queue."""


def deliver(engine: Engine, config: NotifyConfig, *, now: datetime.datetime | None = None,
            retry_now: bool = False, only: Iterable[int] | None = None) -> Delivery:
    """Sends the messages that are due (all queued ones with `retry_now`; only these ids with `only`).

    `now` pins the clock (tests step through the back-off with it).
    """
    clock: Clock = (lambda: now) if now is not None else _utcnow
    with reading(engine) as session:
        due = notifications_db.outbox_messages(
            session, states=[outbox.State.QUEUED], due_at=None if retry_now else clock(), ids=only)
    counts = {"sent": 0, "deferred": 0, "failed": 0}
    error = None
    if due:
        if config.smtp is None:
            raise SmtpNotConfigured()
        error = _send_all(engine, config, config.smtp, due, clock, counts)
    return dataclasses.replace(_left(engine, clock()), **counts, error=error)


def _send_all(engine: Engine, config: NotifyConfig, server: SmtpServer, due: list[OutboxRow], clock: Clock,
              counts: dict[str, int]) -> str | None:
    try:
        connection = _connect(server)
    except Exception as error:  # noqa: BLE001  (OSError, SMTPException, or an unencodable host name: all wait)
        reason = _reason("cannot reach the SMTP server", error)
        outbox.defer(engine, (row.id for row in due), clock(), reason)
        counts["deferred"] += len(due)
        return reason
    error_seen = None
    try:
        for index, row in enumerate(due):
            try:
                outcome = _send_one(engine, connection, config, row, clock)
            except _Deferred as refusal:
                error_seen = str(refusal)
                outbox.defer(engine, [row.id], clock(), error_seen)
                counts["deferred"] += 1
            except _Failed as refusal:
                outbox.fail(engine, row.id, clock(), str(refusal))
                counts["failed"] += 1
            except _ConnectionLost as lost:
                error_seen = str(lost)
                rest = [later.id for later in due[index:]]
                outbox.defer(engine, rest, clock(), error_seen)  # leaves a message in `sending` as it is
                counts["deferred"] += len(rest)
                break
            except Exception as error:  # noqa: BLE001  (this message cannot be sent: it fails alone)
                # A message that cannot even be written out (an address smtplib cannot encode, a
                # stored header that no longer parses) must not stop every message queued after it.
                _reset(connection)
                outbox.fail(engine, row.id, clock(), _reason("cannot be sent", error))
                counts["failed"] += 1
            else:
                if outcome is not None:
                    counts[outcome] += 1
    finally:
        try:
            connection.quit()
        except Exception:  # noqa: BLE001  (whatever the goodbye raises, the messages' states are committed)
            connection.close()
    return error_seen


def _send_one(engine: Engine, connection: smtplib.SMTP, config: NotifyConfig, row: OutboxRow,
              clock: Clock) -> str | None:
    """Hands one message over: "sent", "deferred" or "failed"; None when another sender claimed it."""
    sender = email.utils.parseaddr(config.sender)[1] or config.sender
    try:
        recipient = wire(row.recipient)
    except AddressInvalid as error:
        raise _Failed(f"RCPT TO not attempted: {error}") from None
    if recipient.smtputf8 and not connection.has_extn("smtputf8"):
        raise _Failed(f"RCPT TO not attempted: {recipient.address!r} needs SMTPUTF8, which the server does not offer")
    # smtplib writes commands in ASCII unless told otherwise (send_message does this for SMTPUTF8).
    connection.command_encoding = "utf-8" if recipient.smtputf8 else "ascii"
    try:
        _check(connection.mail(sender, ["SMTPUTF8"] if recipient.smtputf8 else []), "MAIL FROM",
               permanent_fails=False)
        _check(connection.rcpt(recipient.address), "RCPT TO", permanent_fails=True)
    except (_Deferred, _Failed):
        _reset(connection)
        raise
    except (OSError, smtplib.SMTPException) as error:
        raise _ConnectionLost(_reason("connection lost", error)) from error
    body = _wire_bytes(row, config, recipient)  # before the claim: what cannot be written fails queued
    if not outbox.claim(engine, row.id, clock()):
        _reset(connection)
        return None
    try:
        # smtplib raises on a refused DATA command, and returns the reply to the message itself.
        code, text = connection.data(body)
    except smtplib.SMTPDataError as refusal:
        code, text = refusal.smtp_code, refusal.smtp_error if isinstance(refusal.smtp_error, bytes) else refusal.smtp_error.encode()
    except (OSError, smtplib.SMTPException) as error:
        # No answer: the server may or may not have taken it. It stays in `sending`.
        raise _ConnectionLost(_reason("connection lost during DATA", error)) from error
    if code == 250:
        outbox.mark_sent(engine, row.id, clock())
        return "sent"
    # Answered, and not with 250: the server did not take the message, so it is safe to retry.
    reason = f"DATA refused: {code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
    if 500 <= code < 600:
        outbox.fail(engine, row.id, clock(), reason)
        return "failed"
    outbox.defer(engine, [row.id], clock(), reason, claimed=True)
    return "deferred"


def _check(reply: tuple[int, bytes], command: str, *, permanent_fails: bool) -> None:
    code, text = reply
    if 200 <= code < 300:
        return
    reason = f"{command} refused: {code} {text.decode('utf-8', 'replace')}"
    if permanent_fails and 500 <= code < 600:
        raise _Failed(reason)
    # A refused sender is the configuration's fault, not the message's: keep it queued.
    raise _Deferred(reason)


def probe(server: SmtpServer) -> None:
    """Connects, greets, logs in and quits, as a delivery would (`settlecal config check`); raises
    OSError or smtplib.SMTPException when that fails."""
    _connect(server).quit()


def _connect(server: SmtpServer) -> smtplib.SMTP:
    connection: smtplib.SMTP
    if server.tls:
        connection = smtplib.SMTP_SSL(server.host, server.port, timeout=server.timeout,
                                      context=ssl.create_default_context())
    else:
        connection = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
    try:
        connection.ehlo_or_helo_if_needed()
        if server.starttls:
            connection.starttls(context=ssl.create_default_context())
            connection.ehlo()
        if server.username:
            connection.login(server.username, server.password or "")
    except BaseException:
        connection.close()
        raise
    return connection


def _wire_bytes(row: OutboxRow, config: NotifyConfig, recipient: WireAddress) -> bytes:
    policy = WIRE_POLICY_UTF8 if recipient.smtputf8 else WIRE_POLICY
    return _mime(row, config, recipient.address).as_bytes(policy=policy)


def _mime(row: OutboxRow, config: NotifyConfig, recipient: str | None = None) -> email.message.EmailMessage:
    """The message as sent. Byte-identical on every attempt: same Message-ID, same MIME boundary."""
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message["From"] = config.sender
    message["To"] = recipient or row.recipient
    message["Subject"] = row.subject
    message["Message-ID"] = row.message_id
    message.set_content(row.text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(row.html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.set_boundary("settlecal-" + hashlib.sha256(row.message_id.encode()).hexdigest()[:32])
    # After the content: setting it drops every Content-* header, Content-Language included.
    for name, value in json.loads(row.headers).items():
        message[name] = value
    return message


def _left(engine: Engine, now: datetime.datetime) -> Delivery:
    with reading(engine) as session:
        counts = notifications_db.outbox_counts(session)
        stuck = notifications_db.outbox_messages(session, states=[outbox.State.SENDING],
                                        claimed_before=now - outbox.SENDING_LEASE)
    return Delivery(queued=counts.get(outbox.State.QUEUED, 0), uncertain=len(stuck))


def _reset(connection: smtplib.SMTP) -> None:
    try:
        connection.rset()
    except (OSError, smtplib.SMTPException):
        pass


def _reason(what: str, error: BaseException) -> str:
    return f"{what}: {type(error).__name__}: {error}"


def _utcnow() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)
