"""A sync token from the future on a read replica: the replica lags, the token is valid.

A client that synced through a server on the primary (or on a replica further ahead) holds a token
of a revision this replica has not replayed yet. Answering it as invalid (Radicale's 403
valid-sync-token) makes the client drop its sync state (Thunderbird turns the calendar read-only),
so a server on a replica answers 503 + Retry-After instead, before Radicale reads anything: the
client retries once the replica has caught up. On a primary a token from the future is still
refused as invalid: it comes from another database.
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
from caldav_plugin.http import Answer
from settlecal.db.availability import is_replica
from settlecal.db.snapshot import reading

_TOKEN: Final = re.compile(rb"<(?:[\w.-]+:)?sync-token>\s*([^<\s]+)\s*</")


def token_ahead(environ: dict[str, Any], method: str, served: int, engine: Engine,
                settings: EdgeSettings) -> Answer | None:
    """503 + Retry-After for a sync-collection whose token is newer than this replica's revision."""
    if method != "REPORT":
        return None
    stream = environ.get("wsgi.input")
    if not isinstance(stream, io.BytesIO):  # the screen put every XML body back as one
        return None
    found = _TOKEN.search(stream.getvalue())
    if found is None:
        return None
    try:
        revision = parse_sync_token(found.group(1).decode("utf-8", "replace"))
    except InvalidSyncToken:
        return None
    if revision <= served:
        return None
    with reading(engine) as session:
        if not is_replica(session):
            return None
    return text_answer("503 Service Unavailable",
                       f"503 Service Unavailable: this server has not yet caught up with revision {revision} "
                       f"(it serves {served}). Try again shortly.\n", method,
                       [("Retry-After", str(settings.retry_after))])
