"""What a state-changing POST must show before it is acted on: that it comes from our own page.

- `Origin`, when the browser sends one (every current browser does on a POST), names this server:
  the origin the request was addressed to, or the configured public URL. A form on another site
  posting into ours with a visitor's browser is refused.
- The sign-up form carries a CSRF token that must equal the one in the cookie set with the form
  (double submit): another site can neither read the cookie nor set it (SameSite=Strict, HttpOnly).
- The body is a form (`application/x-www-form-urlencoded`): a cross-site `text/plain` POST, which
  browsers send without asking, is refused.

Confirm and unsubscribe links carry their subscription's secret token, which only its mailbox has:
that token is their CSRF token, and RFC 8058 one-click unsubscribes (posted by mail providers,
without a cookie) keep working.
"""

from __future__ import annotations

import hmac
import secrets
import urllib.parse
from collections.abc import Mapping
from http import cookies
from typing import Any, Final

CSRF_FIELD: Final = "csrf"
CSRF_COOKIE: Final = "settlecal_csrf"
FORM_TYPE: Final = "application/x-www-form-urlencoded"


class Refusal(Exception):
    """The POST is not acted on; `status` and `reason` say why (the page shows the reason)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(status, reason)
        self.status = status
        self.reason = reason


def new_token() -> str:
    return secrets.token_urlsafe(24)


def cookie(token: str, path: str) -> str:
    """The Set-Cookie header that goes with a form holding `token`."""
    return f"{CSRF_COOKIE}={token}; Path={path}; HttpOnly; SameSite=Strict; Max-Age=86400"


def check_origin(environ: Mapping[str, Any], public_url: str | None) -> None:
    origin = str(environ.get("HTTP_ORIGIN") or "").strip()
    if not origin:
        return  # not a browser's cross-site form (they all send Origin with a POST)
    if origin.lower().rstrip("/") not in _own_origins(environ, public_url):
        raise Refusal(403, "origin")


def check_form(environ: Mapping[str, Any], form: Mapping[str, str]) -> None:
    """The sign-up POST: a form body whose CSRF field matches its cookie."""
    content_type = str(environ.get("CONTENT_TYPE") or "").split(";")[0].strip().lower()
    if content_type != FORM_TYPE:
        raise Refusal(415, "content-type")
    sent = form.get(CSRF_FIELD, "")
    kept = _cookie(environ)
    if not sent or not kept or not hmac.compare_digest(sent.encode(), kept.encode()):
        raise Refusal(403, "csrf")


def _own_origins(environ: Mapping[str, Any], public_url: str | None) -> set[str]:
    scheme = str(environ.get("wsgi.url_scheme", "http"))
    own = set()
    host = str(environ.get("HTTP_HOST") or "").strip().lower()
    if host:
        own.add(f"{scheme}://{host}")
        default = ":443" if scheme == "https" else ":80"
        own.add(f"{scheme}://{host.removesuffix(default)}")
    if public_url:
        parts = urllib.parse.urlsplit(public_url)
        own.add(f"{parts.scheme}://{parts.netloc}".lower())
    return own


def _cookie(environ: Mapping[str, Any]) -> str:
    jar: cookies.SimpleCookie = cookies.SimpleCookie()
    try:
        jar.load(str(environ.get("HTTP_COOKIE") or ""))
    except cookies.CookieError:
        return ""
    found = jar.get(CSRF_COOKIE)
    return found.value if found is not None else ""
