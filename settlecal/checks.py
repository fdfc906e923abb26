"""`settlecal config check`: is this configuration ready to run, and if not, what to do about it.

Each check says ok, warning or error in one line. A production configuration (a PostgreSQL
database) that would send e-mails linking to the default local URL is an error, not a warning.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import smtplib
import urllib.parse
from collections.abc import Iterator
from typing import Literal

from settlecal.config import DEFAULT_PUBLIC_URL, ConfigInvalid, Settings
from settlecal.db.availability import open_database, writable
from settlecal.db.engine import make_engine, shown
from settlecal.db.errors import DatabaseError
from settlecal.db.schema import status
from settlecal.notify.config import SmtpServer
from settlecal.notify.smtp import probe

Level = Literal["ok", "warning", "error"]


@dataclasses.dataclass(frozen=True, slots=True)
class Check:
    name: str
    level: Level
    message: str


def check(settings: Settings) -> list[Check]:
    """Every check, in the order an operator fixes things."""
    return [*_file(settings), *_database(settings), *_public_url(settings), *_mail(settings), *_users(settings)]


def _production(settings: Settings) -> bool:
    return not settings.database_url.startswith("sqlite")


def _file(settings: Settings) -> Iterator[Check]:
    if settings.file is None:
        yield Check("config file", "warning", "no settlecal.conf found: defaults and the environment only")
    else:
        yield Check("config file", "ok", f"read {settings.file}")


def _database(settings: Settings) -> Iterator[Check]:
    where = shown(settings.database_url)
    try:
        engine = open_database(settings.database_url, mode="ro", pool=settings.pool, require_schema=False)
        found = status(engine)
    except DatabaseError as error:
        yield Check("database", "error", str(error))
        return
    yield Check("database", "ok", f"{where} answers")
    if found.is_current:
        yield Check("schema", "ok", f"at {found.current}, the newest this settlecal knows")
    elif found.current is None:
        yield Check("schema", "error", "no settlecal schema yet: run `settlecal migrate`")
    elif not found.known:
        yield Check("schema", "error", f"at {found.current}, newer than this settlecal ({found.head}): upgrade it")
    else:
        yield Check("schema", "error", f"at {found.current}, this settlecal needs {found.head}: run `settlecal migrate`")
    if settings.write_database_url:
        yield _writes(settings)


def _writes(settings: Settings) -> Check:
    where = shown(settings.writes_url)
    try:
        found = writable(make_engine(settings.writes_url, mode="rw", pool=settings.pool))
    except Exception as error:  # noqa: BLE001  (whatever it is, sign-ups would fail)
        return Check("write database", "error", f"{where}: {type(error).__name__}: {str(error).splitlines()[0]}")
    if found != "ok":
        return Check("write database", "error", f"{where} is {found}: sign-ups and unsubscribes would fail")
    return Check("write database", "ok", f"{where} takes writes")


def _public_url(settings: Settings) -> Iterator[Check]:
    url = settings.public_url
    level: Level = "error" if _production(settings) else "warning"
    if url is None:
        yield Check("public URL", level, f"not set: e-mails link to {DEFAULT_PUBLIC_URL}; set [server] public_url")
        return
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        yield Check("public URL", "error", f"{url!r} is not an http(s) URL")
    elif _loopback(parts.hostname):
        yield Check("public URL", level, f"{url} is this machine only: subscribers cannot reach it")
    else:
        yield Check("public URL", "ok", url)


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _mail(settings: Settings) -> Iterator[Check]:
    if settings.smtp_url is None:
        yield Check("mail", "warning", "no SMTP server ([notify] smtp_url): notifications stay queued")
        return
    try:
        server = SmtpServer.from_url(settings.smtp_url)
        probe(server)
    except ConfigInvalid as error:
        yield Check("mail", "error", str(error))
    except (OSError, smtplib.SMTPException) as error:
        yield Check("mail", "error", f"cannot reach the SMTP server: {type(error).__name__}: {error}")
    else:
        yield Check("mail", "ok", f"{server.host}:{server.port} accepts us")


def _users(settings: Settings) -> Iterator[Check]:
    if settings.mode != "private":
        return
    if settings.users.is_file():
        yield Check("users", "ok", f"private server, users from {settings.users}")
    else:
        yield Check("users", "error", f"private server, but no users file at {settings.users}")
