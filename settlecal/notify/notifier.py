"""The seam where a queued message is handed to a mail system: the `Notifier` protocol.

The outbox state machine (settlecal/notify/delivery.py) decides what is due, claims a message before
it is handed over, and records the outcome; a notifier only talks to its mail system. SMTP
(settlecal/notify/smtp.py) is the first implementation; tests use a recording fake
(tests/notify/recording.py). docs/notifications.md, "Other transports", says how to add one.

A message is handed over in two steps, because the outbox must commit `sending` in between:
`announce` does everything that is safe to repeat (SMTP: MAIL FROM, RCPT TO, writing the message
out), `hand_over` passes the point of no return (SMTP: DATA). The exceptions below say how either
step ended when it did not succeed; any other exception fails that one message alone.
"""

from __future__ import annotations

from typing import Protocol

from settlecal.db.queries.notifications import OutboxRow
from settlecal.errors import SettlecalError


class Deferred(Exception):
    """The mail system refused for now (SMTP 4xx); the message is queued again, after the back-off."""


class Refused(Exception):
    """The mail system refused the message for good (SMTP 5xx); it is marked failed."""


class ConnectionLost(Exception):
    """The connection failed, or never came up; what is not yet handed over goes back to the queue.

    Raised by `hand_over`, the message may or may not have been taken: it stays in `sending`.
    """


class NotifierNotConfigured(SettlecalError):
    def __str__(self) -> str:
        return "no SMTP server configured: set SETTLECAL_SMTP_URL (see docs/notifications.md)"


class Connection(Protocol):
    """One session with the mail system; messages are handed over one at a time."""

    def announce(self, message: OutboxRow) -> None:
        """Prepares `message` without handing it over; raises Deferred, Refused or ConnectionLost."""

    def hand_over(self, message: OutboxRow) -> None:
        """Hands the announced message over; returns once the mail system has taken it.

        Raises Deferred or Refused when the mail system answered that it did not take it, and
        ConnectionLost when it did not answer.
        """

    def abandon(self) -> None:
        """Forgets the announced message (SMTP: RSET); never raises."""

    def close(self) -> None:
        """Ends the session; never raises (the messages' states are already committed)."""


class Notifier(Protocol):
    """A mail system the outbox can hand messages to."""

    def connect(self) -> Connection:
        """Opens a session; raises ConnectionLost (with the reason) when the system cannot be reached."""
