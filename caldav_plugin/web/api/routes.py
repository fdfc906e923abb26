"""The JSON API's routes, `/.web/api/v1/…`: one table that the dispatcher, the OpenAPI document and
docs/api.md all read. Every route answers GET and HEAD; other methods get 405 (methods.py)."""

from __future__ import annotations

from typing import Any, Final

from caldav_plugin.web.api import endpoints
from caldav_plugin.web.api.table import Route
from settlecal.api import resources
from settlecal.api.parameters import CURSOR, FILTERS, FROM, KIND, LIMIT, PAGE, SINCE, TO


def _next_page(operation_id: str, *names: str) -> dict[str, dict[str, Any]]:
    """An OpenAPI link from a page to the next: the same parameters, and the cursor it gave."""
    parameters = {name: f"$request.query.{name}" for name in names}
    return {"next": {"operationId": operation_id,
                     "parameters": {**parameters, CURSOR.name: "$response.body#/next_cursor"}}}


_FILTER_NAMES: Final = tuple(parameter.name for parameter in FILTERS)

ROUTES: Final = (
    Route(
        "/calendars", "listCalendars", "The calendars of a filter",
        "Every calendar that matches the filters (none given: every calendar), with its subscription "
        "links, its revision and what it holds. Not paginated: there is one calendar per settlement "
        "operation, a few hundred at most.",
        FILTERS, resources.CalendarList, endpoints.calendar_list,
    ),
    Route(
        "/key-dates", "listKeyDates", "The key dates of a selection",
        "The key dates in force of the calendars that match, of the kinds asked for, dated from `from` to "
        "`to` (a period is dated by its start), by date, then calendar, period and kind. A cursor serves "
        "one state of the calendars it reads: if a release changes them between two pages, the next page "
        "is refused (410 `cursor_stale`) rather than skip or repeat key dates.",
        (*FILTERS, KIND, FROM, TO, *PAGE), resources.KeyDatePage, endpoints.key_date_page, errors=(410,),
        follow=_next_page("listKeyDates", *_FILTER_NAMES, KIND.name, FROM.name, TO.name, LIMIT.name),
    ),
    Route(
        "/releases", "listReleases", "Every release, newest first",
        "Every import and rollback, newest first: each is a revision.",
        PAGE, resources.ReleasePage, endpoints.release_page,
        follow={**_next_page("listReleases", LIMIT.name),
                "newest": {"operationId": "getRelease",
                           "parameters": {"release_id": "$response.body#/releases/0/id"}}},
    ),
    Route(
        "/releases/{release_id}", "getRelease", "One release and what it changed",
        "The release, how many key dates it added, moved, changed and removed in each calendar, and its "
        "changes, page by page, calendar by calendar.",
        PAGE, resources.ReleaseDetail, endpoints.release_detail, errors=(404,),
        follow={"next": {"operationId": "getRelease",
                         "parameters": {"release_id": "$request.path.release_id",
                                        LIMIT.name: f"$request.query.{LIMIT.name}",
                                        CURSOR.name: "$response.body#/next_cursor"}}},
    ),
    Route(
        "/changes", "listChanges", "What changed since a revision",
        "The change log after revision `since`, oldest first: every key date a release (import or "
        "rollback) added, moved, changed or removed, with its state before and after. Apply the changes "
        "in order to a copy taken at `since`, then ask again with `since` set to the answer's "
        "`revision` once `next_cursor` is null.",
        (*FILTERS, KIND, SINCE, *PAGE), resources.ChangePage, endpoints.change_page,
        follow=_next_page("listChanges", *_FILTER_NAMES, KIND.name, SINCE.name, LIMIT.name),
    ),
    Route(
        "/openapi.json", "getOpenApiDocument", "This API's OpenAPI 3.1 document",
        "The description of every endpoint, parameter and answer, generated from the code.",
        (), None, endpoints.document,
    ),
)
