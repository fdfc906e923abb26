"""One access-log record per request on the `settlecal.access` logger: method, path (secret-looking
query parameters masked), status, bytes, duration, revision, and the client's address. Never a header
value.

The client's address is REMOTE_ADDR, unless that is one of `[server] trusted_proxies`: then it is the
nearest address in X-Forwarded-For that is not a trusted proxy (RFC 7239 §7.4: only the hops you trust
tell the truth, so read the list from the right). Nobody else can put an address in the log.
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import logging
import re
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from caldav_plugin.http import Answer
from settlecal.config import ProxyNetwork

ACCESS_LOGGER: Final = "settlecal.access"
# Query parameters whose values never reach a log line.
_SECRET_PARAM: Final = re.compile(r"token|secret|pass|pwd|key|auth|sig|session|code|credential|unsubscribe",
                                  re.IGNORECASE)

access_logger = logging.getLogger(ACCESS_LOGGER)


def logged_path(environ: Mapping[str, Any]) -> str:
    """The request's path, with the values of secret-looking query parameters masked."""
    path = f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '') or '/'}"
    query = str(environ.get("QUERY_STRING") or "")
    if not query:
        return path
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    kept = [(name, "***" if _SECRET_PARAM.search(name) else value) for name, value in pairs]
    return f"{path}?{urllib.parse.urlencode(kept, safe='*,')}"


def client_address(environ: Mapping[str, Any], trusted: tuple[ProxyNetwork, ...]) -> str:
    """The client's address: REMOTE_ADDR, or what the trusted proxies in front of it were told."""
    remote = str(environ.get("REMOTE_ADDR", ""))
    if not is_trusted(remote, trusted):
        return remote
    hops = [hop.strip() for hop in str(environ.get("HTTP_X_FORWARDED_FOR", "")).split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(hop, trusted):
            return hop if _is_address(hop) else remote
    return hops[0] if hops and _is_address(hops[0]) else remote


def is_trusted(address: str, trusted: tuple[ProxyNetwork, ...]) -> bool:
    """Whether `address` is one of the configured trusted proxies."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(parsed in network for network in trusted)


def _is_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def log_access(environ: Mapping[str, Any], method: str, answer: Answer, seconds: float, served: int | None,
               trusted: tuple[ProxyNetwork, ...] = ()) -> None:
    if not access_logger.isEnabledFor(logging.INFO):
        return
    record = {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "remote": client_address(environ, trusted),
        "method": method,
        "path": logged_path(environ),
        "status": int(answer.status.split(" ", 1)[0]),
        "bytes": sum(len(chunk) for chunk in answer.body),
        "duration_ms": round(seconds * 1000, 2),
        "revision": served,
    }
    access_logger.info("%s", json.dumps(record, ensure_ascii=True), extra={"access": record})
