"""Short answers the edge gives itself, and the header that names the revision an answer was read at."""

from __future__ import annotations

from typing import Final

from caldav_plugin.http import Answer

HEALTH_PATH: Final = "/.web/health"
REVISION_HEADER: Final = "X-Settlecal-Revision"
_TEXT: Final = "text/plain; charset=utf-8"


def text_answer(status: str, text: str, method: str, headers: list[tuple[str, str]] | None = None) -> Answer:
    body = text.encode("utf-8")
    all_headers = [("Content-Type", _TEXT), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-store"), *(headers or [])]
    return Answer(status, all_headers, [] if method == "HEAD" else [body])


def with_revision(answer: Answer, served: int) -> Answer:
    return Answer(answer.status, [*answer.headers, (REVISION_HEADER, str(served))], answer.body)
