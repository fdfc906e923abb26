"""The selection as a CSV release: what `settlecal export` writes and the page downloads.

Every period in force whose *end* falls in the range, with all its key dates (a release speaks for
the year of a period), so a whole year downloads as a file that imports again as a no-op. It starts
with a UTF-8 BOM so spreadsheets read the accents, uses ISO dates, and can use `;` instead of `,`,
which is what spreadsheets expect where the decimal separator is a comma; the importer reads both.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from sqlalchemy.orm import Session

from settlecal.formats.query import Format, Query
from settlecal.release_format.file import write_release_csv
from settlecal.releases.export import export_rows

BOM: Final = "\ufeff"
MEDIA_TYPE: Final = "text/csv; charset=utf-8"


def render(session: Session, query: Query) -> bytes:
    rows = [
        row for row in export_rows(session, query.where)
        if (query.first is None or query.first <= row.period_end)
        and (query.last is None or row.period_end <= query.last)
    ]
    text = io.StringIO(newline="")
    write_release_csv(rows, text)
    body = text.getvalue()
    if query.separator != ",":
        body = _resplit(body, query.separator)
    return (BOM + body).encode("utf-8")


def _resplit(text: str, separator: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator, lineterminator="\n").writerows(csv.reader(io.StringIO(text, newline="")))
    return out.getvalue()


FORMAT: Final = Format("csv", "csv", MEDIA_TYPE, render, "the release format: imports again as no change")
