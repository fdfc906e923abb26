"""JSON Schemas (draft 2020-12, the dialect of OpenAPI 3.1) of the API's answer types, read from the
dataclasses themselves: their field types, `Doc` annotations and docstrings.

Every field is required (a missing value is `null`) and no other property is allowed, so a response
check catches any drift between the code and the document.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import inspect
import types
import typing
from collections.abc import Mapping
from typing import Any, Final

from settlecal.api.resources import Doc

JsonSchema = dict[str, Any]
COMPONENTS: Final = "#/components/schemas/"
_SCALARS: Final[Mapping[type, JsonSchema]] = {
    str: {"type": "string"},
    bool: {"type": "boolean"},
    int: {"type": "integer"},
    # datetime before date: a datetime is a date too.
    datetime.datetime: {"type": "string", "format": "date-time"},
    datetime.date: {"type": "string", "format": "date"},
}


def reference(cls: type) -> JsonSchema:
    return {"$ref": COMPONENTS + cls.__name__}


def component_schemas(*roots: type) -> dict[str, JsonSchema]:
    """The schema of each dataclass in `roots` and of every dataclass they name, by class name."""
    found: dict[str, JsonSchema] = {}
    pending = list(roots)
    while pending:
        cls = pending.pop()
        if cls.__name__ not in found:
            found[cls.__name__] = _object_schema(cls, pending)
    return dict(sorted(found.items()))


def _object_schema(cls: type, pending: list[type]) -> JsonSchema:
    if not dataclasses.is_dataclass(cls):
        raise TypeError(f"{cls!r} is not a dataclass")
    hints = typing.get_type_hints(cls, include_extras=True)
    properties = {field.name: _field_schema(hints[field.name], pending) for field in dataclasses.fields(cls)}
    return {
        "type": "object",
        "description": inspect.cleandoc(cls.__doc__ or ""),
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def _field_schema(hint: Any, pending: list[type]) -> JsonSchema:
    description = None
    if typing.get_origin(hint) is typing.Annotated:
        hint, *extras = typing.get_args(hint)
        description = next((extra.text for extra in extras if isinstance(extra, Doc)), None)
    schema = type_schema(hint, pending)
    return {**schema, "description": description} if description else schema


def type_schema(hint: Any, pending: list[type]) -> JsonSchema:
    """The schema of one type; dataclasses become references, appended to `pending`."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        return _field_schema(hint, pending)
    if origin in (types.UnionType, typing.Union):
        return _nullable(hint, pending)
    if origin in (tuple, list):
        item = typing.get_args(hint)[0]
        return {"type": "array", "items": type_schema(item, pending)}
    if origin is typing.Literal:
        return {"type": "string", "enum": list(typing.get_args(hint))}
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return {"type": "string", "enum": [member.value for member in hint]}
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        pending.append(hint)
        return reference(hint)
    for scalar, schema in _SCALARS.items():
        if hint is scalar:
            return dict(schema)
    raise TypeError(f"no JSON Schema for {hint!r}")


def _nullable(hint: Any, pending: list[type]) -> JsonSchema:
    others = [arg for arg in typing.get_args(hint) if arg is not type(None)]
    if len(others) != 1 or len(typing.get_args(hint)) != 2:
        raise TypeError(f"only `X | None` unions are supported, not {hint!r}")
    schema = type_schema(others[0], pending)
    if set(schema) <= {"type", "format"} and isinstance(schema["type"], str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]}
