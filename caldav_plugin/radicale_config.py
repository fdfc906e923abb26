"""Radicale's configuration, generated: the file shipped in the package, an operator's extra Radicale
file laid over it, then what settlecal.conf says (database, public URL, pools, logging, private users).

No file of a source tree is needed: the shipped files (caldav_plugin/config/) come with the package,
and relative paths in a file (the rights file) are taken relative to that file, so the configuration
works from any working directory.
"""

from __future__ import annotations

import os
import pathlib
from importlib import resources
from typing import Final

from radicale import config as radicale_config

from settlecal.config import Settings

SETTINGS_SOURCE: Final = "settlecal.conf"


def shipped(name: str) -> pathlib.Path:
    """A file of caldav_plugin/config/, as installed."""
    return pathlib.Path(str(resources.files("caldav_plugin") / "config" / name))


def build(settings: Settings) -> radicale_config.Configuration:
    """The configuration Radicale runs with under these settings."""
    base = shipped("radicale-private.conf" if settings.mode == "private" else "radicale.conf")
    files = [base.resolve()] + ([settings.radicale_config.resolve()] if settings.radicale_config else [])
    configuration = radicale_config.load([(str(path), False) for path in files])
    overrides: dict[str, dict[str, str]] = {}
    for path in files:
        _resolve_relative_paths(configuration, path, overrides)
    overrides.setdefault("storage", {}).update({
        "database_url": settings.database_url, "write_database_url": settings.writes_url,
        "pool_size": str(settings.pool.size), "max_overflow": str(settings.pool.max_overflow),
        "pool_timeout": str(settings.pool.timeout),
    })
    overrides.setdefault("logging", {})["level"] = settings.log_level
    if settings.public_url:
        overrides.setdefault("web", {})["public_url"] = settings.public_url
    if settings.mode == "private":
        overrides.setdefault("auth", {})["htpasswd_filename"] = str(settings.users)
    configuration.update(overrides, SETTINGS_SOURCE)
    return configuration


def _resolve_relative_paths(configuration: radicale_config.Configuration, path: pathlib.Path,
                            overrides: dict[str, dict[str, str]]) -> None:
    source = f"config file {str(path)!r}"
    for section in configuration.sections():
        for option in configuration.options(section):
            if configuration.get_source(section, option) != source:
                continue
            raw = configuration.get_raw(section, option)
            if _is_filepath(section, option) and raw and not os.path.isabs(os.path.expanduser(raw)):
                overrides.setdefault(section, {})[option] = str(path.parent / raw)


def _is_filepath(section: str, option: str) -> bool:
    schema = radicale_config.DEFAULT_CONFIG_SCHEMA.get(section, {}).get(option)
    return isinstance(schema, dict) and schema.get("type") is radicale_config.filepath
