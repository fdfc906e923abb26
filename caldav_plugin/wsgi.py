"""The WSGI entry: Radicale with the plugin, plus what Radicale does not do for a read-only feed.

    gunicorn -c python:caldav_plugin.gunicorn caldav_plugin.wsgi:application

- Every write method (PUT, DELETE, MKCOL, MKCALENDAR, PROPPATCH, MOVE, COPY, LOCK, POST outside
  `/.web`, …) gets 403 with a short explanation, for anonymous users too (Radicale would ask them
  to log in first), before Radicale or the storage is reached.
- GET and HEAD of a calendar, its `.ics` alias or an event are answered here from the revision's
  stored render (rendered once per deployment, see stored.py), with `If-None-Match` /
  `If-Modified-Since` → 304 and `Cache-Control` for subscribers. PROPFIND Depth 1 and REPORTs on a
  calendar are Radicale's answer over its first events, extended by a checked template
  (templates.py); a calendar-query answered so once is written for every other calendar without
  Radicale (shapes.py). Radicale answers the rest (other PROPFINDs, OPTIONS, the web page); its GET
  answers are made conditional too.
- On a read replica, a sync token or If-None-Match ETag newer than what it replayed gets 503 +
  Retry-After (edge/lagging.py, etags.py);
  costly requests are bounded (edge/limits.py, and ranges in edge/screening.py).
- Each request reads one database snapshot (see settlecal/db/snapshot.py); its revision goes out
  in the `X-Settlecal-Revision` header.
- The JSON API under `/.web/api/` is answered here too, every method (web/api/dispatch.py).
- The edge (see edge/): `/.web/health`, 503 + Retry-After while the database is down, 4xx for
  hostile requests before Radicale reads them, one access-log record per request, and the
  unsubscribe links of e-mails even when the page is off (a private server).

The settings come from settlecal.conf (`$SETTLECAL_CONFIG`, …; see settlecal/config.py), and Radicale's
configuration is generated from them (radicale_config.py); `$RADICALE_CONFIG` names an extra Radicale
file laid over it.
"""

from __future__ import annotations

import functools
import os
import threading
from http import HTTPStatus
import time
from collections.abc import Iterable
from typing import Any

from radicale import config as radicale_config
from radicale import rights as radicale_rights
from radicale import xmlutils as radicale_xmlutils
from radicale.app import Application as RadicaleApplication
from radicale.log import logger

from caldav_plugin import http, radicale_config as generated, shapes, templates
from caldav_plugin.edge import (
    access_log, answers, health, lagging, limits, logs, outage, proxies, repeats, screening,
    security_headers, startup, throttle,
)
from caldav_plugin.edge.settings import EdgeSettings
from caldav_plugin.storage import Storage
from caldav_plugin.web import subscriptions
from caldav_plugin.web.api import dispatch as api
from settlecal import config
from settlecal.db.availability import describe, is_outage, secrets_of
from settlecal.db.engine import make_engine
from settlecal.db.errors import DatabaseError
from settlecal.db.snapshot import request_snapshot

StartResponse = Any
Environ = dict[str, Any]
UNSUBSCRIBE_PATH = "/.web/subscriptions/unsubscribe"


def load_configuration(path: str | os.PathLike[str] | None = None, *, database_url: str | None = None,
                       ) -> radicale_config.Configuration:
    """Radicale's configuration for the settings of this process; `path` is an extra Radicale file
    (else `$RADICALE_CONFIG`), `database_url` overrides the configured database."""
    return generated.build(settings_for(path, database_url=database_url))


def settings_for(path: str | os.PathLike[str] | None = None, *, database_url: str | None = None) -> config.Settings:
    return config.load(database_url=database_url, radicale_config=path)


def _memoize_radicale() -> None:
    """Radicale turns the same few dozen `D:getetag`-style names into `{DAV:}getetag` for every
    property of every response (a third of a principal listing's time); the answer depends on the name
    only (Radicale's fixed namespace table), so a bounded cache returns the same strings."""
    if not hasattr(radicale_xmlutils.make_clark, "cache_info"):
        radicale_xmlutils.make_clark = functools.lru_cache(maxsize=4096)(radicale_xmlutils.make_clark)


