"""What an operator needs at the edge of every request, before Radicale sees it.

- `/.web/health` for load balancers: the database answers and which revision this host serves
  (JSON, 200; 503 with Retry-After when the database cannot be reached).
- `X-Settlecal-Revision` on every answer read from the database: the global revision the request's
  snapshot saw, so operators can tell hosts (and replicas) apart.
- Database outages become 503 + Retry-After with a short text, never a 500 or a stack trace; the
  engine's pool pre-ping reconnects by itself once the database is back.
- Hostile requests are refused with a 4xx before anything reads them: bodies over
  `[server] max_content_length` (413, read from the header, before the body), malformed lengths,
  credentials and charsets (400/415), and XML bodies with a DTD or entities, too deep, or broken (400).
  Radicale's own parser (defusedxml) refuses entities too, but answers that with a 500.
- One JSON access-log line per request on the `settlecal.access` logger: method, path (secret-looking
  query parameters masked), status, bytes, duration, revision. Never a header value.

Settings come from Radicale's configuration (`[server] max_content_length`) and the environment
(`SETTLECAL_ACCESS_LOG`, `SETTLECAL_RETRY_AFTER`), since Radicale's configuration only admits new
options in plugin sections.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextvars
import dataclasses
import datetime
import io
import json
import logging
import os
import re
import sys
import urllib.parse
import xml.parsers.expat
from collections.abc import Mapping
from typing import Any, Final

from radicale import config as radicale_config
from radicale import httputils
from sqlalchemy import Engine, event
from sqlalchemy import exc as sa_exc

from settlecal.db import queries
from caldav_plugin.http import Answer
from settlecal.db.snapshot import reading

HEALTH_PATH: Final = "/.web/health"
REVISION_HEADER: Final = "X-Settlecal-Revision"
ACCESS_LOGGER: Final = "settlecal.access"
ACCESS_LOG_ENV: Final = "SETTLECAL_ACCESS_LOG"
RETRY_AFTER_ENV: Final = "SETTLECAL_RETRY_AFTER"
# A read-only server's requests are small XML queries; Radicale's own default (100 MB) is for uploads.
DEFAULT_MAX_BODY: Final = 1_000_000
DEFAULT_RETRY_AFTER: Final = 5
# CalDAV filters nest six or seven elements deep; Radicale recurses per level.
XML_MAX_DEPTH: Final = 64
MAX_PATH: Final = 4096
XML_METHODS: Final = frozenset({"PROPFIND", "REPORT"})
# Query parameters whose values never reach a log line.
_SECRET_PARAM: Final = re.compile(r"token|secret|pass|pwd|key|auth|sig|session|code|credential|unsubscribe",
                                  re.IGNORECASE)
_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
_TEXT: Final = "text/plain; charset=utf-8"

logger = logging.getLogger("settlecal")
access_logger = logging.getLogger(ACCESS_LOGGER)


@dataclasses.dataclass(frozen=True, slots=True)
class EdgeSettings:
    max_body: int
    retry_after: int

    @classmethod
    def from_configuration(cls, configuration: radicale_config.Configuration,
                           environ: Mapping[str, str] = os.environ) -> EdgeSettings:
        max_body = configuration.get("server", "max_content_length")
        if configuration.get_source("server", "max_content_length") == "default config":
            max_body = DEFAULT_MAX_BODY
        retry_after = environ.get(RETRY_AFTER_ENV, "")
        return cls(max_body=max_body,
                   retry_after=int(retry_after) if retry_after.isdigit() else DEFAULT_RETRY_AFTER)


def text_answer(status: str, text: str, method: str, headers: list[tuple[str, str]] | None = None) -> Answer:
    body = text.encode("utf-8")
    all_headers = [("Content-Type", _TEXT), ("Content-Length", str(len(body))),
                   ("Cache-Control", "no-store"), *(headers or [])]
    return Answer(status, all_headers, [] if method == "HEAD" else [body])


# -- hostile requests ---------------------------------------------------------------------------


class Refused(Exception):
    """A request refused at the edge; carries its answer."""

    def __init__(self, status: str, text: str) -> None:
        super().__init__(status, text)
        self.status = status
        self.text = text


def screen(environ: dict[str, Any], method: str, settings: EdgeSettings,
           configuration: radicale_config.Configuration) -> Answer | None:
    """A 4xx answer for a request nobody should process, else None (the request goes on).

    An XML body is read here, checked and put back as `wsgi.input`, so Radicale reads the same bytes.
    """
    try:
        _check_path(environ)
        _check_depth(environ)
        length = _content_length(environ, settings)
        _check_authorization(environ)
        _check_charset(environ)
        if length and method in XML_METHODS:
            _check_xml(environ, method, length, configuration)
    except Refused as refused:
        return text_answer(refused.status, refused.text, method)
    return None


def _check_path(environ: Mapping[str, Any]) -> None:
    path = environ.get("PATH_INFO") or "/"
    if len(path) > MAX_PATH:
        raise Refused("414 URI Too Long", "414 URI Too Long: the path is too long.\n")
    if _CONTROL.search(path):
        raise Refused("400 Bad Request", "400 Bad Request: control characters in the path.\n")


def _check_depth(environ: Mapping[str, Any]) -> None:
    depth = environ.get("HTTP_DEPTH")
    # RFC 4918 §10.2: 0, 1 or infinity; Apple's clients add ",noroot" to 1.
    if depth is not None and str(depth).split(",")[0].strip().lower() not in ("0", "1", "infinity"):
        raise Refused("400 Bad Request", "400 Bad Request: Depth must be 0, 1 or infinity.\n")


def _content_length(environ: Mapping[str, Any], settings: EdgeSettings) -> int:
    raw = str(environ.get("CONTENT_LENGTH") or "").strip()
    if not raw:
        return 0
    if not raw.isdigit() or not raw.isascii():
        raise Refused("400 Bad Request", "400 Bad Request: Content-Length is not a number.\n")
    length = int(raw)
    if length > settings.max_body:
        raise Refused("413 Content Too Large",
                      f"413 Content Too Large: request bodies are limited to {settings.max_body} bytes.\n")
    return length


def _check_authorization(environ: Mapping[str, Any]) -> None:
    header = environ.get("HTTP_AUTHORIZATION")
    if not header:
        return
    scheme, _, credentials = str(header).strip().partition(" ")
    if scheme.lower() != "basic":
        return  # Radicale ignores other schemes
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        decoded = ""
    if ":" not in decoded:
        raise Refused("400 Bad Request", "400 Bad Request: malformed Basic credentials.\n")


def _check_charset(environ: Mapping[str, Any]) -> None:
    content_type = str(environ.get("CONTENT_TYPE") or "")
    for parameter in content_type.split(";")[1:]:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            try:
                codecs.lookup(value.strip().strip('"'))
            except LookupError:
                raise Refused("415 Unsupported Media Type",
                              "415 Unsupported Media Type: unknown charset.\n") from None


def _check_xml(environ: dict[str, Any], method: str, length: int,
               configuration: radicale_config.Configuration) -> None:
    raw = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(raw)
    if len(raw) < length:
        raise Refused("400 Bad Request", "400 Bad Request: the body is shorter than its Content-Length.\n")
    try:
        text = httputils.decode_request(configuration, environ, raw)
    except (UnicodeDecodeError, LookupError):
        raise Refused("400 Bad Request", "400 Bad Request: the body is not text in its charset.\n") from None
    shape = _XmlShape(method)
    parser = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = shape.start
    parser.EndElementHandler = shape.end
    parser.CharacterDataHandler = shape.text
    parser.StartDoctypeDeclHandler = _no_dtd
    parser.EntityDeclHandler = _no_dtd
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError:
        raise Refused("400 Bad Request", "400 Bad Request: the body is not well-formed XML.\n") from None
    shape.finish()


def _no_dtd(*args: Any) -> None:
    raise Refused("400 Bad Request", "400 Bad Request: DTDs and entities are not accepted.\n")


class _XmlShape:
    """Follows the elements as expat reads them; refuses what is too deep or what Radicale 3.9 would
    answer with a 500: a PROPFIND without a child element, an empty <href>, a free-busy query
    without a time range."""

    HREF: Final = "DAV: href"
    FREE_BUSY: Final = "urn:ietf:params:xml:ns:caldav free-busy-query"
    TIME_RANGE: Final = "urn:ietf:params:xml:ns:caldav time-range"

    def __init__(self, method: str) -> None:
        self.method = method
        self.depth = 0
        self.root = ""
        self.root_children = 0
        self.time_range = False
        self.href: list[str] | None = None

    def start(self, name: str, attributes: Any) -> None:
        self.depth += 1
        if self.depth > XML_MAX_DEPTH:
            raise Refused("400 Bad Request", f"400 Bad Request: XML nested deeper than {XML_MAX_DEPTH} levels.\n")
        if self.depth == 1:
            self.root = name
        elif self.depth == 2:
            self.root_children += 1
        if name == self.TIME_RANGE:
            self.time_range = True
        if name == self.HREF:
            self.href = []

    def text(self, data: str) -> None:
        if self.href is not None:
            self.href.append(data)

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == self.HREF:
            if not "".join(self.href or ()).strip():
                raise Refused("400 Bad Request", "400 Bad Request: an empty <href>.\n")
            self.href = None

    def finish(self) -> None:
        if self.method == "PROPFIND" and not self.root_children:
            raise Refused("400 Bad Request", "400 Bad Request: a PROPFIND body names no properties.\n")
        if self.root == self.FREE_BUSY and not self.time_range:
            raise Refused("400 Bad Request", "400 Bad Request: a free-busy query needs a time range.\n")


# -- database outages ---------------------------------------------------------------------------

_failure: contextvars.ContextVar[BaseException | None] = contextvars.ContextVar("settlecal_db_failure",
                                                                                default=None)
OUTAGES: Final = (sa_exc.OperationalError, sa_exc.InterfaceError, sa_exc.TimeoutError)


def is_outage(error: BaseException) -> bool:
    """Whether an exception means the database cannot be reached (not a bug in a query)."""
    if isinstance(error, OUTAGES):
        return True
    return isinstance(error, sa_exc.DBAPIError) and bool(error.connection_invalidated)


def watch(engine: Engine) -> None:
    """Notes database outages raised inside Radicale, which turns every exception into a 500."""
    if not event.contains(engine, "handle_error", _note_failure):
        event.listen(engine, "handle_error", _note_failure)


def _note_failure(context: Any) -> None:
    error = context.sqlalchemy_exception
    if context.is_disconnect or (error is not None and is_outage(error)):
        _failure.set(error or context.original_exception)


def begin_request() -> contextvars.Token[BaseException | None]:
    return _failure.set(None)


def failure_seen() -> BaseException | None:
    return _failure.get()


def end_request(token: contextvars.Token[BaseException | None]) -> None:
    _failure.reset(token)


def unavailable(settings: EdgeSettings, method: str) -> Answer:
    return text_answer("503 Service Unavailable",
                       "503 Service Unavailable: the calendar database cannot be reached. "
                       "Try again shortly.\n", method, [("Retry-After", str(settings.retry_after))])


def describe(error: BaseException, secrets: tuple[str, ...] = ()) -> str:
    """One line about a database error for the log: its driver error's class and first line.

    No SQL, no parameters, and none of `secrets` (e.g. the database password).
    """
    original = getattr(error, "orig", None) or error
    first = (str(original).strip().splitlines() or [""])[0][:200]
    for secret in secrets:
        if secret:
            first = first.replace(secret, "***")
    return f"{type(original).__name__}: {first}"


def secrets_of(engine: Engine) -> tuple[str, ...]:
    password = engine.url.password
    return (str(password),) if password else ()


# -- health and revision ------------------------------------------------------------------------


def revision(engine: Engine) -> int:
    """The global revision the current request snapshot sees (one indexed query)."""
    with reading(engine) as session:
        return queries.current_revision(session)


def health(engine: Engine, settings: EdgeSettings, method: str) -> tuple[Answer, int | None]:
    """`/.web/health`: 200 with the served revision, or 503 + Retry-After when the database is down."""
    if method not in ("GET", "HEAD"):
        answer = text_answer("405 Method Not Allowed", "405 Method Not Allowed\n", method,
                             [("Allow", "GET, HEAD")])
        return answer, None
    try:
        served: int | None = revision(engine)
        status, document, extra = "200 OK", {"status": "ok", "revision": served, "database": "ok"}, []
    except Exception as error:  # any failure to read is "not healthy" for a load balancer
        logger.warning("health check: database unavailable (%s)", describe(error, secrets_of(engine)))
        served = None
        status = "503 Service Unavailable"
        document = {"status": "unavailable", "revision": None, "database": "unreachable"}
        extra = [("Retry-After", str(settings.retry_after))]
    body = (json.dumps(document, sort_keys=True) + "\n").encode()
    headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body))),
               ("Cache-Control", "no-store"), *extra]
    if served is not None:
        headers.append((REVISION_HEADER, str(served)))
    return Answer(status, headers, [] if method == "HEAD" else [body]), served


def with_revision(answer: Answer, served: int) -> Answer:
    return Answer(answer.status, [*answer.headers, (REVISION_HEADER, str(served))], answer.body)


# -- access log ---------------------------------------------------------------------------------


def logged_path(environ: Mapping[str, Any]) -> str:
    """The request's path, with the values of secret-looking query parameters masked."""
    path = f"{environ.get('SCRIPT_NAME', '')}{environ.get('PATH_INFO', '') or '/'}"
    query = str(environ.get("QUERY_STRING") or "")
    if not query:
        return path
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    kept = [(name, "***" if _SECRET_PARAM.search(name) else value) for name, value in pairs]
    return f"{path}?{urllib.parse.urlencode(kept, safe='*,')}"


