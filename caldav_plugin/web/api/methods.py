"""The JSON API's answers to methods other than GET and HEAD, given by the WSGI entry before Radicale
sees the request (Radicale answers OPTIONS itself and never hands other methods to the web plugin).

OPTIONS (a CORS preflight, or a plain question) gets 204 with what may be asked; every other method
gets 405 with `Allow`, as a problem document. Neither reads anything: no snapshot, no revision.
"""

from __future__ import annotations

from typing import Final

from caldav_plugin.http import Answer
from caldav_plugin.web.api import answers
_READS: Final = frozenset({"GET", "HEAD"})
# Every version's path, so that a write to a future one is a 405 too, never a 403 about calendars.
_PREFIX: Final = "/.web/api"
PREFLIGHT_MAX_AGE: Final = 86400


def claims(method: str, path: str) -> bool:
    """Whether the request is the API's and not a read (which goes through Radicale to the web plugin)."""
    return method not in _READS and (path == _PREFIX or path.startswith(_PREFIX + "/"))


def answer(method: str) -> Answer:
    if method == "OPTIONS":
        preflight = [
            ("Allow", answers.ALLOWED),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", answers.ALLOWED),
            ("Access-Control-Allow-Headers", "If-None-Match"),
            ("Access-Control-Max-Age", str(PREFLIGHT_MAX_AGE)),
            ("Content-Length", "0"),
        ]
        return Answer("204 No Content", preflight, [])
    headers, body = answers.problem_parts(
        405, "method_not_allowed", f"{method} is not allowed: the API only reads (GET, HEAD, OPTIONS)", None, None)
    listed = [*headers.items(), ("Content-Length", str(len(body)))]
    return Answer(f"405 {answers.phrase(405)}", listed, [body])
