"""Property-based tests of the API from its own OpenAPI document (Schemathesis).

Schemathesis reads the document (the one /.web/api/v1/openapi.json serves: test_openapi.py checks they
are the same), then for each operation generates requests from it, valid and invalid ones, and sends
them to the WSGI entry in-process. Every answer is checked: never a 5xx, a documented status, content
type and headers, a body that matches its schema, valid requests accepted and invalid ones refused.

Three rules are beyond JSON Schema, so a request that breaks one is valid for the document but rightly
refused: a cursor must be one the API handed out for the same query, `since` must not be past the
current revision, and `to` must not be before `from`. Such requests are still checked, except for
"valid data is accepted".
"""

from __future__ import annotations

import datetime
from typing import Final

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig
from schemathesis.generation.case import Case
from schemathesis.specs.openapi.checks import positive_data_acceptance

from caldav_plugin.web.api import openapi
from caldav_plugin.web.api.routes import ROUTES
from caldav_plugin.wsgi import Application

# Examples per operation and generation phase: enough to find the edges, short enough for `make test`.
EXAMPLES: Final = 40
REVISION: Final = 4  # the shared database's (tests/api/conftest.py)
CONFIG: Final = SchemathesisConfig.from_dict({
    # A fixed seed: CI runs the same examples each time; change it to explore further.
    "seed": 20260317,
    "checks": {
        # Valid requests get their answer (404: a release id that names no release).
        "positive_data_acceptance": {"expected-statuses": ["200", "304", "404"]},
        # Invalid ones are refused: 400, 404 for a path that names nothing, 414 for an endless query.
        "negative_data_rejection": {"expected-statuses": ["400", "404", "414"]},
    },
})

schema = schemathesis.openapi.from_dict(openapi.document(ROUTES), config=CONFIG)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_answer_matches_the_document(case: Case, api_application: Application) -> None:
    excluded = [positive_data_acceptance] if breaks_a_rule_json_schema_cannot_say(case) else []
    # The WSGI test client asks for gzip and would not unzip (test_http.py checks the gzipped answers).
    case.call_and_validate(app=api_application, headers={"Accept-Encoding": "identity"}, excluded_checks=excluded)


def breaks_a_rule_json_schema_cannot_say(case: Case) -> bool:
    query = case.query or {}
    if "cursor" in query:
        return True
    since = query.get("since")
    if isinstance(since, int) and since > REVISION:
        return True
    first, last = _day(query.get("from")), _day(query.get("to"))
    return first is not None and last is not None and first > last


def _day(value: object) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None

