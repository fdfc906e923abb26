"""What a route of the JSON API is, and what its handler gets: the types the route table, the
handlers and the OpenAPI document share (a leaf, so none of them imports another to name them)."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from sqlalchemy.orm import Session

from settlecal.api.links import Links
from settlecal.api.paging import Pager
from settlecal.api.parameters import Arguments, Parameter
from settlecal.db import models

# A path parameter: a release id, a positive integer written the canonical way; longer ones name nothing
# (and Python refuses to read numbers of thousands of digits).
_ID: Final = r"(?P<{name}>[1-9][0-9]{{0,18}})"
MAX_ID: Final = models.MAX_ID  # what the document promises; a larger id that matches gets 404 from the query


@dataclasses.dataclass(frozen=True, slots=True)
class Call:
    """One request to a handler, inside the request's database snapshot."""

    session: Session
    arguments: Arguments
    pager: Pager
    links: Links
    path_values: Mapping[str, int]
    routes: tuple[Route, ...]  # the whole table, for the OpenAPI document
    base: str  # the API's base path on this server, with the proxy's prefix


Handler = Callable[[Call], Any]


@dataclasses.dataclass(frozen=True, slots=True)
class Route:
    """One GET endpoint: where it is, what it takes and answers, and who answers it."""

    path: str  # relative to the API's base, with `{name}` for an id: `/releases/{release_id}`
    operation_id: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    answer: type | None  # the answer's dataclass; None: a document of its own (openapi.json)
    handler: Handler
    errors: tuple[int, ...] = ()  # statuses besides 200, 304, 400 and 414
    follow: Mapping[str, Mapping[str, Any]] = dataclasses.field(default_factory=dict)  # OpenAPI links

    @property
    def path_names(self) -> tuple[str, ...]:
        return tuple(re.findall(r"\{(\w+)\}", self.path))

    def match(self, path: str) -> dict[str, int] | None:
        """The path's ids if it is this route's; else None."""
        pattern = re.escape(self.path)
        for name in self.path_names:
            pattern = pattern.replace(re.escape(f"{{{name}}}"), _ID.format(name=name))
        found = re.fullmatch(pattern, path)
        if found is None:
            return None
        return {name: int(text) for name, text in found.groupdict().items()}
