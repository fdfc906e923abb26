"""The WSGI entry: Radicale with the plugin, plus what Radicale does not do for a read-only feed.

    gunicorn -c config/gunicorn.conf.py caldav_plugin.wsgi:application

- Every write method (PUT, DELETE, MKCOL, MKCALENDAR, PROPPATCH, MOVE, COPY, LOCK, POST outside
  `/.web`, …) gets 403 with a short explanation, for anonymous users too (Radicale would ask them
  to log in first), before Radicale or the storage is reached.
- GET and HEAD of a calendar, its `.ics` alias or an event are answered here from the render
  cache, with `If-None-Match` / `If-Modified-Since` → 304 and `Cache-Control` for subscribers.
  Radicale answers the rest (PROPFIND, REPORT, OPTIONS, the web page); its GET answers are made
  conditional too.
- Each request reads one database snapshot (see snapshot.py); its revision goes out in the
  `X-Settlecal-Revision` header.
- The JSON API under `/.web/api/` is answered here too, every method (web/api/dispatch.py).
- Operations (see operations.py): `/.web/health`, 503 + Retry-After while the database is down,
  4xx for hostile requests before Radicale reads them, one JSON access-log line per request.

The configuration comes from `$RADICALE_CONFIG`, else the project's config/radicale.conf.
"""

from __future__ import annotations

import os
import pathlib
import threading
import time
from collections.abc import Iterable
from typing import Any, Final

from radicale.app import Application as RadicaleApplication
from radicale import config as radicale_config
from radicale import log as radicale_log
from radicale import rights as radicale_rights
from radicale.log import logger

from caldav_plugin import http, operations
from caldav_plugin.web.api import dispatch as api
from settlecal.db.snapshot import request_snapshot
from caldav_plugin.storage import Storage

DEFAULT_CONFIG: Final = pathlib.Path(__file__).resolve().parents[1] / "config" / "radicale.conf"
CONFIG_ENV: Final = "RADICALE_CONFIG"

StartResponse = Any
Environ = dict[str, Any]


def load_configuration(path: str | os.PathLike[str] | None = None, *, database_url: str | None = None,
                       ) -> radicale_config.Configuration:
    """Radicale's configuration from `path` (default: $RADICALE_CONFIG, else config/radicale.conf).

    Relative file paths in the file are taken relative to the file, so the shipped configuration
    works from any working directory. `database_url`, when given, overrides the file's.
    """
    config_path = pathlib.Path(path or os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG).resolve()
    configuration = radicale_config.load([(str(config_path), False)])
    overrides: dict[str, dict[str, str]] = {}
    for section in configuration.sections():
        for option in configuration.options(section):
            if configuration.get_source(section, option) != f"config file {str(config_path)!r}":
                continue
            raw = configuration.get_raw(section, option)
            if _is_filepath(section, option) and raw and not os.path.isabs(os.path.expanduser(raw)):
                overrides.setdefault(section, {})[option] = str(config_path.parent / raw)
    if database_url is not None:
        overrides.setdefault("storage", {})["database_url"] = database_url
    if overrides:
        configuration.update(overrides, "settlecal overrides")
    return configuration


def _is_filepath(section: str, option: str) -> bool:
    schema = radicale_config.DEFAULT_CONFIG_SCHEMA.get(section, {}).get(option)
    return isinstance(schema, dict) and schema.get("type") is radicale_config.filepath


class Application:
    """Radicale's Application wrapped with the read-only, caching and snapshot layer."""

    def __init__(self, configuration: radicale_config.Configuration) -> None:
        self._radicale = RadicaleApplication(configuration)
        self._configuration = configuration
        self._edge = operations.EdgeSettings.from_configuration(configuration)
        # Same URL, so the same engine and render cache as the storage Radicale built.
        self._storage = Storage(configuration)
        operations.watch(self._storage.engine)
        self._feeds = http.FeedResponder(
            self._storage, radicale_rights.load(configuration),
            auth_type=str(configuration.get("auth", "type")),
            extra_headers={option: configuration.get("headers", option)
                           for option in configuration.options("headers")},
        )
        self._api = api.Api.from_configuration(configuration, self._storage.engine)

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        started = time.perf_counter()
        method = str(environ.get("REQUEST_METHOD", "GET")).upper()
        path = environ.get("PATH_INFO") or "/"
        served: int | None = None
        try:
            answer, served = self._answer(environ, method, path)
        except Exception as error:  # the last line: a short 500, never a traceback in a body
            logger.error("Internal error on %s %r: %s", method, path, type(error).__name__)
            logger.debug("Internal error on %s %r", method, path, exc_info=True)
            answer = operations.text_answer("500 Internal Server Error", "500 Internal Server Error\n", method)
        operations.log_access(environ, method, answer, time.perf_counter() - started, served)
        return _respond(start_response, answer)

    def _answer(self, environ: Environ, method: str, path: str) -> tuple[http.Answer, int | None]:
        # The JSON API reads neither bodies nor credentials, and answers every method itself, in JSON.
        api_request = self._api.serves(path)
        if http.is_write(method, path) and not api_request:
            logger.info("%s %r refused: read-only", method, path)
            return http.forbidden_write(method), None
        refusal = None if api_request else operations.screen(environ, method, self._edge, self._configuration)
        if refusal is not None:
            logger.info("%s %r refused: %s", method, path, refusal.status)
            return refusal, None
        engine = self._storage.engine
        if path == operations.HEALTH_PATH:
            return operations.health(engine, self._edge, method)
        token = operations.begin_request()
        try:
            with request_snapshot(engine):
                # First read of the snapshot: pins its revision, and finds an outage before Radicale does.
                served = operations.revision(engine)
                answer = None
                if api_request:  # Radicale's answers to the API's paths would not be JSON
                    answer = self._api.respond(environ, method, path, served)
                elif method in ("GET", "HEAD"):
                    answer = self._feeds.respond(environ, method, path)
                if answer is None:
                    answer = self._delegate(environ, method)
            failure = operations.failure_seen()
            if failure is not None and answer.status.startswith("500"):
                raise failure
        except Exception as error:
            if not operations.is_outage(error):
                raise
            logger.warning("%s %r: database unavailable (%s)", method, path,
                           operations.describe(error, operations.secrets_of(engine)))
            return operations.unavailable(self._edge, method), None
        finally:
            operations.end_request(token)
        return operations.with_revision(answer, served), served

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
    def edge(self) -> operations.EdgeSettings:
        return self._edge


def _respond(start_response: StartResponse, answer: http.Answer) -> Iterable[bytes]:
    start_response(answer.status, answer.headers)
    return answer.body


def make_application(config_path: str | os.PathLike[str] | None = None, *,
                     database_url: str | None = None, log: bool = False) -> Application:
    """The application; `log` also sets up Radicale's logging, which a server process wants once."""
    configuration = load_configuration(config_path, database_url=database_url)
    if log:
        operations.configure_access_log()
        radicale_log.setup()
        radicale_log.set_level(configuration.get("logging", "level"),
                               configuration.get("logging", "backtrace_on_debug"),
                               configuration.get("logging", "trace_filter"))
    return Application(configuration)


_lock = threading.Lock()
_application: Application | None = None


def __getattr__(name: str) -> Any:
    # Built on first use, not at import: importing the module must not read files or databases.
    global _application
    if name != "application":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    with _lock:
        if _application is None:
            _application = make_application(log=True)
    return _application
