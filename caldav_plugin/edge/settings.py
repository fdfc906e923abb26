"""The edge's settings: from Radicale's configuration (`[server] max_content_length`) and settlecal.conf."""

from __future__ import annotations

import dataclasses
from typing import Final

from radicale import config as radicale_config

from settlecal.config import ProxyNetwork, Settings

# A read-only server's requests are small XML queries; Radicale's own default (100 MB) is for uploads.
DEFAULT_MAX_BODY: Final = 1_000_000
DEFAULT_RETRY_AFTER: Final = 5


@dataclasses.dataclass(frozen=True, slots=True)
class EdgeSettings:
    max_body: int
    retry_after: int = DEFAULT_RETRY_AFTER
    trusted_proxies: tuple[ProxyNetwork, ...] = ()

    @classmethod
    def from_configuration(cls, configuration: radicale_config.Configuration, settings: Settings) -> EdgeSettings:
        max_body = configuration.get("server", "max_content_length")
        if configuration.get_source("server", "max_content_length") == "default config":
            max_body = DEFAULT_MAX_BODY
        return cls(max_body=max_body, retry_after=settings.retry_after, trusted_proxies=settings.trusted_proxies)
