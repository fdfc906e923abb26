"""Subscribing to change notifications from the web page, with double opt-in and one-click unsubscribe.

    GET  /.web/subscriptions?system=…&country=…&kind=…&lang=…   a form for that filter
    POST /.web/subscriptions                                     pending subscriber + confirmation mail
    GET  /.web/subscriptions/confirm?token=…                     a page with a Confirm button
    POST /.web/subscriptions/confirm?token=…                     confirms
    GET  /.web/subscriptions/unsubscribe?token=…                 a page with an Unsubscribe button
    POST /.web/subscriptions/unsubscribe?token=…                 unsubscribes (RFC 8058 one-click too)

A GET never changes anything: mail scanners and link previews follow links in messages, and must
neither confirm a subscription nobody asked for nor end one (RFC 8058 §3). The subscribe form tells
every visitor the same thing whether or not the address already follows the filter, and whether or
not a limit held its message back. Every POST passes guard.py (Origin; the sign-up also a CSRF token
and a form body); forms post to the server the page came from (relative links).
"""

from __future__ import annotations

import functools
import logging
import urllib.parse
from collections.abc import Mapping
from typing import Any

import jinja2
from radicale import types as radicale_types
from sqlalchemy import Engine

from caldav_plugin.web import guard, responses, signups
from settlecal.db.queries.notifications import SubscriberRow
from settlecal.filters import FilterInvalid, calendar_filter
from settlecal.notify import subscriptions as subscribers_lib
from settlecal.i18n.languages import DEFAULT_LANGUAGE, LANGUAGES, language
from settlecal.i18n.translator import Translator, translator
from settlecal.notify.wording import following
from settlecal.notify.config import NotifyConfig, load_config

PREFIX = "/.web/subscriptions"
MAX_FORM_BYTES = 8192
_FILTER_FIELDS = ("system", "country", "currency", "frequency", "kind")
logger = logging.getLogger(__name__)


def handle(
    environ: Mapping[str, Any], path: str, engine: Engine, *, origin: str | None, base: str = "",
    limiter: signups.ClientLimiter | None = None,
) -> radicale_types.WSGIResponse:
    """Answers a request for `path` (`/.web/subscriptions…`); `origin` is the configured public base
    URL, if any (else `SETTLECAL_PUBLIC_URL` or the default): the links in e-mails. `base` is the
    path the server is mounted at (a trusted proxy's X-Script-Name): the forms' and links' prefix.
    `limiter` counts sign-ups per client address (the web plugin's; None: no such limit)."""
    method = environ.get("REQUEST_METHOD", "GET").upper()
    action = path.removeprefix(PREFIX).strip("/")
    query = _params(environ.get("QUERY_STRING", ""))
    form = _params(_body(environ)) if method == "POST" else {}
    params = {**query, **form}
    t = translator(language(params.get("lang")) or DEFAULT_LANGUAGE)
    config = load_config(public_url=origin)
    view = _View(t, config, base)
    if method == "POST":
        try:
            guard.check_origin(environ, origin)
            if action == "":
                guard.check_form(environ, form)
        except guard.Refusal as refusal:
            return view.page("error", status=refusal.status, message=_refused(t, refusal))
    if action == "" and method == "GET":
        return _form(view, params)
    if action == "" and method == "POST":
        allowed = limiter is None or limiter.allow(_client(environ), view.config.confirmations_per_client)
        return _subscribe(view, params, engine, allowed)
    if action in ("confirm", "unsubscribe") and method in ("GET", "POST"):
        found = subscribers_lib.by_token(engine, params.get("token", ""))
        if found is None:
            page = "unsubscribed" if action == "unsubscribe" and method == "POST" else "unknown"
            return view.page(page, status=200 if page == "unsubscribed" else 404)
        view = _View(translator(language(params.get("lang")) or found.lang), config, base)
        if method == "GET":
            return view.page(action, subscriber=found, token=found.token)
        if action == "confirm":
            confirmed = subscribers_lib.confirm(engine, found.token, pending_lifetime=config.pending_lifetime)
            if confirmed is None:  # the sign-up waited too long and is gone
                return view.page("unknown", status=404)
            return view.page("confirmed", subscriber=confirmed)
        subscribers_lib.unsubscribe(engine, found.token)
        return view.page("unsubscribed", subscriber=found)
    return view.page("unknown", status=404 if method == "GET" else 405)


