"""The answers the web plugin hands Radicale: (status, headers, body, None), bodies always bytes."""

from __future__ import annotations

import hashlib
import importlib.resources
import urllib.parse
from collections.abc import Mapping
from typing import Any, Final

from radicale import types as radicale_types

HTML: Final = "text/html; charset=utf-8"
STATIC_TYPES: Final[Mapping[str, str]] = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
}
# Static files change only with a new version of the package; links carry their hash.
_STATIC_MAX_AGE: Final = 86400


def answer(status: int, content_type: str, body: bytes, **headers: str) -> radicale_types.WSGIResponse:
    merged: dict[str, str] = {"Content-Type": content_type}
    merged.update({name.replace("_", "-"): value for name, value in headers.items()})
    return status, merged, body, None


def html(body: str, *, lang: str, status: int = 200) -> radicale_types.WSGIResponse:
    return answer(status, HTML, body.encode("utf-8"), Content_Language=lang)


def with_headers(answer: radicale_types.WSGIResponse, extra: Mapping[str, str]) -> radicale_types.WSGIResponse:
    """`answer` with more headers (a cookie, Retry-After)."""
    status, headers, body, xml = answer
    merged = dict(headers.items() if isinstance(headers, Mapping) else headers)
    merged.update(extra)
    return status, merged, body, xml


def redirect(location: str, status: int = 303) -> radicale_types.WSGIResponse:
    return status, {"Location": location, "Content-Type": "text/plain; charset=utf-8"}, \
        f"See {location}\n".encode(), None


def not_modified(headers: Mapping[str, str]) -> radicale_types.WSGIResponse:
    return 304, dict(headers), None, None


def attachment(filename: str) -> str:
    """A Content-Disposition header for a download, safe for any file name."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "'").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=utf-8''{urllib.parse.quote(filename)}"


class StaticFiles:
    """The package's static/ folder, read once; ETag and version hash per file."""

    def __init__(self) -> None:
        self._files: dict[str, tuple[bytes, str]] = {}
        folder = importlib.resources.files("caldav_plugin.web").joinpath("static")
        for entry in folder.iterdir():
            suffix = "." + entry.name.rpartition(".")[2]
            if entry.is_file() and suffix in STATIC_TYPES:
                data = entry.read_bytes()
                self._files[entry.name] = (data, hashlib.sha256(data).hexdigest()[:16])

    def version(self, name: str) -> str:
        return self._files[name][1]

    def get(self, name: str, environ: Mapping[str, Any]) -> radicale_types.WSGIResponse | None:
        found = self._files.get(name)
        if found is None:
            return None
        data, digest = found
        etag = f'"{digest}"'
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={_STATIC_MAX_AGE}"}
        if etag in (environ.get("HTTP_IF_NONE_MATCH") or ""):
            return not_modified(headers)
        content_type = STATIC_TYPES["." + name.rpartition(".")[2]]
        return 200, {"Content-Type": content_type, **headers}, data, None
