"""`/.web/health`, for load balancers and monitoring, answered before Radicale, with no login.

    200 {"status": "ok", "database": "ok", "revision": 42, "schema": "0002", "schema_expected": "0002",
         "writes": "ok", "version": "0.2.0"}

- 503 `unavailable` (with Retry-After) when the database cannot be read, or its schema is not the one
  this code needs (`settlecal migrate` was not run, or a newer settlecal migrated it): a load balancer
  takes the host out.
- 200 `degraded` when calendars are served but the page's writes (sign-ups, unsubscribes) fail (the
  primary, `[database] write_url`, is unreachable or read-only), or a newer settlecal has migrated the
  database and this host still runs the old code (an upgrade in progress). Every host shares the
  primary and the schema, so taking hosts out would not help; monitoring alerts on any status but `ok`.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy import Engine

from caldav_plugin.edge.answers import REVISION_HEADER, text_answer
from caldav_plugin.edge.settings import EdgeSettings
from caldav_plugin.http import Answer
from settlecal.db import queries
from settlecal.db.availability import describe, secrets_of, writable
from settlecal.db.schema import status as schema_status
from settlecal.db.snapshot import reading
from settlecal.version import version

logger = logging.getLogger("settlecal")


def revision(engine: Engine) -> int:
    """The global revision the current request snapshot sees (one indexed query)."""
    with reading(engine) as session:
        return queries.current_revision(session)


def writes(engine: Engine) -> str:
    """"ok" when the page's writes can go to `engine`, else "read-only" or "unreachable"."""
    try:
        found = writable(engine)
    except Exception as error:  # any failure means sign-ups would fail
        logger.warning("health check: the page's writes would fail (%s)", describe(error, secrets_of(engine)))
        return "unreachable"
    if found != "ok":
        logger.warning("health check: the page's writes would fail (the database is %s)", found)
    return found


def health(engine: Engine, write_engine: Engine, settings: EdgeSettings, method: str) -> tuple[Answer, int | None]:
    """The health answer, and the revision it read (None when it could not)."""
    if method not in ("GET", "HEAD"):
        return text_answer("405 Method Not Allowed", "405 Method Not Allowed\n", method, [("Allow", "GET, HEAD")]), None
    document: dict[str, Any] = {"status": "ok", "version": version(), "database": "ok", "revision": None}
    try:
        document["revision"] = revision(engine)
        schema = schema_status(engine)
    except Exception as error:  # any failure to read is "not healthy" for a load balancer
        logger.warning("health check: database unavailable (%s)", describe(error, secrets_of(engine)))
        document.update(status="unavailable", database="unreachable")
        return _answer("503 Service Unavailable", document, method, settings), None
    document.update(schema=schema.current, schema_expected=schema.head)
    if not schema.known:  # migrated by a newer settlecal: the window of an upgrade, until this host restarts
        document.update(status="degraded", database="newer schema")
    elif not schema.is_current:
        logger.warning("health check: the database is at schema %s, this server needs %s: run `settlecal migrate`",
                       schema.current, schema.head)
        document.update(status="unavailable", database="schema mismatch")
        return _answer("503 Service Unavailable", document, method, settings), document["revision"]
    document["writes"] = writes(write_engine)
    if document["writes"] != "ok":
        document["status"] = "degraded"
    return _answer("200 OK", document, method, settings), document["revision"]


def _answer(status: str, document: dict[str, Any], method: str, settings: EdgeSettings) -> Answer:
    body = (json.dumps(document, sort_keys=True) + "\n").encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))), ("Cache-Control", "no-store")]
    if status.startswith("503"):
        headers.append(("Retry-After", str(settings.retry_after)))
    if document["revision"] is not None:
        headers.append((REVISION_HEADER, str(document["revision"])))
    return Answer(status, headers, [] if method == "HEAD" else [body])
