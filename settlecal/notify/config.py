"""Where notifications go out from and what they link to: the SMTP server, the From address, the public URL.

Each setting comes from the environment, else from settlecal.conf (settlecal/config.py reads both;
the server and every command read the same file):

| environment | settlecal.conf | default |
|---|---|---|
| SETTLECAL_SMTP_URL | [notify] smtp_url | none: messages stay queued |
| SETTLECAL_MAIL_FROM | [notify] from | settlecal@<public host> |
| SETTLECAL_PUBLIC_URL | [server] public_url | http://127.0.0.1:5232 |
| SETTLECAL_MESSAGE_DOMAIN | [notify] message_domain | the public host if it is a domain name, else settlecal.invalid |

The SMTP URL is `smtp://user:password@host:port` (plain, or `?starttls=1`), or `smtps://…` (TLS from
the first byte); the user and password are percent-encoded; `?timeout=SECONDS` bounds each operation.
"""

from __future__ import annotations

import dataclasses
import datetime
import ipaddress
import urllib.parse
from collections.abc import Mapping

from settlecal import config as settings_file
from settlecal.config import DEFAULT_PUBLIC_URL, ConfigInvalid
from settlecal.domain import CalendarKey

SMTP_URL_ENV = "SETTLECAL_SMTP_URL"
DEFAULT_TIMEOUT = 30.0


class NotifyConfigInvalid(ConfigInvalid):
    """A notification setting that cannot be used."""


@dataclasses.dataclass(frozen=True, slots=True)
class SmtpServer:
    host: str
    port: int
    tls: bool = False  # TLS from the first byte (smtps)
    starttls: bool = False
    username: str | None = None
    password: str | None = dataclasses.field(default=None, repr=False)
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise NotifyConfigInvalid(
                SMTP_URL_ENV, f"{_without_password(url)!r} is not smtp://host:port or smtps://host:port")
        query = urllib.parse.parse_qs(parts.query)
        try:
            port = parts.port or (465 if parts.scheme == "smtps" else 25)
            timeout = float(query.get("timeout", [DEFAULT_TIMEOUT])[0])
        except ValueError as error:
            raise NotifyConfigInvalid(SMTP_URL_ENV, str(error)) from error
        return cls(
            host=parts.hostname, port=port, tls=parts.scheme == "smtps",
            starttls=query.get("starttls", ["0"])[0].lower() in ("1", "true", "yes"),
            username=urllib.parse.unquote(parts.username) if parts.username else None,
            password=urllib.parse.unquote(parts.password) if parts.password else None,
            timeout=timeout,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class NotifyConfig:
    smtp_url: str | None
    sender: str
    public_url: str
    message_domain: str
    # Abuse limits of the sign-up form (docs/notifications.md).
    confirmations_per_address: int = 3  # a day, across filters
    confirmations_per_client: int = 10  # an hour, per client address
    pending_lifetime: datetime.timedelta = datetime.timedelta(days=7)

    @property
    def smtp(self) -> SmtpServer | None:
        """The SMTP server, parsed only when mail is sent: a typo in its URL never stops an import
        (its messages wait in the outbox, and `settlecal notify` says what is wrong)."""
        return SmtpServer.from_url(self.smtp_url) if self.smtp_url else None

    @property
    def links(self) -> PublicLinks:
        return PublicLinks(self.public_url)


@dataclasses.dataclass(frozen=True, slots=True)
class PublicLinks:
    """The absolute URLs a message or a feed links to."""

    base: str  # no trailing slash

    def calendar_page(self, key: CalendarKey, lang: str) -> str:
        query = {"system": key.system.value, "country": key.country, "currency": key.currency,
                 "frequency": key.frequency.value, "lang": lang}
        return f"{self.base}/.web/?{urllib.parse.urlencode(query)}"

    def calendar_https(self, key: CalendarKey) -> str:
        return f"{self.base}/{key.path}.ics"

    def calendar_webcal(self, key: CalendarKey) -> str:
        return "webcal://" + self.calendar_https(key).split("://", 1)[1]

    def confirm(self, token: str) -> str:
        return f"{self.base}/.web/subscriptions/confirm?token={token}"

    def unsubscribe(self, token: str) -> str:
        return f"{self.base}/.web/subscriptions/unsubscribe?token={token}"

    def changes_feed(self, query: Mapping[str, str]) -> str:
        return f"{self.base}/.web/changes.atom" + (f"?{urllib.parse.urlencode(query)}" if query else "")


def load_config(environ: Mapping[str, str] | None = None, *, public_url: str | None = None) -> NotifyConfig:
    """The notification settings from the environment and settlecal.conf.

    `public_url`, when given, is used where none is configured (the web page passes the URL it
    was reached at).
    """
    return from_settings(settings_file.load(environ=environ), public_url=public_url)


def from_settings(settings: settings_file.Settings, *, public_url: str | None = None) -> NotifyConfig:
    base = (settings.public_url or public_url or DEFAULT_PUBLIC_URL).rstrip("/")
    host = urllib.parse.urlsplit(base).hostname or "localhost"
    domain = settings.message_domain or (host if _is_domain_name(host) else "settlecal.invalid")
    return NotifyConfig(
        smtp_url=settings.smtp_url,
        sender=settings.mail_from or f"settlecal@{domain}",
        public_url=base,
        message_domain=domain,
        confirmations_per_address=settings.confirmations_per_address,
        confirmations_per_client=settings.confirmations_per_client,
        pending_lifetime=datetime.timedelta(days=settings.pending_days),
    )


def _is_domain_name(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return False


def _without_password(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))
