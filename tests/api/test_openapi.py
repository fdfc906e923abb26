"""The OpenAPI document: a valid OpenAPI 3.1 document, the one the server serves, built from the code,
and rendered into docs/api.md."""

from __future__ import annotations

import json
import typing

import jsonschema_rs
from schemathesis.specs.openapi.definitions import OPENAPI_31

from caldav_plugin.web.api import answers, openapi, reference
from caldav_plugin.web.api.routes import ROUTES
from settlecal.api.resources import ProblemCode
from tests.api.conftest import get
from tests.conftest import ROOT
from tests.protocol.client import WsgiClient

DOCUMENT = openapi.document(ROUTES)


def test_the_document_is_openapi_3_1() -> None:
    errors = [error.message for error in jsonschema_rs.Draft202012Validator(OPENAPI_31).iter_errors(DOCUMENT)]

    assert errors == []


def test_every_schema_is_json_schema_2020_12() -> None:
    for name, schema in DOCUMENT["components"]["schemas"].items():
        # Compiling raises on a broken schema or a reference to nothing.
        jsonschema_rs.Draft202012Validator({"$ref": f"#/components/schemas/{name}",
                                            "components": DOCUMENT["components"]})

        assert not schema["description"].startswith(f"{name}("), f"{name} needs a docstring"


def test_every_link_names_an_operation_and_its_parameters() -> None:
    operations = {item["get"]["operationId"]: item["get"] for item in DOCUMENT["paths"].values()}
    parameters = DOCUMENT["components"]["parameters"]

    for operation in operations.values():
        for link in operation["responses"]["200"].get("links", {}).values():
            target = operations[link["operationId"]]
            names = {parameters[ref["$ref"].rsplit("/", 1)[1]]["name"] for ref in target["parameters"]}
            assert set(link["parameters"]) <= names


def test_the_server_serves_the_document(api: WsgiClient) -> None:
    answer, served = get(api, "/openapi.json")

    assert answer.status == 200
    assert answer.headers["content-type"] == "application/json"
    assert served == json.loads(json.dumps(DOCUMENT))


def test_behind_a_proxy_prefix_the_server_url_follows(api: WsgiClient) -> None:
    answer = api.application(  # type: ignore[attr-defined]
        {**_environ("/.web/api/v1/openapi.json"), "SCRIPT_NAME": "/calendars"}, lambda *args: None)

    assert json.loads(b"".join(answer))["servers"] == [{"url": "/calendars/.web/api/v1"}]


def test_docs_api_md_has_the_current_reference() -> None:
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")

    assert reference.MARKER in text, "docs/api.md lost its marker line"
    assert text.split(reference.MARKER, 1)[1] == "\n" + reference.render(), (
        "docs/api.md is stale: run `python -m caldav_plugin.web.api.reference docs/api.md`"
    )


def _environ(path: str) -> dict[str, object]:
    import io
    import sys

    return {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "5232", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(), "wsgi.errors": sys.stderr}


def test_docs_api_md_lists_every_problem_code_with_its_status() -> None:
    head = (ROOT / "docs" / "api.md").read_text(encoding="utf-8").split(reference.MARKER, 1)[0]
    rows = [line.split("|") for line in head.splitlines() if line.startswith("| `")]
    documented = {row[1].strip(" `"): int(row[2]) for row in rows if row[2].strip().isdigit()}

    assert documented == {code: status for _, status, code in answers.STATUS} | {"method_not_allowed": 405}
    assert set(documented) == set(typing.get_args(ProblemCode))
