"""A recording `Notifier` (settlecal/notify/notifier.py) for tests of the outbox state machine:
it keeps what would have been sent, and refuses, defers or loses the connection when told to."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sqlalchemy import Engine

from settlecal.db.queries import notifications as notifications_db
from settlecal.db.queries.notifications import OutboxRow
from settlecal.db.snapshot import reading
from settlecal.notify.notifier import ConnectionLost, Deferred, Refused


@dataclasses.dataclass
class RecordingNotifier:
    """What each setting does is what an SMTP server's answer would (docs/notifications.md)."""

    engine: Engine | None = None  # when given, the message's outbox state is read at each hand-over
    unreachable: str | None = None  # connect() fails with this reason
    refused: dict[str, str] = dataclasses.field(default_factory=dict)  # recipient → refusal for good
    deferred: dict[str, str] = dataclasses.field(default_factory=dict)  # recipient → refusal for now
    unwritable: set[str] = dataclasses.field(default_factory=set)  # recipients whose message cannot be written
    hand_over_refused: str | None = None  # "4xx …" or "5xx …": the answer to the hand-over itself
    on_announce: Callable[[OutboxRow], None] | None = None  # e.g. another sender claims it meanwhile
    lose_at_hand_over: bool = False  # the connection drops while handing over, after the system took it
    sent: list[OutboxRow] = dataclasses.field(default_factory=list)  # what was handed over, in order
    announced: list[str] = dataclasses.field(default_factory=list)  # recipients, in order
    abandoned: int = 0
    states_at_hand_over: list[str] = dataclasses.field(default_factory=list)
    sessions: int = 0  # connections opened
    open_sessions: int = 0  # connections not yet closed

    def connect(self) -> RecordingConnection:
        if self.unreachable is not None:
            raise ConnectionLost(f"cannot reach the recording notifier: {self.unreachable}")
        self.sessions += 1
        self.open_sessions += 1
        return RecordingConnection(self)

    @property
    def recipients(self) -> list[str]:
        return [row.recipient for row in self.sent]


class RecordingConnection:
    def __init__(self, notifier: RecordingNotifier) -> None:
        self.notifier = notifier
        self.announced: int | None = None

    def announce(self, message: OutboxRow) -> None:
        notifier = self.notifier
        notifier.announced.append(message.recipient)
        if notifier.on_announce is not None:
            notifier.on_announce(message)
        if message.recipient in notifier.unwritable:
            raise UnicodeEncodeError("ascii", message.recipient, 0, 1, "cannot be written out")
        if message.recipient in notifier.refused:
            raise Refused(notifier.refused[message.recipient])
        if message.recipient in notifier.deferred:
            raise Deferred(notifier.deferred[message.recipient])
        self.announced = message.id

    def hand_over(self, message: OutboxRow) -> None:
        notifier = self.notifier
        assert self.announced == message.id, "handed over without being announced"
        self.announced = None
        if notifier.engine is not None:
            with reading(notifier.engine) as session:
                [row] = notifications_db.outbox_messages(session, ids=[message.id])
            notifier.states_at_hand_over.append(row.state)
        if notifier.hand_over_refused is not None:
            answer = notifier.hand_over_refused
            raise (Refused if answer.startswith("5") else Deferred)(answer)
        notifier.sent.append(message)
        if notifier.lose_at_hand_over:
            raise ConnectionLost("connection lost during the hand-over")

    def abandon(self) -> None:
        self.announced = None
        self.notifier.abandoned += 1

    def close(self) -> None:
        self.notifier.open_sessions -= 1