def _form(view: _View, params: dict[str, str]) -> radicale_types.WSGIResponse:
    t = view.t
    try:
        where, kinds = calendar_filter(urllib.parse.urlencode(params))
    except FilterInvalid as error:
        return view.page("error", status=400, message=_bad_filter(t, error))
    fields = {name: params[name] for name in _FILTER_FIELDS if params.get(name)}
    feed = f"{view.base}/.web/changes.atom?" + urllib.parse.urlencode({**fields, "lang": t.lang})
    token = guard.new_token()
    answer = view.page("form", filter=following(t, where, kinds), fields=fields, feed=feed, csrf=token)
    return responses.with_headers(answer, {"Set-Cookie": guard.cookie(token, f"{view.base}{PREFIX}")})


def _subscribe(view: _View, params: dict[str, str], engine: Engine, allowed: bool) -> radicale_types.WSGIResponse:
    t, config = view.t, view.config
    try:
        where, kinds = calendar_filter(urllib.parse.urlencode(params))
    except FilterInvalid as error:
        return view.page("error", status=400, message=_bad_filter(t, error))
    try:
        subscription = subscribers_lib.Subscription(params.get("email", ""), where, kinds, t.lang)
    except subscribers_lib.SubscriberInvalid as error:
        message = t("That is not an e-mail address.") if error.field == "e-mail address" else _bad_filter(t, error)
        return view.page("error", status=400, message=message)
    # Over a limit, the visitor is told the same as anyone else, and nothing is sent.
    if allowed:
        queued = subscribers_lib.request(engine, subscription, config)
        if queued is not None and config.smtp_url is not None:
            # Sent off the request by the process's one worker; what fails stays queued for `settlecal notify`.
            signups.SENDER.submit(engine, config, queued)
    return view.page("check_inbox", email=subscription.email)


class _View:
    """The subscription pages in one language, with links under the server's own prefix."""

    def __init__(self, t: Translator, config: NotifyConfig, base: str) -> None:
        self.t, self.config, self.base = t, config, base

    def page(self, page: str, *, status: int = 200, subscriber: SubscriberRow | None = None,
             **context: Any) -> radicale_types.WSGIResponse:
        return _page(self.t, page, self.base, status=status, subscriber=subscriber, **context)


def _client(environ: Mapping[str, Any]) -> str:
    # Set by the edge from REMOTE_ADDR and the trusted proxies' X-Forwarded-For (caldav_plugin/wsgi.py).
    return str(environ.get("settlecal.client") or environ.get("REMOTE_ADDR") or "")


def _refused(t: Translator, refusal: guard.Refusal) -> str:
    if refusal.reason == "content-type":
        return t("This form must be sent from the subscription page.")
    return t("This form has expired or was sent from another site: open the subscription page again.")


def _page(t: Translator, page: str, base: str, *, status: int = 200,
          subscriber: SubscriberRow | None = None, **context: Any) -> radicale_types.WSGIResponse:
    if subscriber is not None:
        context.setdefault("email", subscriber.email)
        context.setdefault("filter", following(t, subscriber.where, subscriber.kinds))
    body = _templates().get_template("subscriptions.html").render(
        t=t, page=page, home=f"{base}/.web/?lang={t.lang}", prefix=f"{base}{PREFIX}",
        languages=LANGUAGES.values(), **context,
    )
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Language": t.tag,
               "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    return status, headers, body.encode("utf-8"), None


def _bad_filter(t: Translator, problem: Exception) -> str:
    return t("This filter is not valid: {problem}").format(problem=problem)


def _params(text: str) -> dict[str, str]:
    return {name: values[-1] for name, values in urllib.parse.parse_qs(text, keep_blank_values=True).items()}


def _body(environ: Mapping[str, Any]) -> str:
    try:
        length = min(int(environ.get("CONTENT_LENGTH") or 0), MAX_FORM_BYTES)
    except ValueError:
        length = 0
    stream = environ.get("wsgi.input")
    if not length or stream is None:
        return ""
    data: bytes = stream.read(length)
    return data.decode("utf-8", "replace")


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("caldav_plugin.web", "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
    )
