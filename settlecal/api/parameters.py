"""The API's query parameters: what each means (for the OpenAPI document) and how a query string is read.

The filters (`system`, `country`, `currency`, `frequency`, `kind`, `from`, `to`) are the page's, read by
settlecal.filters with the page's rules; this module adds only what the page has no use for: `limit`,
`cursor` and `since`. Unlike the page, the API refuses what it cannot honour: an unknown parameter, an
empty value, a value that names nothing, a single-valued parameter given twice. A back office that
misspells `frequency` must not silently get every calendar.
"""

from __future__ import annotations

import dataclasses
import re
import urllib.parse
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final

import pycountry

from settlecal import filters
from settlecal.api.errors import ParameterInvalid, ParameterUnknown, QueryTooLong
from settlecal.db.models import MAX_ID
from settlecal.domain import Frequency, Kind, System
from settlecal.filters import Selection

DEFAULT_LIMIT: Final = 100
MAX_LIMIT: Final = 1000
MAX_QUERY: Final = 2048  # characters of a query string; real ones are under 300
MAX_REVISION: Final = MAX_ID
_DIGITS: Final = re.compile(r"[0-9]{1,10}")


@dataclasses.dataclass(frozen=True, slots=True)
class Parameter:
    """A query parameter as the OpenAPI document describes it."""

    name: str
    description: str
    schema_of: Callable[[], dict[str, Any]]  # called when the document is built, not at import
    expected: str  # what a valid value looks like, for error messages
    multiple: bool = False  # a list: comma-separated, or the parameter repeated

    @property
    def schema(self) -> dict[str, Any]:
        return self.schema_of()


def _enum(values: Sequence[str]) -> Callable[[], dict[str, Any]]:
    return lambda: {"type": "string", "enum": list(values)}


def _fixed(schema: dict[str, Any]) -> Callable[[], dict[str, Any]]:
    return lambda: dict(schema)


def _countries() -> dict[str, Any]:
    return {"type": "string", "enum": sorted(country.alpha_2 for country in pycountry.countries)}


def _currencies() -> dict[str, Any]:
    return {"type": "string", "enum": sorted(currency.alpha_3 for currency in pycountry.currencies)}


def _one_of(values: Iterable[str]) -> str:
    return "one of " + ", ".join(values)


SYSTEM: Final = Parameter("system", "The settlement system (case-insensitive).",
                          _enum([system.value for system in System]), _one_of(System))
COUNTRY: Final = Parameter(
    "country", "An ISO 3166-1 alpha-2 country code (case-insensitive; the country's name works too).",
    _countries, "an ISO 3166-1 alpha-2 country code")
CURRENCY: Final = Parameter(
    "currency", "An ISO 4217 currency code (case-insensitive).",
    _currencies, "an ISO 4217 currency code")
FREQUENCY: Final = Parameter("frequency", "The remittance frequency.",
                             _enum([frequency.value for frequency in Frequency]), _one_of(Frequency))
KIND: Final = Parameter(
    "kind", "Key-date kinds, comma-separated or repeated; none: every kind.",
    _fixed({"type": "array", "items": {"type": "string", "enum": [kind.value for kind in Kind]},
            "minItems": 1, "uniqueItems": True}),
    "kinds among " + ", ".join(Kind), multiple=True)
FROM: Final = Parameter("from", "A date (YYYY-MM-DD); only key dates on or after it.",
                        _fixed({"type": "string", "format": "date"}), "a date, YYYY-MM-DD")
TO: Final = Parameter("to", "A date (YYYY-MM-DD), not before `from`; only key dates on or before it.",
                      _fixed({"type": "string", "format": "date"}), "a date, YYYY-MM-DD, not before `from`")
LIMIT: Final = Parameter(
    "limit", f"At most this many items per page (default {DEFAULT_LIMIT}, at most {MAX_LIMIT}).",
    _fixed({"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}),
    f"an integer from 1 to {MAX_LIMIT}")
CURSOR: Final = Parameter(
    "cursor", "The `next_cursor` of the previous page; pass the same other parameters with it.",
    _fixed({"type": "string", "minLength": 1, "maxLength": 512, "pattern": "^[A-Za-z0-9_-]+$"}), "a cursor")
SINCE: Final = Parameter(
    "since", "A revision: changes made after it (default 0, the whole log). A revision this server has not "
    "reached is refused (400, `since_in_future`).",
    _fixed({"type": "integer", "minimum": 0, "maximum": MAX_REVISION, "default": 0}),
    f"an integer from 0 to {MAX_REVISION}")

FILTERS: Final = (SYSTEM, COUNTRY, CURRENCY, FREQUENCY)
PAGE: Final = (LIMIT, CURSOR)


@dataclasses.dataclass(frozen=True, slots=True)
class Arguments:
    """What a query string asked for; parameters the endpoint does not take keep their defaults."""

    selection: Selection = Selection()
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    since: int = 0

    @property
    def canonical(self) -> str:
        """The query in canonical form, but for `limit` and `cursor`: what a cursor is bound to."""
        return f"{self.selection.query()}&since={self.since}"


def read(query_string: str, accepted: Sequence[Parameter]) -> Arguments:
    """The arguments of a query string for an endpoint that takes `accepted`; ApiError otherwise."""
    if len(query_string) > MAX_QUERY:
        raise QueryTooLong(len(query_string), MAX_QUERY)
    by_name = {parameter.name: parameter for parameter in accepted}
    pairs = urllib.parse.parse_qsl(query_string, keep_blank_values=True)
    for name, _ in pairs:
        if name not in by_name:
            raise ParameterUnknown(name, tuple(by_name))
    given = [(name, value.strip()) for name, value in pairs]
    for name, value in given:
        # The page reads an empty value as "any"; a program that means "any" leaves the parameter out.
        parts = value.split(",") if by_name[name].multiple else [value]
        if not all(part.strip() for part in parts):
            raise ParameterInvalid(name, value, f"{by_name[name].expected} (leave {name} out for none)")
    for name, count in Counter(name for name, _ in given).items():
        if count > 1 and not by_name[name].multiple:
            raise ParameterInvalid(name, dict(given)[name], "given more than once")
    values = dict(given)
    selection, problems = filters.parse(query_string)
    for problem in problems:  # the first is enough to fix; its fix may well fix the others
        raise ParameterInvalid(problem.parameter, problem.value, by_name[problem.parameter].expected)
    return Arguments(
        selection=selection,
        limit=_integer(LIMIT, values["limit"], 1, MAX_LIMIT) if "limit" in values else DEFAULT_LIMIT,
        cursor=values.get("cursor"),
        since=_integer(SINCE, values["since"], 0, MAX_REVISION) if "since" in values else 0,
    )


def _integer(parameter: Parameter, text: str, low: int, high: int) -> int:
    if not _DIGITS.fullmatch(text) or not low <= int(text) <= high:
        raise ParameterInvalid(parameter.name, text, parameter.expected)
    return int(text)
