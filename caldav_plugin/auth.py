"""Radicale's htpasswd login (`[auth] type = caldav_plugin.auth` in a private server's configuration),
where an unknown user costs the same time as a wrong password.

Radicale answers an unknown user at once but checks a wrong password against its bcrypt hash (tens
to hundreds of milliseconds), which tells a guesser which user names exist. Here an unknown user's
password is checked against a hash of the same cost, so the two are told apart neither by the
answer nor by its time.
"""

from __future__ import annotations

import re
import threading

from radicale.auth import htpasswd

_BCRYPT = re.compile(r"^\$2[abxy]?\$(\d{2})\$")


class Auth(htpasswd.Auth):
    def __init__(self, configuration: object) -> None:
        super().__init__(configuration)  # type: ignore[arg-type]
        self._dummies: dict[int, str] = {}
        self._dummy_lock = threading.Lock()

    def _login(self, login: str, password: str) -> str:
        user: str = super()._login(login, password)
        if user:
            return user
        users = self._users()
        if login not in users:
            self._verify(self._dummy(users), password)  # the work a wrong password costs; the answer stays ""
        return ""

    def _users(self) -> dict[str, str]:
        found: dict[str, str] = self._read_htpasswd(False, True)[3]
        return found

    def _dummy(self, users: dict[str, str]) -> str:
        """A bcrypt hash of the cost the file's hashes use (htpasswd -B: 5; others choose more)."""
        import bcrypt  # as Radicale does: only a bcrypt htpasswd file needs it (pip install 'settlecal[auth]')

        cost = next((int(match.group(1)) for digest in users.values() if (match := _BCRYPT.match(digest))), 5)
        with self._dummy_lock:
            if cost not in self._dummies:
                self._dummies[cost] = bcrypt.hashpw(b"no such user", bcrypt.gensalt(cost)).decode()
            return self._dummies[cost]
