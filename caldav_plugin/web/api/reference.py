"""docs/api.md's reference part, rendered from the OpenAPI document (tests/api/test_openapi.py keeps the
file current). Everything after MARKER in docs/api.md is this module's output:

    python -m caldav_plugin.web.api.reference docs/api.md    # rewrites the part after the marker
"""

from __future__ import annotations

import pathlib
import sys
from collections.abc import Iterator, Mapping
from typing import Any, Final

from caldav_plugin.web.api.openapi import document
from caldav_plugin.web.api.routes import ROUTES

MARKER: Final = "<!-- Everything below is generated from the OpenAPI document: python -m caldav_plugin.web.api.reference docs/api.md -->\n"
_LISTED: Final = 12  # enums longer than this are counted, not listed


def render() -> str:
    spec = document(ROUTES)
    lines = ["## Endpoint reference", "",
             f"Base path: `{spec['servers'][0]['url']}`. Every endpoint answers GET and HEAD; OPTIONS gets the "
             "CORS preflight answer, other methods 405.", ""]
    components = spec["components"]
    for path, item in spec["paths"].items():
        lines += _operation(path, item["get"], components)
    lines += ["## Answer types", ""]
    for name, schema in components["schemas"].items():
        lines += _schema(name, schema)
    return "\n".join(lines).rstrip("\n") + "\n"


def _operation(path: str, operation: Mapping[str, Any], components: Mapping[str, Any]) -> Iterator[str]:
    yield f"### GET {path}"
    yield ""
    yield f"{operation['summary']}. {operation['description']}"
    yield ""
    parameters = [components["parameters"][ref["$ref"].rsplit("/", 1)[1]] for ref in operation["parameters"]]
    yield "| parameter | in | values | description |"
    yield "|---|---|---|---|"
    for parameter in parameters:
        values = _type(parameter["schema"])
        yield f"| `{parameter['name']}` | {parameter['in']} | {values} | {_cell(parameter['description'])} |"
    yield ""
    yield "| status | answer |"
    yield "|---|---|"
    for status, response in operation["responses"].items():
        if "$ref" in response:
            response = components["responses"][response["$ref"].rsplit("/", 1)[1]]
        content = response.get("content", {})
        kinds = ", ".join(f"{media} {_type(body['schema'])}".strip() for media, body in content.items())
        yield f"| {status} | {_cell(response['description'])}{' — ' + kinds if kinds else ''} |"
    yield ""


def _schema(name: str, schema: Mapping[str, Any]) -> Iterator[str]:
    yield f"### {name}"
    yield ""
    yield " ".join(schema["description"].split())
    yield ""
    yield "| field | type | description |"
    yield "|---|---|---|"
    for field, value in schema["properties"].items():
        yield f"| `{field}` | {_type(value)} | {_cell(value.get('description', ''))} |"
    yield ""


def _type(schema: Mapping[str, Any]) -> str:
    """A schema in a few words: `date`, `string or null`, `array of [KeyDate](#keydate)`, `` `a` \\| `b` ``."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name.lower()})"
    if "anyOf" in schema:
        return " or ".join(_type(option) for option in schema["anyOf"])
    if "enum" in schema:
        values = schema["enum"]
        return (" \\| ".join(f"`{value}`" for value in values) if len(values) <= _LISTED
                else f"one of {len(values)} codes")
    if "const" in schema:
        return f"`{schema['const']}`"
    kinds = schema.get("type", "any")
    words = " or ".join(kinds) if isinstance(kinds, list) else kinds
    if "format" in schema:
        words = words.replace("string", schema["format"])
    if words == "array":
        words = f"array of {_type(schema['items'])}"
    bounds = [f"{word} {schema[key]}" for key, word in (("minimum", "≥"), ("maximum", "≤"), ("default", "default"))
              if key in schema]
    return words + (f" ({', '.join(bounds)})" if bounds else "")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stdout.write(render())
        return 0
    target = pathlib.Path(argv[0])
    head = target.read_text(encoding="utf-8").split(MARKER)[0]
    target.write_text(head + MARKER + "\n" + render(), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
