"""Every output format by name: the page's downloads and feeds and `settlecal export --format` use this
one table, so a new format is one module and one line here."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from sqlalchemy import Engine

from settlecal.db.snapshot import reading
from settlecal.formats import atom, csv, ical, pdf
from settlecal.formats.query import Format, Query

FORMATS: Final[Mapping[str, Format]] = {
    format.name: format for format in (csv.FORMAT, ical.FORMAT, pdf.FORMAT, atom.FORMAT)
}


def export(engine: Engine, name: str, query: Query) -> bytes:
    """`query` rendered in format `name`, read in one snapshot."""
    with reading(engine) as session:
        return FORMATS[name].render(session, query)
