"""One configuration for the server and every command: `settlecal.conf`.

The file is found at `--config FILE`, else `$SETTLECAL_CONFIG`, else the first that exists of
/etc/settlecal/settlecal.conf and the user's config directory (~/.config/settlecal/settlecal.conf on
Linux). Each setting comes from, in order: the command line (`--database`), its environment
variable, the file, the Radicale configuration named by `[server] radicale_config` /
`$RADICALE_CONFIG` (its `[storage] database_url` and `[web] public_url`, so that a server configured
the Radicale way and the commands agree), and last the default. `settlecal config example` prints a
commented file built from `OPTIONS`.
"""

from __future__ import annotations

import configparser
import dataclasses
import ipaddress
import os
import pathlib
from collections.abc import Mapping
from typing import Final

import platformdirs

from settlecal.errors import SettlecalError

CONFIG_ENV: Final = "SETTLECAL_CONFIG"
SYSTEM_CONFIG: Final = pathlib.Path("/etc/settlecal/settlecal.conf")
APP_NAME: Final = "settlecal"
DEFAULT_PUBLIC_URL: Final = "http://127.0.0.1:5232"
ProxyNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class ConfigInvalid(SettlecalError):
    """A setting that cannot be used; `setting` names it as the operator wrote it."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(setting, problem)
        self.setting = setting
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.setting}: {self.problem}"


@dataclasses.dataclass(frozen=True, slots=True)
class Option:
    """One setting: where it lives in the file, its environment variable, and how to explain it."""

    section: str
    name: str
    env: str | None
    default: str
    help: str
    example: str = ""


def default_database_path() -> pathlib.Path:
    """The SQLite file used when no database is configured: in the user's data directory."""
    return platformdirs.user_data_path(APP_NAME) / "settlecal.sqlite3"


def user_config_path() -> pathlib.Path:
    return platformdirs.user_config_path(APP_NAME) / "settlecal.conf"


OPTIONS: Final = (
    Option("database", "url", "SETTLECAL_DATABASE_URL", "",
           "SQLAlchemy URL of the database the server reads and the commands use. Empty: a SQLite file "
           "in the user's data directory. PostgreSQL: postgresql://USER:PASSWORD@HOST/DB?connect_timeout=5 "
           "(pip install 'settlecal[postgresql]').",
           "postgresql://settlecal:PASSWORD@db.internal/settlecal?connect_timeout=5"),
    Option("database", "write_url", "SETTLECAL_WRITE_DATABASE_URL", "",
           "The primary, when `url` is a read replica: the web page's sign-ups and unsubscribes write "
           "here. Empty: `url`.",
           "postgresql://settlecal:PASSWORD@db-primary.internal/settlecal?connect_timeout=5"),
    Option("database", "pool_size", "SETTLECAL_POOL_SIZE", "4",
           "Connections each server process keeps open to the database (and to the primary). A process "
           "holds at most pool_size + max_overflow of each: keep workers x that below PostgreSQL's "
           "max_connections."),
    Option("database", "max_overflow", "SETTLECAL_MAX_OVERFLOW", "2",
           "Connections a process may open beyond pool_size under a burst, closed again after use."),
    Option("database", "pool_timeout", "SETTLECAL_POOL_TIMEOUT", "10",
           "Seconds a request waits for a free connection before it is answered 503."),
    Option("server", "public_url", "SETTLECAL_PUBLIC_URL", "",
           "The public base URL of the server, as subscribers reach it: links on the page and in every "
           f"e-mail. Empty: the page uses each request's Host, e-mails {DEFAULT_PUBLIC_URL}.",
           "https://calendars.example.org"),
    Option("server", "mode", "SETTLECAL_MODE", "public",
           "public: anyone reads the calendars and the page. private: only the users of `users` read "
           "(htpasswd file with bcrypt hashes, pip install 'settlecal[auth]'), and the page is off."),
    Option("server", "users", "SETTLECAL_USERS", "/etc/settlecal/users",
           "The htpasswd file of a private server."),
    Option("server", "trusted_proxies", "SETTLECAL_TRUSTED_PROXIES", "",
           "Addresses or networks of the proxies in front of the server, comma-separated: the client "
           "address is taken from their X-Forwarded-For, nobody else's.",
           "127.0.0.1, ::1"),
    Option("server", "retry_after", "SETTLECAL_RETRY_AFTER", "5",
           "Seconds clients are told to wait (Retry-After) while the database cannot be reached."),
    Option("server", "radicale_config", "RADICALE_CONFIG", "",
           "An extra Radicale configuration file laid over the one settlecal generates, for Radicale "
           "options this file does not cover ([headers], [storage] cache_size, …)."),
    Option("notify", "smtp_url", "SETTLECAL_SMTP_URL", "",
           "Where notifications go out: smtp://USER:PASSWORD@HOST:587?starttls=1 or smtps://…:465. "
           "Empty: messages stay queued.", "smtp://mailer:PASSWORD@smtp.example.org:587?starttls=1"),
    Option("notify", "from", "SETTLECAL_MAIL_FROM", "",
           "The From address of notifications. Empty: settlecal@ the public URL's host.",
           "Settlement calendars <calendars@example.org>"),
    Option("notify", "message_domain", "SETTLECAL_MESSAGE_DOMAIN", "",
           "The domain of Message-IDs. Empty: the public URL's host."),
    Option("notify", "confirmations_per_address", "SETTLECAL_CONFIRMATIONS_PER_ADDRESS", "3",
           "Confirmation messages the sign-up form sends one address in a day, whatever the filters: "
           "the form cannot be used to flood someone's inbox."),
    Option("notify", "confirmations_per_client", "SETTLECAL_CONFIRMATIONS_PER_CLIENT", "10",
           "Sign-ups one client address (as the trusted proxies report it) may make in an hour, counted "
           "by each server process. More get the same answer and send nothing."),
    Option("notify", "pending_days", "SETTLECAL_PENDING_DAYS", "7",
           "Days a sign-up waits for its confirmation link to be followed; then it is dropped and the "
           "link stops working."),
    Option("logging", "level", "SETTLECAL_LOG_LEVEL", "info",
           "debug, info, warning or error."),
    Option("logging", "format", "SETTLECAL_LOG_FORMAT", "json",
           "json: one JSON object a line on standard error, access lines and Radicale's alike; text: "
           "plain lines for a terminal."),
    Option("logging", "access_log", "SETTLECAL_ACCESS_LOG", "-",
           "The access log: - (the log stream), a file (reopened when logrotate moves it), or off."),
    Option("import", "max_file_size", "SETTLECAL_MAX_FILE_SIZE", "200",
           "Megabytes a release file may have: `settlecal import` refuses a larger one before reading it "
           "(an XLSX is also held to bounds on how much it expands; docs/release-format.md)."),
)


