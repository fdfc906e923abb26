"""Headers only a proxy may set: honoured from the configured trusted proxies, dropped from anyone else.

`X-Script-Name` (the path the server is mounted at) makes Radicale and the page prefix every link and
redirect; from an arbitrary client, `X-Script-Name: //evil.example` turned `Location:` and the page's
`<script src>` into links to another host. So it, and the `X-Forwarded-Host/Proto/Prefix` family,
count only when the request comes from one of `[server] trusted_proxies`, and even then only as a
plain absolute path (never scheme-relative `//host`, never a backslash or a control character).
The client address the rest of the edge uses (throttling, the access log) is resolved here too.
"""

from __future__ import annotations

import re
from typing import Any, Final

from caldav_plugin.edge.access_log import client_address, is_trusted
from settlecal.config import ProxyNetwork

CLIENT_KEY: Final = "settlecal.client"
PROXY_HEADERS: Final = ("HTTP_X_SCRIPT_NAME", "HTTP_X_FORWARDED_HOST", "HTTP_X_FORWARDED_PROTO",
                        "HTTP_X_FORWARDED_PREFIX", "HTTP_X_FORWARDED_PORT", "HTTP_FORWARDED")
# Segments of an absolute path, each non-empty: `/calendars`, `/a/b`; nothing that makes `//host`.
_SCRIPT_NAME: Final = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*/?")


def screen(environ: dict[str, Any], trusted: tuple[ProxyNetwork, ...]) -> str | None:
    """Drops proxy headers a client may not set; returns why the request is refused (a trusted proxy
    sent an X-Script-Name that is not a plain path), else None."""
    environ[CLIENT_KEY] = client_address(environ, trusted)
    if not is_trusted(str(environ.get("REMOTE_ADDR", "")), trusted):
        for name in PROXY_HEADERS:
            environ.pop(name, None)
        return None
    script = environ.get("HTTP_X_SCRIPT_NAME")
    if script is not None and not _SCRIPT_NAME.fullmatch(str(script)):
        return "X-Script-Name must be a path such as /calendars"
    return None
