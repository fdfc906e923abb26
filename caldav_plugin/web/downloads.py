"""Downloads of the selection for a date range: `/.web/download.csv` and `/.web/download.pdf`.

The files come from settlecal.formats (the same renderers `settlecal export` uses). The CSV uses `;`
on request (`sep=semicolon`; the default in languages that write a decimal comma: Spanish, French,
Portuguese), which is what spreadsheets expect where the decimal separator is a comma.
"""

from __future__ import annotations

import datetime
import urllib.parse
from typing import TYPE_CHECKING

from caldav_plugin.web import limits, responses
from caldav_plugin.web.month import month_start
from settlecal.db.snapshot import reading
from settlecal.filters import Selection
from settlecal.formats.pdf import TooManyKeyDates
from settlecal.formats.query import Query
from settlecal.formats.registry import FORMATS

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.request import Request


def download_range(chosen: Selection, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """`from`/`to`, defaulting to the whole year of the month shown."""
    year = (chosen.month or month_start(today)).year
    return chosen.first or datetime.date(year, 1, 1), chosen.last or datetime.date(year, 12, 31)


def file_name(chosen: Selection, first: datetime.date, last: datetime.date, suffix: str) -> str:
    parts = [chosen.system and chosen.system.value, chosen.country, chosen.currency,
             chosen.frequency and chosen.frequency.value]
    scope = "-".join(part for part in parts if part).lower() or "all"
    return f"settlement-calendars_{scope}_{first.isoformat()}_{last.isoformat()}.{suffix}"


def download(request: Request, name: str) -> radicale_types.WSGIResponse:
    """The selection in format `name` (`csv`, `pdf`) for the range asked for, as an attachment."""
    chosen, t = request.selection, request.t
    if request.problems:  # like a feed: ignoring country=Narnia would silently send every country
        wrong = ", ".join(f"{problem.parameter}={problem.value}" for problem in request.problems)
        message = t("Nothing was downloaded: these parameters were not understood: {parameters}").format(parameters=wrong)
        return request.render("error.html", status=400, title=t("Not understood"), message=message)
    first, last = download_range(chosen, request.web.today())
    if name == "pdf" and (last - first).days >= limits.MAX_PDF_DAYS:
        message = t("A PDF covers at most three years: choose a shorter range.")
        return request.render("error.html", status=400, title=t("Too many key dates"), message=message)
    query = Query(chosen.filter, chosen.kinds, first, last, lang=t.lang, separator=_separator(request), bom=True)
    output = FORMATS[name]
    attachment = responses.attachment(file_name(chosen, first, last, output.extension))
    if limits.is_head(request.environ):  # what a GET would send, without rendering it
        return 200, {"Content-Type": output.media_type, "Content-Disposition": attachment}, b"", None
    try:
        with limits.expensive(), reading(request.web.engine) as session:
            body = output.render(session, query)
    except limits.Busy:
        answer = request.render("error.html", status=503, title=t("Try again in a few seconds"),
                                message=t("The server is busy with other downloads: try again in a few seconds."))
        return responses.with_headers(answer, {"Retry-After": str(limits.RETRY_AFTER)})
    except TooManyKeyDates as error:
        message = t.ngettext(
            "The PDF would hold more than {n} key date: choose fewer calendars, kinds or a shorter range.",
            "The PDF would hold more than {n} key dates: choose fewer calendars, kinds or a shorter range.",
            error.limit)
        return request.render("error.html", status=413, title=t("Too many key dates"), message=message)
    return responses.answer(200, output.media_type, body, Content_Disposition=attachment)


def _separator(request: Request) -> str:
    asked = urllib.parse.parse_qs(request.environ.get("QUERY_STRING", "")).get("sep", [""])[-1].lower()
    if asked in ("semicolon", ";"):
        return ";"
    if asked in ("comma", ","):
        return ","
    return request.t.csv_separator
