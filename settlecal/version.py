"""The installed version of settlecal, as `settlecal --version` and `/.web/health` report it."""

from __future__ import annotations

import functools
from importlib import metadata


@functools.cache
def version() -> str:
    try:
        return metadata.version("settlecal")
    except metadata.PackageNotFoundError:  # imported from a checkout that was never installed
        return "0+unknown"