class Application:
    """Radicale's Application wrapped with the read-only, caching and snapshot layer."""

    def __init__(self, configuration: radicale_config.Configuration, settings: config.Settings) -> None:
        _memoize_radicale()
        self._radicale = RadicaleApplication(configuration)
        self._configuration = configuration
        self._edge = EdgeSettings.from_configuration(configuration, settings)
        # Same URL, so the same engine and render cache as the storage Radicale built.
        self._storage = Storage(configuration)
        self._write_engine = make_engine(self._storage.settings.write_database_url, mode="rw",
                                         pool=self._storage.settings.pool)
        self._page_off = configuration.get("web", "type") == "none"
        self._public_url = settings.public_url
        outage.watch(self._storage.engine)
        outage.watch(self._write_engine)
        outage.quiet_radicale()
        repeats.install()
        self._feeds = http.FeedResponder(
            self._storage, radicale_rights.load(configuration),
            auth_type=str(configuration.get("auth", "type")),
            extra_headers={option: configuration.get("headers", option)
                           for option in configuration.options("headers")},
        )
        self._shapes = shapes.Shapes(self._storage.calendar, self._feeds.readable)
        self._api = api.Api.from_configuration(configuration, self._storage.engine)
        # Private servers only: a public one takes any password (or none), so no login fails there.
        self._throttle = throttle.LoginThrottle() if configuration.get("auth", "type") != "none" else None
        self._expensive = limits.Limit()

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = environ.get("PATH_INFO") or "/"
        served: int | None = None
        repeated = repeats.begin()
        try:
            answer, served = self._answer(environ, method, path)
        except Exception as error:  # the last line: a short 500, never a traceback in a body
            logger.error("Internal error on %s %r: %s", method, path, type(error).__name__)
            logger.debug("Internal error on %s %r", method, path, exc_info=True)
            answer = answers.text_answer("500 Internal Server Error", "500 Internal Server Error\n", method)
        finally:
            repeats.end(repeated)
        access_log.log_access(environ, method, answer, time.perf_counter() - started, served,
                              self._edge.trusted_proxies)
        start_response(answer.status, security_headers.added(answer.headers))
        return answer.body

    def _answer(self, environ: Environ, method: str, path: str) -> tuple[http.Answer, int | None]:
        # The JSON API reads neither bodies nor credentials, and answers every method itself, in JSON.
        api_request = self._api.serves(path)
        proxy_refusal = proxies.screen(environ, self._edge.trusted_proxies)
        if proxy_refusal is not None:
            return answers.text_answer("400 Bad Request", f"400 Bad Request: {proxy_refusal}.\n", method), None
        if http.is_write(method, path) and not api_request:
            logger.info("%s %r refused: read-only", method, path)
            return http.forbidden_write(method), None
        refusal = None if api_request else screening.screen(environ, method, self._edge, self._configuration)
        if refusal is not None:
            logger.info("%s %r refused: %s", method, path, refusal.status)
            return refusal, None
        if path == answers.HEALTH_PATH:
            return health.health(self._storage.engine, self._write_engine, self._edge, method)
        login = http.login_of(environ) if self._throttle is not None and not api_request else None
        if login is None:
            return self._limited(environ, method, path, api_request)
        assert self._throttle is not None
        keys = throttle.keys_for(login, access_log.client_address(environ, self._edge.trusted_proxies))
        wait = self._throttle.wait(keys)
        if wait > 0:  # refused before any password is checked: nothing waits in this thread
            logger.info("%s %r refused: failed logins, retry in %.0f s", method, path, wait)
            return throttle.too_many(wait, method), None
        answer, served = self._limited(environ, method, path, api_request)
        if answer.status.startswith("401"):
            self._throttle.failed(keys)
        elif not answer.status.startswith("5"):
            self._throttle.succeeded(keys[0])
        return answer, served

    def _limited(self, environ: Environ, method: str, path: str, api_request: bool) -> tuple[http.Answer, int | None]:
        if not api_request and limits.is_expensive(environ, method, path):
            with self._expensive.slot() as allowed:
                if not allowed:
                    logger.info("%s %r refused: %d expensive requests already running", method, path,
                                limits.EXPENSIVE_AT_ONCE)
                    return answers.text_answer(
                        "503 Service Unavailable", "503 Service Unavailable: the server is busy with other "
                        "requests like this one. Try again shortly.\n", method,
                        [("Retry-After", "1")]), None
                return self._guarded(environ, method, path, api_request)
        return self._guarded(environ, method, path, api_request)

    def _guarded(self, environ: Environ, method: str, path: str, api_request: bool) -> tuple[http.Answer, int | None]:
        token = outage.begin_request()
        try:
            return self._read(environ, method, path, api_request)
        except Exception as error:
            if not is_outage(error):
                raise
            logger.warning("%s %r: database unavailable (%s)", method, path,
                           describe(error, secrets_of(self._storage.engine)))
            return outage.unavailable(self._edge, method), None
        finally:
            outage.end_request(token)

    def _read(self, environ: Environ, method: str, path: str, api_request: bool) -> tuple[http.Answer, int | None]:
        if self._page_off and path.startswith(UNSUBSCRIBE_PATH):
            # E-mails of a private server carry unsubscribe links too; the token is the credential.
            return self._unsubscribe(environ, path), None
        engine = self._storage.engine
        with request_snapshot(engine):
            # First read of the snapshot: pins its revision, and finds an outage before Radicale does.
            served = health.revision(engine)
            answer = lagging.ahead(environ, method, served, engine, self._edge)
            if answer is None:
                answer = self._respond(environ, method, path, api_request, served)
        failure = outage.failure_seen()
        if failure is not None and answer.status.startswith("500"):
            raise failure
        return answers.with_revision(answer, served), served

    def _respond(self, environ: Environ, method: str, path: str, api_request: bool, served: int) -> http.Answer:
        answer = None
        if api_request:  # Radicale's answers to the API's paths would not be JSON
            answer = self._api.respond(environ, method, path, served)
        elif method in ("GET", "HEAD"):
            answer = self._feeds.respond(environ, method, path)
        if answer is None and templates.applies(method, path, environ):
            answer = templates.respond(environ, method, self._delegate, self._shapes)
        return answer if answer is not None else self._delegate(environ, method)

    def _unsubscribe(self, environ: Environ, path: str) -> http.Answer:
        status, headers, body, _ = subscriptions.handle(environ, path, self._write_engine, origin=self._public_url,
                                                        base=str(environ.get("HTTP_X_SCRIPT_NAME") or "").rstrip("/"))
        data = body.encode() if isinstance(body, str) else bytes(body or b"")
        return http.Answer(f"{status} {HTTPStatus(status).phrase}", list(dict(headers).items()), [data])

    def _delegate(self, environ: Environ, method: str) -> http.Answer:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None  # Radicale never uses write()

        body = list(self._radicale(environ, capture))
        answer = http.Answer(captured["status"], list(captured["headers"]), body)
        return http.after_radicale(environ, method, answer)

    @property
    def storage(self) -> Storage:
        return self._storage

    @property
    def expensive(self) -> limits.Limit:
        return self._expensive

    @property
    def edge(self) -> EdgeSettings:
        return self._edge


