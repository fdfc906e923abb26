"""The selection as a CSV release: what `settlecal export` writes and the page downloads.

Every period in force that has a day in the range and belongs to a year the range touches, with all
its key dates (a release speaks for the years of its periods), so a whole year downloads as a file
that imports again as a no-op. It can start
with a UTF-8 BOM so spreadsheets read the accents (the page's downloads do), uses ISO dates, and can use `;` instead of `,`,
which is what spreadsheets expect where the decimal separator is a comma; the importer reads both.
"""

from __future__ import annotations

import csv
import io
from typing import Final

from sqlalchemy.orm import Session

from settlecal.formats.query import Format, Query
from settlecal.release_format.file import write_release_csv
from settlecal.release_format.rows import ReleaseRow
from settlecal.releases.export import export_rows

BOM: Final = "\ufeff"
MEDIA_TYPE: Final = "text/csv; charset=utf-8"


def render(session: Session, query: Query) -> bytes:
    rows = [row for row in export_rows(session, query.where) if _in_range(row, query)]
    text = io.StringIO(newline="")
    write_release_csv(rows, text)
    body = text.getvalue()
    if query.separator != ",":
        body = _resplit(body, query.separator)
    return ((BOM if query.bom else "") + body).encode("utf-8")


def _in_range(row: ReleaseRow, query: Query) -> bool:
    """A period with a day in the range and of a year the range touches: so a whole year is exactly
    that year's periods (settlecal.domain.period_year), and imports again as no change."""
    first, last = query.first, query.last
    return ((first is None or (first.year <= row.year and first <= row.period_end))
            and (last is None or (row.year <= last.year and row.period_start <= last)))


def _resplit(text: str, separator: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator, lineterminator="\n").writerows(csv.reader(io.StringIO(text, newline="")))
    return out.getvalue()


FORMAT: Final = Format("csv", "csv", MEDIA_TYPE, render, "the release format: imports again as no change")
