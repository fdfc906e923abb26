"""The selection's key dates as a printable PDF: a heading block, then one table per month.

The PDF lists the key dates *dated* in the range, with the title, the filters and the release it
shows; the same release and query give the same bytes. It uses the PDF core fonts (Latin-1), so
other characters are transliterated.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from typing import Final

from fpdf import FPDF
from sqlalchemy.orm import Session

from settlecal.db import queries
from settlecal.errors import SettlecalError
from settlecal.filters import describe_filter
from settlecal.formats.query import Format, Query
from settlecal.i18n.translator import Translator, translator

MEDIA_TYPE: Final = "application/pdf"
_PUNCTUATION: Final = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
                                     "→": "->", "\u00a0": " ", "\u202f": " "})
# Date, calendar, key date, period, cut-off, release: A4 portrait less 10 mm margins.
_COLUMNS: Final = (25, 42, 38, 49, 16, 20)
_ROW: Final = 5.6  # mm
# About 400 pages and a few seconds to draw; a selection beyond it is not meant for paper.
MAX_KEY_DATES: Final = 20_000


class TooManyKeyDates(SettlecalError):
    """The query matches more key dates than a PDF holds."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit

    def __str__(self) -> str:
        return f"more than {self.limit} key dates: choose fewer calendars, kinds or a shorter range"


def render(session: Session, query: Query) -> bytes:
    """The PDF of the key dates `query` asks for; TooManyKeyDates past MAX_KEY_DATES."""
    key_dates = queries.selected_key_dates(session, query.where, kinds=query.kinds, first=query.first,
                                           last=query.last, limit=MAX_KEY_DATES + 1)
    if len(key_dates) > MAX_KEY_DATES:
        raise TooManyKeyDates(MAX_KEY_DATES)
    current = queries.current_revision(session)
    stamp = queries.release(session, current) if current else None
    return render_pdf(key_dates, query, translator(query.lang), stamp=stamp)


class _Document(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Helvetica", size=8)
        self.set_text_color(80, 80, 80)
        self.cell(0, 8, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C")


def render_pdf(key_dates: Sequence[queries.SelectedKeyDate], query: Query, t: Translator, *,
               stamp: queries.ReleaseSummary | None) -> bytes:
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
    dates = " - ".join(t.date(day) if day else "…" for day in (query.first, query.last))
    for line in (f"{t('Selection')}: {describe_filter(query.where, query.kinds, t)}",
                 f"{t('Dates')}: {dates}",
                 release_line(stamp, t)):
        pdf.multi_cell(0, 5.5, latin1(line), new_x="LMARGIN", new_y="NEXT")
    if not key_dates:
        pdf.ln(4)
        pdf.cell(0, 6, latin1(t("No key dates match this selection in this range.")))
    by_month = itertools.groupby(key_dates, key=lambda k: k.event.date.replace(day=1))
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
        _row(pdf, [latin1(text) for text in cells], kind=tint(event.kind.facts.colour))


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


def tint(colour: str, strength: float = 0.16) -> tuple[int, int, int]:
    """The colour mixed into white: a background that keeps black text readable on paper."""
    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    return tuple(round(255 - (255 - part) * strength) for part in (red, green, blue))  # type: ignore[return-value]


FORMAT: Final = Format("pdf", "pdf", MEDIA_TYPE, render, "the key dates month by month, to print")
