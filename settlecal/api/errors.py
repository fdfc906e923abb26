"""What a JSON API request can get wrong, as data. The HTTP edge (caldav_plugin/web/api) maps each
class to a status and a stable `code` in one table; nothing reads these messages to decide anything."""

from __future__ import annotations

from settlecal.errors import SettlecalError

# How much of a value a message repeats: enough to recognise it, never a whole hostile query.
_ECHO = 80


def echo(value: str) -> str:
    return repr(value if len(value) <= _ECHO else value[:_ECHO] + "…")


class ApiError(SettlecalError):
    """A request the API refuses; `parameter` names the query parameter at fault, if one is."""

    parameter: str | None = None


class QueryTooLong(ApiError):
    def __init__(self, length: int, limit: int) -> None:
        super().__init__(length, limit)
        self.length, self.limit = length, limit

    def __str__(self) -> str:
        return f"the query string has {self.length} characters; at most {self.limit} are read"


class ParameterUnknown(ApiError):
    def __init__(self, name: str, known: tuple[str, ...]) -> None:
        super().__init__(name, known)
        self.parameter = self.name = name
        self.known = known

    def __str__(self) -> str:
        allowed = ", ".join(self.known) or "none"
        return f"unknown parameter {echo(self.name)}; this endpoint takes: {allowed}"


class ParameterInvalid(ApiError):
    def __init__(self, parameter: str, value: str, expected: str) -> None:
        super().__init__(parameter, value, expected)
        self.parameter, self.value, self.expected = parameter, value, expected

    def __str__(self) -> str:
        return f"{self.parameter}={echo(self.value)}: {self.expected}"


class CursorInvalid(ParameterInvalid):
    """A cursor this server did not hand out for this query."""

    def __init__(self, value: str, reason: str) -> None:
        super().__init__("cursor", value, reason)


class CursorStale(ApiError):
    """The key dates a cursor pages through changed since its first page: the pages would not add up."""

    parameter = "cursor"

    def __init__(self, made_at: int, now: int) -> None:
        super().__init__(made_at, now)
        self.made_at, self.now = made_at, now

    def __str__(self) -> str:
        return (f"the selection changed (revision {self.made_at} → {self.now}) since this pagination "
                "started; start again without a cursor, or follow /changes")


class SinceInFuture(ApiError):
    """`since` names a revision this database has not made (yet): a client synced elsewhere, or a
    database restored from an older backup. Either way its state cannot be trusted as a base."""

    parameter = "since"

    def __init__(self, since: int, current: int) -> None:
        super().__init__(since, current)
        self.since, self.current = since, current

    def __str__(self) -> str:
        return (f"since={self.since} is after the current revision {self.current}: this server never made "
                "that revision; resynchronise from since=0 (or retry later if another server is ahead)")


class ReleaseUnknown(ApiError):
    def __init__(self, release_id: int) -> None:
        super().__init__(release_id)
        self.release_id = release_id

    def __str__(self) -> str:
        return f"there is no release {self.release_id}"


class EndpointUnknown(ApiError):
    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path

    def __str__(self) -> str:
        return f"no endpoint at {echo(self.path)}; the API is described at /.web/api/v1/openapi.json"
