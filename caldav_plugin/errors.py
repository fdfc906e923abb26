"""The plugin's errors. Each is also the exception type Radicale expects at the storage boundary.

Radicale answers 403 to a `ValueError` whose text carries `[Errno 13]` and turns a `ValueError` from
`sync()` into the `valid-sync-token` precondition, so these subclass `ValueError` and say so once,
here, instead of every caller formatting messages for Radicale.
"""

from __future__ import annotations


class CalDavPluginError(Exception):
    """Base of the plugin's errors."""


class ReadOnly(CalDavPluginError, ValueError):
    """A write reached the storage; every calendar is read-only (Radicale: 403)."""

    def __init__(self, action: str, path: str = "") -> None:
        super().__init__(action, path)
        self.action = action
        self.path = path

    def __str__(self) -> str:
        where = f" {self.path!r}" if self.path else ""
        # The errno text is what Radicale maps to 403 Forbidden.
        return f"cannot {self.action}{where}: settlement calendars are read-only [Errno 13]"


class InvalidSyncToken(CalDavPluginError, ValueError):
    """A sync token this database never issued (Radicale: 403 valid-sync-token; clients resync)."""

    def __init__(self, token: str, current: int | None = None) -> None:
        super().__init__(token, current)
        self.token = token
        self.current = current

    def __str__(self) -> str:
        if self.current is None:
            return f"not a sync token of this server: {self.token!r}"
        return f"sync token {self.token!r} is newer than the current revision {self.current}"
