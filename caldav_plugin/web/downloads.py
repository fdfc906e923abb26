"""Downloads of the selection for a date range: CSV in the release format, and a printable PDF.

The CSV holds every period in force that has a day in the range and belongs to a year the range
touches, with all its key dates (a release speaks for the years of its periods, see
`period_year`): a whole year downloads as exactly that year's periods, a file that imports again as
a no-op. It starts with a UTF-8 BOM so Excel reads the accents, uses ISO dates, and uses `;` instead of
`,` on request (`sep=semicolon`; the default in Spanish), which is what Excel expects where the
decimal separator is a comma. The importer reads both.

The PDF lists the key dates *dated* in the range, month by month, with the title, the filters and
the release it shows. It uses the PDF core fonts (Latin-1), so other characters are transliterated.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import urllib.parse
from collections.abc import Sequence
from typing import TYPE_CHECKING, Final

from fpdf import FPDF

from caldav_plugin.db import queries
from caldav_plugin.snapshot import reading
from caldav_plugin.web import history, responses
from caldav_plugin.web.i18n import Translator
from caldav_plugin.web.month import month_start
from caldav_plugin.web.palette import KIND_COLOURS, tint
from caldav_plugin.web.selection import Selection, describe
from importer.export import export_rows
from importer.release_file import write_release_csv

if TYPE_CHECKING:
    from radicale import types as radicale_types

    from caldav_plugin.web.routes import Request

BOM: Final = "\ufeff"
CSV_TYPE: Final = "text/csv; charset=utf-8"
PDF_TYPE: Final = "application/pdf"
_PUNCTUATION: Final = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
                                     "→": "->", "\u00a0": " ", "\u202f": " "})
# Date, calendar, key date, period, cut-off, release: A4 portrait less 10 mm margins.
_COLUMNS: Final = (25, 42, 38, 49, 16, 20)
_ROW: Final = 5.6  # mm
# About 400 pages and a few seconds to draw; a selection beyond it is not meant for paper.
MAX_PDF_KEY_DATES: Final = 20_000


def download_range(chosen: Selection, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """`from`/`to`, defaulting to the whole year of the month shown."""
    year = (chosen.month or month_start(today)).year
    return chosen.first or datetime.date(year, 1, 1), chosen.last or datetime.date(year, 12, 31)


def file_name(chosen: Selection, first: datetime.date, last: datetime.date, suffix: str) -> str:
    parts = [chosen.system and chosen.system.value, chosen.country, chosen.currency,
             chosen.frequency and chosen.frequency.value]
    scope = "-".join(part for part in parts if part).lower() or "all"
    return f"settlement-calendars_{scope}_{first.isoformat()}_{last.isoformat()}.{suffix}"


def csv_download(request: Request) -> radicale_types.WSGIResponse:
    chosen = request.selection
    first, last = download_range(chosen, request.web.today())
    rows = [row for row in export_rows(request.web.engine, chosen.filter)
            if first.year <= row.year <= last.year and row.period_start <= last and first <= row.period_end]
    text = io.StringIO(newline="")
    write_release_csv(rows, text)
    body = text.getvalue()
    if _separator(request) == ";":
        body = _resplit(body, ";")
    return responses.answer(200, CSV_TYPE, (BOM + body).encode("utf-8"),
                            Content_Disposition=responses.attachment(file_name(chosen, first, last, "csv")))


def _separator(request: Request) -> str:
    asked = urllib.parse.parse_qs(request.environ.get("QUERY_STRING", "")).get("sep", [""])[-1].lower()
    if asked in ("semicolon", ";"):
        return ";"
    if asked in ("comma", ","):
        return ","
    return ";" if request.t.lang == "es" else ","


def _resplit(text: str, separator: str) -> str:
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=separator, lineterminator="\n").writerows(csv.reader(io.StringIO(text, newline="")))
    return out.getvalue()


def pdf_download(request: Request) -> radicale_types.WSGIResponse:
    chosen, t = request.selection, request.t
    first, last = download_range(chosen, request.web.today())
    with reading(request.web.engine) as session:
        key_dates = queries.selected_key_dates(session, chosen.filter, kinds=chosen.kinds, first=first, last=last,
                                               limit=MAX_PDF_KEY_DATES + 1)
        stamp = history.release_stamp(session)
    if len(key_dates) > MAX_PDF_KEY_DATES:
        message = t("The PDF would hold more than {n} key dates: choose fewer calendars, kinds or a shorter range.")
        return request.render("error.html", status=413, title=t("Too many key dates"),
                              message=message.format(n=MAX_PDF_KEY_DATES))
    document = render_pdf(key_dates, chosen, t, first=first, last=last, stamp=stamp)
    return responses.answer(200, PDF_TYPE, document,
                            Content_Disposition=responses.attachment(file_name(chosen, first, last, "pdf")))


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 8, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C")


def render_pdf(key_dates: Sequence[queries.SelectedKeyDate], chosen: Selection, t: Translator, *,
               first: datetime.date, last: datetime.date, stamp: queries.ReleaseSummary | None) -> bytes:
    """The printable table: a heading block, then one table per month with key dates."""
    pdf = _Document(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(10, 12, 10)
    pdf.set_auto_page_break(True, margin=16)
    title = latin1(t("Settlement calendars") + ": " + t("key dates"))
    pdf.set_title(title)
    pdf.set_creator("settlecal")
    if stamp is not None:  # the same bytes for the same release and selection
        pdf.set_creation_date(stamp.created_at.astimezone(datetime.timezone.utc))
    pdf.footer_text = latin1(f"{title} - {release_line(stamp, t)}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for line in (f"{t('Selection')}: {describe(chosen, t)}",
                 f"{t('Dates')}: {t.date(first)} - {t.date(last)}",
                 release_line(stamp, t)):
        pdf.multi_cell(0, 5.5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    if not key_dates:
        pdf.ln(4)
        pdf.cell(0, 6, latin1(t("No key dates match this selection in this range.")))
    by_month = itertools.groupby(key_dates, key=lambda k: month_start(k.event.date))
    for month, items in by_month:
        _month_table(pdf, month, list(items), t)
    return bytes(pdf.output())


def _month_table(pdf: FPDF, month: datetime.date, items: list[queries.SelectedKeyDate], t: Translator) -> None:
    """One month: a heading, then a ruled table drawn cell by cell (fpdf2's table() costs ~10 ms a row)."""
    pdf.ln(3)
    if pdf.will_page_break(_ROW * 4):
        pdf.add_page()
    pdf.set_font("Helvetica", "B", 12)
    pdf.cell(0, 8, latin1(f"{t.month(month).capitalize()} ({len(items)})"), new_x="LMARGIN", new_y="NEXT")
    headings = [latin1(text) for text in
                (t("Date"), t("Calendar"), t("Key date"), t("Period"), t("Cut-off"), t("Release"))]
    _row(pdf, headings, heading=True)
    for item in items:
        if pdf.will_page_break(_ROW):
            pdf.add_page()
            _row(pdf, headings, heading=True)
        event = item.event
        period = f"{event.period} ({t.date(event.period_start, 'short')} - {t.date(event.period_end, 'short')})"
        cells = [t.day_month(event.date), t.calendar(item.calendar), t.kind(event.kind), period,
                 event.cutoff or "", f"#{event.revision}"]
        _row(pdf, [latin1(text) for text in cells], kind=tint(KIND_COLOURS[event.kind]))


def _row(pdf: FPDF, cells: Sequence[str], *, heading: bool = False,
         kind: tuple[int, int, int] | None = None) -> None:
    pdf.set_font("Helvetica", "B" if heading else "", 8.5)
    pdf.set_draw_color(200, 205, 212)
    for index, (text, width) in enumerate(zip(cells, _COLUMNS)):
        fill = (230, 233, 238) if heading else (kind if index == 2 else None)
        if fill is not None:
            pdf.set_fill_color(*fill)
        pdf.cell(width, _ROW, _fit(pdf, text, width - 2), border="B", fill=fill is not None)
    pdf.ln(_ROW)


def _fit(pdf: FPDF, text: str, width: float) -> str:
    """The text, shortened with '...' until it fits the column."""
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "...") > width:
        text = text[:-1]
    return text + "..."


def release_line(stamp: queries.ReleaseSummary | None, t: Translator) -> str:
    if stamp is None:
        return t("No release imported yet.")
    return t("Data as of release {id} ({when})").format(id=stamp.id, when=t.moment(stamp.created_at))


def latin1(text: str) -> str:
    """What the PDF core fonts can show: Latin-1, other characters approximated or replaced."""
    return text.translate(_PUNCTUATION).encode("latin-1", "replace").decode("latin-1")