def log_access(environ: Mapping[str, Any], method: str, answer: Answer, seconds: float,
               served: int | None) -> None:
    if not access_logger.isEnabledFor(logging.INFO):
        return
    record = {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "remote": environ.get("REMOTE_ADDR", ""),
        "method": method,
        "path": logged_path(environ),
        "status": int(answer.status.split(" ", 1)[0]),
        "bytes": sum(len(chunk) for chunk in answer.body),
        "duration_ms": round(seconds * 1000, 2),
        "revision": served,
    }
    access_logger.info("%s", json.dumps(record, ensure_ascii=True))


# Names the handler this module adds, so configuring twice (two apps in one process) adds one.
_ACCESS_HANDLER = "settlecal-access"


def configure_access_log(environ: Mapping[str, str] = os.environ) -> None:
    """For a server process: JSON lines on stderr (default), to a file, or `off`.

    Without this (tests, embedding), the logger propagates to whatever logging the host set up.
    """
    where = environ.get(ACCESS_LOG_ENV, "").strip()
    if where.lower() in ("off", "0", "no", "false", "none"):
        access_logger.setLevel(logging.WARNING)
        access_logger.propagate = False
        return
    if any(h.get_name() == _ACCESS_HANDLER for h in access_logger.handlers):
        return
    handler: logging.Handler
    if where and where not in ("-", "stderr", "on"):
        handler = logging.FileHandler(where, encoding="utf-8")
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    handler.set_name(_ACCESS_HANDLER)
    access_logger.addHandler(handler)
    access_logger.setLevel(logging.INFO)
    access_logger.propagate = False
