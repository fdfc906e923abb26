"""The SMTP transport: the first `Notifier` (settlecal/notify/notifier.py).

Connecting (TLS, STARTTLS, login), EHLO and SMTPUTF8, MAIL FROM and RCPT TO (`announce`), DATA
(`hand_over`), and what each reply code means for the message. The outbox state machine that calls
it, claim before DATA included, is settlecal/notify/delivery.py.
"""

from __future__ import annotations

import email.message
import email.policy
import email.utils
import hashlib
import json
import smtplib
import ssl

from settlecal.db.queries.notifications import OutboxRow
from settlecal.notify.addresses import AddressInvalid, WireAddress, wire
from settlecal.notify.config import SmtpServer
from settlecal.notify.notifier import ConnectionLost, Deferred, Refused

# How a message is written out: CRLF line ends, and header lines up to RFC 5322's 998 characters, so
# that List-Unsubscribe stays a plain <URL> (folding a long URL would encode it, and one-click
# unsubscribers do not decode it). The body parts are encoded when set, at 76 characters a line.
WIRE_POLICY = email.policy.SMTP.clone(max_line_length=998)
# The same for a recipient that needs SMTPUTF8: its address goes into `To:` as UTF-8 (RFC 6532).
WIRE_POLICY_UTF8 = WIRE_POLICY.clone(utf8=True)


class SmtpNotifier:
    """The `Notifier` for an SMTP server (settlecal/notify/notifier.py)."""

    def __init__(self, server: SmtpServer, sender: str) -> None:
        self.server, self.sender = server, sender

    def connect(self) -> SmtpConnection:
        try:
            return SmtpConnection(_connect(self.server), self.sender)
        except Exception as error:  # noqa: BLE001  (OSError, SMTPException, or an unencodable host name: all wait)
            raise ConnectionLost(_reason("cannot reach the SMTP server", error)) from error


class SmtpConnection:
    """One SMTP session: MAIL FROM and RCPT TO announce a message, DATA hands it over."""

    def __init__(self, connection: smtplib.SMTP, sender: str) -> None:
        self._connection = connection
        self._sender = sender
        self._body: tuple[int, bytes] | None = None  # the announced message, as written out

    def announce(self, message: OutboxRow) -> None:
        connection = self._connection
        self._body = None
        sender = email.utils.parseaddr(self._sender)[1] or self._sender
        try:
            recipient = wire(message.recipient)
        except AddressInvalid as error:
            raise Refused(f"RCPT TO not attempted: {error}") from None
        if recipient.smtputf8 and not connection.has_extn("smtputf8"):
            raise Refused(f"RCPT TO not attempted: {recipient.address!r} needs SMTPUTF8, "
                          "which the server does not offer")
        # smtplib writes commands in ASCII unless told otherwise (send_message does this for SMTPUTF8).
        connection.command_encoding = "utf-8" if recipient.smtputf8 else "ascii"
        try:
            _check(connection.mail(sender, ["SMTPUTF8"] if recipient.smtputf8 else []), "MAIL FROM",
                   permanent_fails=False)
            _check(connection.rcpt(recipient.address), "RCPT TO", permanent_fails=True)
        except (OSError, smtplib.SMTPException) as error:
            raise ConnectionLost(_reason("connection lost", error)) from error
        # Before the claim: what cannot be written out fails while still queued.
        self._body = (message.id, _wire_bytes(message, self._sender, recipient))

    def hand_over(self, message: OutboxRow) -> None:
        if self._body is None or self._body[0] != message.id:
            raise RuntimeError(f"message {message.id} was not announced")
        body, self._body = self._body[1], None
        try:
            # smtplib raises on a refused DATA command, and returns the reply to the message itself.
            code, text = self._connection.data(body)
        except smtplib.SMTPDataError as refusal:
            code = refusal.smtp_code
            text = refusal.smtp_error if isinstance(refusal.smtp_error, bytes) else refusal.smtp_error.encode()
        except (OSError, smtplib.SMTPException) as error:
            # No answer: the server may or may not have taken it. It stays in `sending`.
            raise ConnectionLost(_reason("connection lost during DATA", error)) from error
        if code == 250:
            return
        # Answered, and not with 250: the server did not take the message, so it is safe to retry.
        reason = f"DATA refused: {code} {text.decode('utf-8', 'replace')}"
        if 500 <= code < 600:
            raise Refused(reason)
        raise Deferred(reason)

    def abandon(self) -> None:
        self._body = None
        try:
            self._connection.rset()
        except (OSError, smtplib.SMTPException):
            pass

    def close(self) -> None:
        try:
            self._connection.quit()
        except Exception:  # noqa: BLE001  (whatever the goodbye raises, the messages' states are committed)
            self._connection.close()


def _check(reply: tuple[int, bytes], command: str, *, permanent_fails: bool) -> None:
    code, text = reply
    if 200 <= code < 300:
        return
    reason = f"{command} refused: {code} {text.decode('utf-8', 'replace')}"
    if permanent_fails and 500 <= code < 600:
        raise Refused(reason)
    # A refused sender is the configuration's fault, not the message's: keep it queued.
    raise Deferred(reason)


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


def _wire_bytes(row: OutboxRow, sender: str, recipient: WireAddress) -> bytes:
    policy = WIRE_POLICY_UTF8 if recipient.smtputf8 else WIRE_POLICY
    return _mime(row, sender, recipient.address).as_bytes(policy=policy)


def _mime(row: OutboxRow, sender: str, recipient: str | None = None) -> email.message.EmailMessage:
    """The message as sent. Byte-identical on every attempt: same Message-ID, same MIME boundary."""
    message = email.message.EmailMessage(policy=email.policy.SMTP)
    message["From"] = sender
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


def _reason(what: str, error: BaseException) -> str:
    return f"{what}: {type(error).__name__}: {error}"
