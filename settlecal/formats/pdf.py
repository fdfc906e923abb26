"""The selection's key dates as a printable PDF: a heading block, then one table per month.

The PDF lists the key dates *dated* in the range, with the title, the filters and the release it
shows; the same release and query give the same bytes. It is written in the query's language with the
TrueType fonts of its script (fonts.py): Arabic shaped by HarfBuzz and laid out right to left, Chinese
in Noto Sans CJK SC. Without any TrueType font it falls back to the PDF core fonts (Latin-1, other
characters transliterated), and a language whose script has no font is written in English, saying so.
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import logging
from collections.abc import Sequence
from typing import Final

from fpdf import FPDF
from sqlalchemy.orm import Session

from settlecal.db import queries
from settlecal.errors import SettlecalError
from settlecal.filters import describe_filter
from settlecal.formats import fonts
from settlecal.formats.fonts import Family, Script
from settlecal.formats.ical import settles_text
from settlecal.formats.query import Format, Query
from settlecal.i18n.translator import Translator, translator

MEDIA_TYPE: Final = "application/pdf"
_PUNCTUATION: Final = str.maketrans({"–": "-", "—": "-", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
                                     "→": "->", "←": "<-", "œ": "oe", "\u00a0": " ", "\u202f": " "})
# Date, calendar, key date, period, cut-off, release: A4 portrait less 10 mm margins.
_COLUMNS: Final = (25, 42, 32, 49, 22, 20)
_ROW: Final = 5.6  # mm
# About 400 pages and ten seconds to draw; a selection beyond it is not meant for paper. Shaping
# Arabic (HarfBuzz, right to left) costs some 8 ms a row: its documents stop at about 100 pages.
MAX_KEY_DATES: Final = 20_000
MAX_SHAPED_KEY_DATES: Final = 5_000
logger = logging.getLogger(__name__)


class TooManyKeyDates(SettlecalError):
    """The query matches more key dates than a PDF holds."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)
        self.limit = limit

    def __str__(self) -> str:
        return f"more than {self.limit} key dates: choose fewer calendars, kinds or a shorter range"


@dataclasses.dataclass(frozen=True, slots=True)
class Typeface:
    """What a document draws its text with: TrueType families, or the core Helvetica (Latin-1 only)."""

    main: Family | None
    fallback: Family | None = None  # the Latin letters of codes inside Arabic text
    rtl: bool = False
    note: str | None = None  # why the document is not in the language asked for

    @property
    def family(self) -> str:
        return self.main.name if self.main is not None else "Helvetica"

    def text(self, text: str) -> str:
        """What this typeface can draw of `text`."""
        return text if self.main is not None else latin1(text)

    @property
    def ellipsis(self) -> str:
        return "…" if self.main is not None else "..."


def typeface(t: Translator) -> tuple[Translator, Typeface]:
    """The fonts for `t`'s language, and the translator to write with: English, with a note, when the
    language's script has no font on this machine."""
    wanted = fonts.script(t.lang)
    latin = fonts.family(Script.LATIN)
    found = fonts.family(wanted)
    if wanted is Script.LATIN:
        return t, Typeface(latin)
    if found is None:
        logger.warning("no %s font for PDFs in %s (install %s): writing them in English",
                       wanted.value, t.lang, fonts.packages(wanted))
        note = (f"The {wanted.value} fonts are not installed on this server ({fonts.packages(wanted)}): "
                "this PDF is in English.")
        return translator("en"), Typeface(latin, note=note)
    return t, Typeface(found, fallback=latin if wanted is Script.ARABIC else None, rtl=t.rtl)


def max_key_dates(lang: str) -> int:
    """The most key dates a PDF in `lang` holds."""
    return MAX_SHAPED_KEY_DATES if fonts.script(lang) is Script.ARABIC else MAX_KEY_DATES


def render(session: Session, query: Query) -> bytes:
    """The PDF of the key dates `query` asks for; TooManyKeyDates past max_key_dates()."""
    limit = max_key_dates(query.lang)
    key_dates = queries.selected_key_dates(session, query.where, kinds=query.kinds, first=query.first,
                                           last=query.last, limit=limit + 1)
    if len(key_dates) > limit:
        raise TooManyKeyDates(limit)
    current = queries.current_revision(session)
    stamp = queries.release(session, current) if current else None
    return render_pdf(key_dates, query, translator(query.lang), stamp=stamp)