@dataclasses.dataclass(frozen=True, slots=True)
class PoolSettings:
    size: int = 4
    max_overflow: int = 2
    timeout: float = 10.0


@dataclasses.dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, resolved. `file` is the settlecal.conf read (None: none exists)."""

    file: pathlib.Path | None
    database_url: str
    write_database_url: str | None  # None: writes go to database_url
    pool: PoolSettings
    public_url: str | None  # None: not configured
    mode: str
    users: pathlib.Path
    trusted_proxies: tuple[ProxyNetwork, ...]
    retry_after: int
    radicale_config: pathlib.Path | None
    smtp_url: str | None
    mail_from: str | None
    message_domain: str | None
    confirmations_per_address: int
    confirmations_per_client: int
    pending_days: int
    log_level: str
    log_format: str
    access_log: str
    database_configured: bool  # False: the default SQLite file, nobody chose it
    max_file_size: int = 200_000_000  # bytes of a release file

    @property
    def writes_url(self) -> str:
        """Where the server's own writes (sign-ups, unsubscribes) go: the primary."""
        return self.write_database_url or self.database_url

    @property
    def links_base(self) -> str:
        """The base URL of links in e-mails."""
        return (self.public_url or DEFAULT_PUBLIC_URL).rstrip("/")


def config_file(path: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None,
                ) -> pathlib.Path | None:
    """The settlecal.conf to read: the one named (it must exist), else the first default that exists."""
    environ = os.environ if environ is None else environ
    named = path or environ.get(CONFIG_ENV)
    if named:
        chosen = pathlib.Path(named).expanduser()
        if not chosen.exists():
            raise ConfigInvalid(CONFIG_ENV if not path else "--config", f"no such file {str(chosen)!r}")
        return chosen
    for candidate in (SYSTEM_CONFIG, user_config_path()):
        if candidate.is_file():
            return candidate
    return None


