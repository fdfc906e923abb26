"""Which notifier the configuration asks for: the one place the CLI and the page get theirs from."""

from __future__ import annotations

from settlecal.notify.config import NotifyConfig
from settlecal.notify.notifier import Notifier
from settlecal.notify.smtp import SmtpNotifier


def notifier_for(config: NotifyConfig) -> Notifier | None:
    """The configured notifier; None when none is (messages then stay queued in the outbox)."""
    server = config.smtp
    return None if server is None else SmtpNotifier(server, config.sender)