class _Document(FPDF):
    """An A4 page with the typeface's fonts registered; Arabic gets HarfBuzz shaping, right to left."""

    def __init__(self, face: Typeface) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.face = face
        self.footer_text = ""
        self._fitted: dict[tuple[str, str, float, float], str] = {}
        for family in (face.main, face.fallback):
            if family is not None:
                self.add_font(family.name, "", family.regular.path, collection_font_number=family.regular.index)
                self.add_font(family.name, "B", family.bold.path, collection_font_number=family.bold.index)
        if face.fallback is not None:
            self.set_fallback_fonts([face.fallback.name], exact_match=False)
        if face.rtl:
            self.set_text_shaping(True, direction="rtl")

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.face.family, size=8)
        self.set_text_color(80, 80, 80)
        self.set_fill_color(80, 80, 80)  # the text colour: see shade()
        self.cell(0, 8, f"{self.footer_text}   {self.page_no()}/{{nb}}", align="C")

    def shade(self, width: float, height: float, colour: tuple[int, int, int]) -> None:
        """A filled box where the next cell goes. Cells never fill themselves: fpdf2 (2.8) writes a cell
        whose fill colour differs from its text colour inside q…Q and forgets that Q undoes the font
        set inside it, which garbles the next cells of mixed Arabic and Latin text. So the fill colour
        is the text colour whenever text is written."""
        self.set_fill_color(*colour)
        self.rect(self.get_x(), self.get_y(), width, height, style="F")
        self.set_fill_color(0)

    def fitted(self, text: str, width: float) -> str:
        """The text, shortened with an ellipsis until it fits `width`. A table repeats the same few
        texts (kinds, calendars, days), and measuring shaped text costs: each is measured once."""
        key = (text, self.font_style, self.font_size_pt, width)
        found = self._fitted.get(key)
        if found is None:
            found = text
            if self.get_string_width(found) > width:
                while found and self.get_string_width(found + self.face.ellipsis) > width:
                    found = found[:-1]
                found += self.face.ellipsis
            self._fitted[key] = found
        return found

    def paragraph(self, text: str, height: float = 5.5) -> None:
        """A paragraph of the heading block, from the reading side."""
        self.multi_cell(0, height, self.face.text(text), align="R" if self.face.rtl else "L",
                        new_x="LMARGIN", new_y="NEXT")


def render_pdf(key_dates: Sequence[queries.SelectedKeyDate], query: Query, t: Translator, *,
               stamp: queries.ReleaseSummary | None) -> bytes:
    """The printable table: a heading block, then one table per month with key dates."""
    t, face = typeface(t)
    pdf = _Document(face)
    pdf.set_margins(10, 12, 10)
    pdf.set_auto_page_break(True, margin=16)
    title = t("Settlement calendars: key dates")
    pdf.set_title(title)
    pdf.set_lang(t.tag)
    pdf.set_creator("settlecal")
    if stamp is not None:  # the same bytes for the same release and selection
        pdf.set_creation_date(stamp.created_at.astimezone(datetime.timezone.utc))
    pdf.footer_text = face.text(f"{title} - {release_line(stamp, t)}")
    pdf.add_page()
    pdf.set_font(face.family, "B", 16)
    pdf.paragraph(title, 9)
    pdf.set_font(face.family, size=10)
    dates = " - ".join(t.date(day) if day else "…" for day in (query.first, query.last))
    selection = t("Selection: {selection}").format(selection=describe_filter(query.where, query.kinds, t))
    for line in (selection, t("Dates: {dates}").format(dates=dates), release_line(stamp, t), face.note):
        if line:
            pdf.paragraph(line)
    if not key_dates:
        pdf.ln(4)
        pdf.paragraph(t("No key dates match this selection in this range."), 6)
    by_month = itertools.groupby(key_dates, key=lambda k: k.event.date.replace(day=1))
    for month, items in by_month:
        _month_table(pdf, month, list(items), t)
    return bytes(pdf.output())


def _month_table(pdf: _Document, month: datetime.date, items: list[queries.SelectedKeyDate], t: Translator) -> None:
    """One month: a heading, then a ruled table drawn cell by cell (fpdf2's table() costs ~10 ms a row)."""
    pdf.ln(3)
    if pdf.will_page_break(_ROW * 4):
        pdf.add_page()
    pdf.set_font(pdf.face.family, "B", 12)
    pdf.paragraph(f"{t.month(month).capitalize()} ({t.number(len(items))})", 8)
    headings = [t("Date"), t("Calendar"), t("Key date"), t("Period"), t("Cut-off"), t("Release")]
    _row(pdf, headings, heading=True)
    for item in items:
        if pdf.will_page_break(_ROW):
            pdf.add_page()
            _row(pdf, headings, heading=True)
        event = item.event
        period = f"{event.period} ({t.date(event.period_start, 'short')} - {t.date(event.period_end, 'short')})"
        cells = [t.day_month(event.date), t.calendar(item.calendar), t.kind(event.kind), period,
                 item.cutoff_label or "", f"#{event.revision}"]
        _row(pdf, cells, kind=tint(event.kind.facts.colour))
        if event.settles is not None:  # a line of its own under the remittance: too long for a cell
            pdf.set_font(pdf.face.family, "", 8)
            width = sum(_COLUMNS)
            text = pdf.fitted(pdf.face.text(settles_text(event.settles, t)), width - 2)
            pdf.cell(width, _ROW, text, border="B", align="R" if pdf.face.rtl else "L")
            pdf.ln(_ROW)


def _row(pdf: _Document, cells: Sequence[str], *, heading: bool = False,
         kind: tuple[int, int, int] | None = None) -> None:
    """A table row; right to left, its first column is the rightmost."""
    face = pdf.face
    pdf.set_font(face.family, "B" if heading else "", 8.5)
    pdf.set_draw_color(200, 205, 212)
    columns = list(enumerate(zip(cells, _COLUMNS)))
    for index, (text, width) in reversed(columns) if face.rtl else columns:
        fill = (230, 233, 238) if heading else (kind if index == 2 else None)
        if fill is not None:
            pdf.shade(width, _ROW, fill)
        pdf.cell(width, _ROW, pdf.fitted(face.text(text), width - 2), border="B", align="R" if face.rtl else "L")
    pdf.ln(_ROW)




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
