"""Read-only CalDAV collections of IATA settlement calendars, generated from a SQL database.

`[storage] type = caldav_plugin.storage` (or `caldav_plugin`) loads the Radicale storage plugin.
`Storage` and `PLUGIN_CONFIG_SCHEMA` are resolved on first use, so that the admin command, which
imports the database modules of this package, does not pay for importing Radicale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from caldav_plugin.storage import PLUGIN_CONFIG_SCHEMA, Storage

__all__ = ["PLUGIN_CONFIG_SCHEMA", "Storage"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from caldav_plugin import storage

        return getattr(storage, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
