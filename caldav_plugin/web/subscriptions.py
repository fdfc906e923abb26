"""Subscribing to change notifications from the web page, with double opt-in and one-click unsubscribe.

    GET  /.web/subscriptions?system=…&country=…&kind=…&lang=…   a form for that filter
    POST /.web/subscriptions                                     pending subscriber + confirmation mail
    GET  /.web/subscriptions/confirm?token=…                     a page with a Confirm button
    POST /.web/subscriptions/confirm?token=…                     confirms
    GET  /.web/subscriptions/unsubscribe?token=…                 a page with an Unsubscribe button
    POST /.web/subscriptions/unsubscribe?token=…                 unsubscribes (RFC 8058 one-click too)

A GET never changes anything: mail scanners and link previews follow links in messages, and must
neither confirm a subscription nobody asked for nor end one (RFC 8058 §3). The subscribe form tells
every visitor the same thing whether or not the address already follows the filter.
"""

from __future__ import annotations

import functools
import logging
import threading
import urllib.parse
from collections.abc import Mapping
from typing import Any

import jinja2
from radicale import types as radicale_types
from sqlalchemy import Engine

from settlecal.db.queries.notifications import SubscriberRow
from settlecal.filters import FilterInvalid, calendar_filter
from settlecal.notify import smtp as mail_sender
from settlecal.notify import subscriptions as subscribers_lib
from settlecal.notify.wording import LANGUAGES, Wording, language
from settlecal.notify.config import NotifyConfig, load_config

PREFIX = "/.web/subscriptions"
MAX_FORM_BYTES = 8192
_FILTER_FIELDS = ("system", "country", "currency", "frequency", "kind")
logger = logging.getLogger(__name__)


def handle(
    environ: Mapping[str, Any], path: str, engine: Engine, *, origin: str | None
) -> radicale_types.WSGIResponse:
    """Answers a request for `path` (`/.web/subscriptions…`); `origin` is the configured public base
    URL, if any (else `SETTLECAL_PUBLIC_URL` or the default)."""
    method = environ.get("REQUEST_METHOD", "GET").upper()
    action = path.removeprefix(PREFIX).strip("/")
    query = _params(environ.get("QUERY_STRING", ""))
    form = _params(_body(environ)) if method == "POST" else {}
    params = {**query, **form}
    t = Wording(language(params.get("lang")))
    config = load_config(public_url=origin)
    if action == "" and method == "GET":
        return _form(t, params, config)
    if action == "" and method == "POST":
        return _subscribe(t, params, engine, config)
    if action in ("confirm", "unsubscribe") and method in ("GET", "POST"):
        found = subscribers_lib.by_token(engine, params.get("token", ""))
        if found is None:
            page = "unsubscribed" if action == "unsubscribe" and method == "POST" else "unknown"
            return _page(t, page, config, status=200 if page == "unsubscribed" else 404)
        t = Wording(params.get("lang") or found.lang)
        if method == "GET":
            return _page(t, action, config, subscriber=found, token=found.token)
        if action == "confirm":
            confirmed = subscribers_lib.confirm(engine, found.token)
            return _page(t, "confirmed", config, subscriber=confirmed or found)
        subscribers_lib.unsubscribe(engine, found.token)
        return _page(t, "unsubscribed", config, subscriber=found)
    return _page(t, "unknown", config, status=404 if method == "GET" else 405)


def _form(t: Wording, params: dict[str, str], config: NotifyConfig) -> radicale_types.WSGIResponse:
    try:
        where, kinds = calendar_filter(urllib.parse.urlencode(params))
    except FilterInvalid as error:
        return _page(t, "error", config, status=400, message=t.phrase("page_bad_filter", problem=error))
    fields = {name: params[name] for name in _FILTER_FIELDS if params.get(name)}
    feed = config.links.changes_feed({**fields, "lang": t.lang})
    return _page(t, "form", config, filter=t.filter(where, kinds), fields=fields, feed=feed)


def _subscribe(t: Wording, params: dict[str, str], engine: Engine, config: NotifyConfig) -> radicale_types.WSGIResponse:
    try:
        where, kinds = calendar_filter(urllib.parse.urlencode(params))
    except FilterInvalid as error:
        return _page(t, "error", config, status=400, message=t.phrase("page_bad_filter", problem=error))
    try:
        subscription = subscribers_lib.Subscription(params.get("email", ""), where, kinds, t.lang)
    except subscribers_lib.SubscriberInvalid as error:
        message = t.page_bad_email if error.field == "e-mail address" else t.phrase("page_bad_filter", problem=error)
        return _page(t, "error", config, status=400, message=message)
    queued = subscribers_lib.request(engine, subscription, config)
    if queued is not None and config.smtp_url is not None:
        # Sent at once, off the request; what fails stays queued for `settlecal notify`.
        threading.Thread(target=_deliver, args=(engine, config, queued), daemon=True,
                         name="settlecal-confirmation").start()
    return _page(t, "check_inbox", config, email=subscription.email)


def _deliver(engine: Engine, config: NotifyConfig, message: int) -> None:
    try:
        mail_sender.deliver(engine, config, only=[message])
    except Exception as error:  # noqa: BLE001  (best effort: the outbox keeps the message for `notify`)
        logger.warning("confirmation message %s stays queued: %s", message, error)


def _page(t: Wording, page: str, config: NotifyConfig, *, status: int = 200,
          subscriber: SubscriberRow | None = None, **context: Any) -> radicale_types.WSGIResponse:
    if subscriber is not None:
        context.setdefault("email", subscriber.email)
        context.setdefault("filter", t.filter(subscriber.where, subscriber.kinds))
    body = _templates().get_template("subscriptions.html").render(
        t=t, page=page, home=f"{config.public_url}/.web/?lang={t.lang}", prefix=f"{config.public_url}{PREFIX}",
        languages=LANGUAGES, **context,
    )
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Language": t.lang,
               "Cache-Control": "no-store", "X-Robots-Tag": "noindex"}
    return status, headers, body.encode("utf-8"), None


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