def make_application(config_path: str | os.PathLike[str] | None = None, *,
                     database_url: str | None = None, log: bool = False,
                     settings: config.Settings | None = None) -> Application:
    """The application; `log` also sets the process's logging up, which a server process wants once.

    `config_path` is an extra Radicale file (as `$RADICALE_CONFIG`); `settings` default to this
    process's (settlecal.conf and the environment).
    """
    settings = settings or settings_for(config_path, database_url=database_url)
    if log:
        logs.configure(settings)
    return Application(generated.build(settings), settings)


_lock = threading.Lock()
_application: Application | None = None


def __getattr__(name: str) -> Any:
    # Built on first use, not at import: importing the module must not read files or databases.
    global _application
    if name != "application":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        if _application is None:
            _application = _server_application()
    return _application


def _server_application() -> Application:
    """The application of a server process (gunicorn's worker): refuses to start on a database that is
    missing or at another schema; starts on one it cannot reach (503 until it can)."""
    try:
        settings = settings_for()
        logs.configure(settings)
        startup.check_database(settings)
        application = make_application(settings=settings)
    except (DatabaseError, config.ConfigInvalid) as error:
        logger.critical("%s", error)
        # gunicorn's "worker failed to boot" status: the arbiter stops instead of restarting workers in a loop.
        raise SystemExit(3) from error
    return application
