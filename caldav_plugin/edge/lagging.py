"""A sync token or ETag from the future on a read replica: the replica lags, the client is right.

A client that synced or downloaded through a server on the primary (or on a replica further ahead)
holds a sync token, or an If-None-Match tag (caldav_plugin/etags.py), of a revision this replica has
not replayed yet. Answering the token as invalid (Radicale's 403 valid-sync-token) makes the client
drop its sync state (Thunderbird turns the calendar read-only); answering the tag with a 200 hands it
an older calendar than the one it holds. So a server on a replica answers 503 + Retry-After instead,
before anything is read: the client retries once the replica has caught up. On a primary a token or
tag from the future is treated as any other: it comes from another database.
"""

from __future__ import annotations

import io
import re
from typing import Any, Final

from sqlalchemy import Engine

from caldav_plugin.collection import parse_sync_token
from caldav_plugin.edge.answers import text_answer
from caldav_plugin.edge.settings import EdgeSettings
from caldav_plugin.errors import InvalidSyncToken
from caldav_plugin.etags import newest_revision
from caldav_plugin.http import Answer
from settlecal.db.availability import is_replica
from settlecal.db.snapshot import reading

_TOKEN: Final = re.compile(rb"<(?:[\w.-]+:)?sync-token>\s*([^<\s]+)\s*</")


def ahead(environ: dict[str, Any], method: str, served: int, engine: Engine,
          settings: EdgeSettings) -> Answer | None:
    """503 + Retry-After for a request naming a revision newer than this replica's."""
    revision = _held(environ, method)
    if revision is None or revision <= served:
        return None
    with reading(engine) as session:
        if not is_replica(session):
            return None
    return text_answer("503 Service Unavailable",
                       f"503 Service Unavailable: this server has not yet caught up with revision {revision} "
                       f"(it serves {served}). Try again shortly.\n", method,
                       [("Retry-After", str(settings.retry_after))])


def _held(environ: dict[str, Any], method: str) -> int | None:
    """The revision the client says it holds: its If-None-Match tags' on a GET or HEAD, its sync
    token's on a REPORT."""
    if method in ("GET", "HEAD"):
        return newest_revision(environ.get("HTTP_IF_NONE_MATCH"))
    if method != "REPORT":
        return None
    stream = environ.get("wsgi.input")
    if not isinstance(stream, io.BytesIO):  # the screen put every XML body back as one
        return None
    found = _TOKEN.search(stream.getvalue())
    if found is None:
        return None
    try:
        return parse_sync_token(found.group(1).decode("utf-8", "replace"))
    except InvalidSyncToken:
        return None
