"""The plugin's options (`[storage]` in Radicale's configuration), shared by the storage and the web page."""

from __future__ import annotations

import dataclasses
from typing import Any, Final

from radicale import config as radicale_config
from radicale import types as radicale_types

from settlecal.config import PoolSettings
from settlecal.db.engine import database_url


def _positive_int(value: Any) -> int:
    number = int(value)
    if number <= 0:
        raise ValueError(f"must be a positive integer: {value!r}")
    return number


def _non_negative_int(value: Any) -> int:
    number = int(value)
    if number < 0:
        raise ValueError(f"must not be negative: {value!r}")
    return number


PLUGIN_CONFIG_SCHEMA: Final[radicale_types.CONFIG_SCHEMA] = {
    "storage": {
        "database_url": {
            "value": "",
            "help": "SQLAlchemy URL of the settlement database (empty: $SETTLECAL_DATABASE_URL, "
                    "else the SQLite file in the user's data directory); set from settlecal.conf",
            "type": str,
        },
        "write_database_url": {
            "value": "",
            "help": "the primary, for the web page's writes when database_url is a read replica (empty: database_url)",
            "type": str,
        },
        "pool_size": {
            "value": "4",
            "help": "connections each server process keeps open to each database",
            "type": _non_negative_int,
        },
        "max_overflow": {
            "value": "2",
            "help": "connections a process may open beyond pool_size under a burst",
            "type": _non_negative_int,
        },
        "pool_timeout": {
            "value": "10",
            "help": "seconds a request waits for a free connection (then 503)",
            "type": float,
        },
        "refresh_interval": {
            "value": "720",
            "help": "minutes subscribers should wait between downloads (REFRESH-INTERVAL, X-PUBLISHED-TTL)",
            "type": _positive_int,
        },
        "cache_size": {
            "value": "32",
            "help": "MiB of rendered calendars each server process keeps in memory",
            "type": _non_negative_int,
        },
        "max_age": {
            "value": "300",
            "help": "seconds clients and proxies may reuse a calendar or event before revalidating "
                    "(Cache-Control of GET, set by caldav_plugin.wsgi)",
            "type": _non_negative_int,
        },
    }
}


@dataclasses.dataclass(frozen=True, slots=True)
class PluginSettings:
    database_url: str
    write_database_url: str
    pool: PoolSettings
    refresh_minutes: int
    cache_bytes: int
    max_age: int

    @classmethod
    def from_configuration(cls, configuration: radicale_config.Configuration) -> PluginSettings:
        url = database_url(configuration.get("storage", "database_url") or None)
        return cls(
            database_url=url,
            write_database_url=configuration.get("storage", "write_database_url") or url,
            pool=PoolSettings(configuration.get("storage", "pool_size"), configuration.get("storage", "max_overflow"),
                              configuration.get("storage", "pool_timeout")),
            refresh_minutes=configuration.get("storage", "refresh_interval"),
            cache_bytes=configuration.get("storage", "cache_size") * 1024 * 1024,
            max_age=configuration.get("storage", "max_age"),
        )


WEB_CONFIG_SCHEMA: Final[radicale_types.CONFIG_SCHEMA] = {
    "web": {
        "public_url": {
            "value": "",
            "help": "the server's public base URL for subscription links, e.g. https://calendars.example.org "
                    "(empty: taken from each request's Host)",
            "type": str,
        },
        "upcoming": {
            "value": "20",
            "help": "how many upcoming key dates the page lists",
            "type": int,
        },
    }
}


@dataclasses.dataclass(frozen=True, slots=True)
class WebSettings:
    storage: PluginSettings
    public_url: str
    upcoming: int

    @classmethod
    def from_configuration(cls, configuration: radicale_config.Configuration) -> WebSettings:
        return cls(
            storage=PluginSettings.from_configuration(configuration),
            public_url=configuration.get("web", "public_url").rstrip("/"),
            upcoming=max(1, configuration.get("web", "upcoming")),
        )
