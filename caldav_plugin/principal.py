"""The collections above the calendars: the root `/` and the principals `/bsp/`, `/cass/` and
`/cass-import/`.

Radicale's calendar-home-set is always the principal's own path, so a client that logs in as `bsp`
finds every BSP calendar one level below `/bsp/`. These collections hold no items and have no
calendar tag; their few properties are constants.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final, overload

from radicale import item as radicale_item
from radicale import storage as radicale_storage

from caldav_plugin.errors import ReadOnly
from settlecal.domain import System

# Containers never change as far as HTTP caching is concerned; their listings are PROPFINDs.
_EPOCH: Final = "Thu, 01 Jan 1970 00:00:00 GMT"


class ContainerCollection(radicale_storage.BaseCollection):
    """A collection of collections: no items, no calendar data, read-only."""

    def __init__(self, path: str, display_name: str) -> None:
        self._path = path
        self._meta = {"D:displayname": display_name}

    @property
    def path(self) -> str:
        return self._path

    @property
    def tag(self) -> str:
        return ""

    @property
    def etag(self) -> str:
        return f'"container-{self._path or "root"}"'

    @property
    def last_modified(self) -> str:
        return _EPOCH

    @overload
    def get_meta(self, key: None = None) -> Mapping[str, str]: ...

    @overload
    def get_meta(self, key: str) -> str | None: ...

    def get_meta(self, key: str | None = None) -> Mapping[str, str] | str | None:
        return self._meta if key is None else self._meta.get(key)

    def get_all(self) -> Iterator[radicale_item.Item]:
        return iter(())

    def get_multi(self, hrefs: Iterable[str]) -> Iterator[tuple[str, radicale_item.Item | None]]:
        return ((href, None) for href in hrefs)

    def has_uid(self, uid: str) -> bool:
        return False

    def sync(self, old_token: str = "") -> tuple[str, Iterable[str]]:
        return "", ()  # Radicale only syncs calendars

    def serialize(self, vcf_to_ics: bool = False, ShareActions: dict[str, Any] | None = None) -> str:
        return ""

    def upload(self, href: str, item: radicale_item.Item) -> Any:
        raise ReadOnly("upload", f"{self._path}/{href}")

    def delete(self, href: str | None = None) -> None:
        raise ReadOnly("delete", self._path)

    def set_meta(self, props: Mapping[str, str]) -> None:
        raise ReadOnly("change the properties of", self._path)


def root() -> ContainerCollection:
    return ContainerCollection("", "Settlement calendars")


def principal(system: System) -> ContainerCollection:
    return ContainerCollection(system.lower(), f"{system} settlement calendars")