def load(path: str | os.PathLike[str] | None = None, *, database_url: str | None = None,
         radicale_config: str | os.PathLike[str] | None = None, environ: Mapping[str, str] | None = None,
         ) -> Settings:
    """The settings for this process. `database_url` (the `--database` option) and `radicale_config` (an
    extra Radicale file given by the caller) win over the rest."""
    environ = os.environ if environ is None else environ
    file = config_file(path, environ)
    values = _read_ini(file) if file else {}
    raw = {(o.section, o.name): environ.get(o.env, "") if o.env else "" for o in OPTIONS}
    for key, value in raw.items():
        raw[key] = value.strip() or values.get(key, "").strip()
    if radicale_config:
        raw[("server", "radicale_config")] = str(pathlib.Path(radicale_config).resolve())
    radicale_file = raw[("server", "radicale_config")]
    radicale = _read_ini(_relative_to(radicale_file, file)) if radicale_file else {}
    url = (database_url or raw[("database", "url")] or radicale.get(("storage", "database_url"), "").strip())
    public_url = (raw[("server", "public_url")] or values.get(("notify", "public_url"), "").strip()
                  or radicale.get(("web", "public_url"), "").strip())
    mode = raw[("server", "mode")] or "public"
    if mode not in ("public", "private"):
        raise ConfigInvalid("[server] mode", f"{mode!r} is not public or private")
    return Settings(
        file=file,
        database_url=url or f"sqlite:///{default_database_path()}",
        write_database_url=raw[("database", "write_url")] or None,
        pool=PoolSettings(_number(raw, "database", "pool_size", 4), _number(raw, "database", "max_overflow", 2),
                          float(_number(raw, "database", "pool_timeout", 10))),
        public_url=public_url.rstrip("/") or None,
        mode=mode,
        users=_relative_to(raw[("server", "users")] or "/etc/settlecal/users", file),
        trusted_proxies=_networks(raw[("server", "trusted_proxies")]),
        retry_after=_number(raw, "server", "retry_after", 5),
        radicale_config=_relative_to(radicale_file, file) if radicale_file else None,
        smtp_url=raw[("notify", "smtp_url")] or None,
        mail_from=raw[("notify", "from")] or None,
        message_domain=raw[("notify", "message_domain")] or None,
        confirmations_per_address=_number(raw, "notify", "confirmations_per_address", 3),
        confirmations_per_client=_number(raw, "notify", "confirmations_per_client", 10),
        pending_days=max(1, _number(raw, "notify", "pending_days", 7)),
        log_level=(raw[("logging", "level")] or "info").lower(),
        log_format=_choice(raw, "logging", "format", ("json", "text")),
        access_log=raw[("logging", "access_log")] or "-",
        database_configured=bool(url),
        max_file_size=_number(raw, "import", "max_file_size", 200) * 1_000_000,
    )


def _read_ini(path: pathlib.Path) -> dict[tuple[str, str], str]:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8") as stream:
            parser.read_file(stream)
    except FileNotFoundError as error:
        raise ConfigInvalid(str(path), "no such file") from error
    except (OSError, UnicodeDecodeError, configparser.Error) as error:
        raise ConfigInvalid(str(path), str(error).splitlines()[0]) from error
    return {(section, name): value for section in parser.sections() for name, value in parser[section].items()}


def _relative_to(value: str, file: pathlib.Path | None) -> pathlib.Path:
    path = pathlib.Path(value).expanduser()
    return path if path.is_absolute() or file is None else file.parent / path


def _number(raw: Mapping[tuple[str, str], str], section: str, name: str, default: int) -> int:
    value = raw[(section, name)]
    if not value:
        return default
    if not value.isdigit():
        raise ConfigInvalid(f"[{section}] {name}", f"{value!r} is not a whole number")
    return int(value)


def _choice(raw: Mapping[tuple[str, str], str], section: str, name: str, choices: tuple[str, ...]) -> str:
    value = (raw[(section, name)] or choices[0]).lower()
    if value not in choices:
        raise ConfigInvalid(f"[{section}] {name}", f"{value!r} is not one of {', '.join(choices)}")
    return value


def _networks(value: str) -> tuple[ProxyNetwork, ...]:
    networks = []
    for item in filter(None, (part.strip() for part in value.split(","))):
        try:
            networks.append(ipaddress.ip_network(item, strict=False))
        except ValueError as error:
            raise ConfigInvalid("[server] trusted_proxies", f"{item!r} is not an address or network") from error
    return tuple(networks)


def example() -> str:
    """A commented settlecal.conf with every option, its environment variable and its default."""
    lines = ["# settlecal.conf: read by the server and by every `settlecal` command.",
             f"# Found at --config, $SETTLECAL_CONFIG, {SYSTEM_CONFIG}, or ~/.config/settlecal/settlecal.conf.",
             "# An environment variable, where one is named, wins over the file.", ""]
    section = ""
    for option in OPTIONS:
        if option.section != section:
            section = option.section
            lines += ([""] if lines[-1] else []) + [f"[{section}]"]
        lines += [f"# {line}" for line in _wrap(option.help)]
        if option.env:
            lines.append(f"# Environment: {option.env}")
        value = option.example or option.default
        lines.append(f"{'' if option.default and not option.example else '# '}{option.name} = {value}".rstrip())
    return "\n".join(lines) + "\n"


def _wrap(text: str, width: int = 98) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += f" {word}"
        else:
            lines.append(word)
    return lines
