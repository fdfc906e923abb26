"""The handlers of the JSON API's routes: each turns a Call into an answer (settlecal/api does the work)."""

from __future__ import annotations

from typing import Any

from caldav_plugin.web.api import openapi
from caldav_plugin.web.api.table import Call
from settlecal.api import calendars, history, resources


def calendar_list(call: Call) -> resources.CalendarList:
    return calendars.calendar_list(call.session, call.arguments, call.links)


def key_date_page(call: Call) -> resources.KeyDatePage:
    return calendars.key_date_page(call.session, call.pager, call.links)


def release_page(call: Call) -> resources.ReleasePage:
    return history.release_page(call.session, call.pager)


def release_detail(call: Call) -> resources.ReleaseDetail:
    return history.release_detail(call.session, call.path_values["release_id"], call.pager, call.links)


def change_page(call: Call) -> resources.ChangePage:
    return history.change_page(call.session, call.pager, call.links)


def document(call: Call) -> dict[str, Any]:
    return openapi.document(call.routes, call.base)
