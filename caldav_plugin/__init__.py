"""Read-only CalDAV collections of IATA settlement calendars, generated from a SQL database.

`[storage] type = caldav_plugin.storage` (or `caldav_plugin`) loads the Radicale storage plugin.
`Storage` and `PLUGIN_CONFIG_SCHEMA` are resolved on first use, so that the admin command, which
imports the database modules of this package, does not pay for importing Radicale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from caldav_plugin.settings import PLUGIN_CONFIG_SCHEMA
    from caldav_plugin.storage import Storage

__all__ = ["PLUGIN_CONFIG_SCHEMA", "Storage"]


def __getattr__(name: str) -> Any:
    if name == "Storage":
        from caldav_plugin.storage import Storage

        return Storage
    if name == "PLUGIN_CONFIG_SCHEMA":
        from caldav_plugin.settings import PLUGIN_CONFIG_SCHEMA

        return PLUGIN_CONFIG_SCHEMA
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
