"""CSV and PDF downloads of a selection for a date range, read back and compared with the database."""

from __future__ import annotations

import csv
import datetime
import io
import pathlib
import xml.etree.ElementTree as ET

import icalendar
import pypdf
import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from importer.cli import cli

from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.formats import pdf
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release
from settlecal.release_format.rows import COLUMNS
from tests.protocol.client import WsgiClient
from tests.web.pages import expected_key_dates

ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
FILTERS = "system=BSP&country=ES&currency=EUR&frequency=monthly"


def csv_rows(body: bytes, delimiter: str = ",") -> list[dict[str, str]]:
    assert body.startswith(b"\xef\xbb\xbf")  # Excel reads UTF-8 only with the BOM
    return list(csv.DictReader(io.StringIO(body[3:].decode("utf-8"), newline=""), delimiter=delimiter))


def test_csv_is_the_release_format_for_the_range(web: WsgiClient, web_engine: Engine) -> None:
    answer = web.request("GET", f"/.web/download.csv?{FILTERS}&from=2026-04-01&to=2026-06-30")
    assert answer.status == 200 and answer.headers["content-type"] == "text/csv; charset=utf-8"
    assert answer.headers["content-disposition"].startswith(
        'attachment; filename="settlement-calendars_bsp-es-eur-monthly_2026-04-01_2026-06-30.csv"')
    assert answer.body[3:].split(b"\n", 1)[0].decode() == ",".join(COLUMNS)
    rows = csv_rows(answer.body)
    # Every period with a day in the range, each with the key dates the database holds for it.
    expected = expected_key_dates(web_engine, lambda key: key == ES)
    periods = {period for (_, kind, _, period), row in expected.items()
               if kind == "period" and row.period_start <= datetime.date(2026, 6, 30)
               and datetime.date(2026, 4, 1) <= row.period_end}
    assert [row["period"] for row in rows] == sorted(periods, key=lambda code: code)
    for row in rows:
        for kind in Kind:
            column = kind.column
            stored = [key_date for (date, k, _, period), key_date in expected.items()
                      if period == row["period"] and k == kind.value]
            assert row[column] == (stored[0].date.isoformat() if stored else ""), (row["period"], column)
        if row["remittance"]:
            assert row["remittance_cutoff"] == "12:00"


def test_a_whole_year_imports_again_as_no_change(web: WsgiClient, web_engine: Engine, tmp_path: pathlib.Path) -> None:
    answer = web.request("GET", "/.web/download.csv?country=ES&from=2026-01-01&to=2026-12-31")
    path = tmp_path / "download.csv"
    path.write_bytes(answer.body)
    release = read_release(path)
    assert {row.calendar for row in release.rows} == {ES, CalendarKey(System.CASS, "ES", "EUR", Frequency.TWICE_MONTHLY)}
    outcome = import_release(web_engine, release, operator="tests", dry_run=True)
    assert not outcome.changed


@pytest.mark.parametrize("year", [2026, 2027])
def test_a_whole_year_of_weeks_is_that_years_weeks(
    web: WsgiClient, web_engine: Engine, tmp_path: pathlib.Path, year: int
) -> None:
    # 2026-W53 (28 December 2026 to 3 January 2027) is 2026's last week, not 2027's first; 2027-W52
    # ends on 2 January 2028 and is 2027's last.
    answer = web.request("GET", f"/.web/download.csv?country=ZA&frequency=weekly&from={year}-01-01&to={year}-12-31")
    path = tmp_path / "download.csv"
    path.write_bytes(answer.body)
    release = read_release(path)
    codes = [row.period for row in release.rows]
    assert (codes[0], codes[-1]) == (f"{year}-W01", {2026: "2026-W53", 2027: "2027-W52"}[year])
    assert {row.year for row in release.rows} == {year}
    outcome = import_release(web_engine, release, operator="tests", dry_run=True)
    assert not outcome.changed and not outcome.refused


def test_semicolons_for_spanish_excel(web: WsgiClient) -> None:
    comma = web.request("GET", f"/.web/download.csv?{FILTERS}")
    semicolon = web.request("GET", f"/.web/download.csv?{FILTERS}&lang=es")
    assert semicolon.body[3:].startswith(b"system;country;currency;frequency;period;")
    assert csv_rows(semicolon.body, ";") == csv_rows(comma.body)
    assert web.request("GET", f"/.web/download.csv?{FILTERS}&lang=es&sep=comma").body == comma.body
    # Without a range: the year of the month shown.
    assert 'filename="settlement-calendars_bsp-es-eur-monthly_2026-01-01_2026-12-31.csv"' in comma.headers["content-disposition"]


def pdf_text(body: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_pdf_is_a_month_by_month_table(web: WsgiClient, web_engine: Engine) -> None:
    answer = web.request("GET", f"/.web/download.pdf?{FILTERS}&kind=remittance,settlement&from=2026-10-01&to=2026-12-31")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.body.startswith(b"%PDF-")
    text = pdf_text(answer.body)
    assert "Settlement calendars: key dates" in text
    assert "Selection: BSP · Spain (ES) · EUR · monthly · Remittance, Settlement" in text
    assert "Dates: Oct 1, 2026 - Dec 31, 2026" in text
    assert "Data as of release 2" in text
    expected = expected_key_dates(web_engine, lambda key: key == ES, first=datetime.date(2026, 10, 1),
                                  last=datetime.date(2026, 12, 31),
                                  kinds=frozenset({Kind.REMITTANCE, Kind.SETTLEMENT}))
    for month in ("October 2026", "November 2026", "December 2026"):
        count = sum(1 for (date, *_) in expected if date.startswith(f"2026-{month_number(month):02d}"))
        assert f"{month} ({count})" in text
    assert text.count("Remittance") - 1 == sum(1 for (_, kind, *_) in expected if kind == "remittance")  # - the selection line
    assert "Wed, Dec 9" in text  # the moved remittance
    assert "Tue, Dec 8" not in text


def month_number(label: str) -> int:
    return datetime.datetime.strptime(label, "%B %Y").month


def test_pdf_in_spanish(web: WsgiClient) -> None:
    text = pdf_text(web.request("GET", f"/.web/download.pdf?{FILTERS}&kind=remittance&from=2026-12-01&to=2026-12-31&lang=es").body)
    assert "Calendarios de liquidación: fechas clave" in text
    assert "España (ES)" in text and "Diciembre de 2026 (1)" in text and "Remesa" in text


def test_empty_range(web: WsgiClient) -> None:
    text = pdf_text(web.request("GET", "/.web/download.pdf?country=JP&from=2030-01-01&to=2030-01-31").body)
    assert "No key dates match this selection in this range." in text
    answer = web.request("GET", "/.web/download.csv?country=JP&from=2030-01-01&to=2030-01-31")
    assert csv_rows(answer.body) == []


def test_too_large_a_pdf_is_refused_with_a_reason(web: WsgiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "MAX_KEY_DATES", 10)
    answer = web.request("GET", f"/.web/download.pdf?{FILTERS}&from=2026-01-01&to=2026-12-31")
    assert answer.status == 413 and answer.headers["content-type"].startswith("text/html")
    assert "more than 10 key dates" in answer.text


@pytest.mark.parametrize(("page", "options"), [
    (f"download.csv?{FILTERS}&from=2026-04-01&to=2026-06-30&sep=comma",
     ["--format", "csv", "--from", "2026-04-01", "--to", "2026-06-30"]),
    (f"download.pdf?{FILTERS}&kind=remittance&from=2026-01-01&to=2026-12-31",
     ["--format", "pdf", "--kind", "remittance", "--from", "2026-01-01", "--to", "2026-12-31"]),
    (f"feed.ics?{FILTERS}&lang=es", ["--format", "ics", "--lang", "es"]),
])
def test_the_page_and_the_command_write_the_same_bytes(web: WsgiClient, web_database: str, page: str,
                                                         options: list[str]) -> None:
    """One registry of formats: a download and `settlecal export --format` are the same renderer."""
    answer = web.request("GET", f"/.web/{page}")
    filters = ["--system", "BSP", "--country", "ES", "--currency", "EUR", "--frequency", "monthly"]
    exported = CliRunner().invoke(cli, ["--database", web_database, "export", *filters, *options])

    assert answer.status == 200 and exported.exit_code == 0, exported.output
    assert exported.stdout_bytes == answer.body.removeprefix(b"\xef\xbb\xbf")  # the page's CSV is for Excel


def test_export_writes_each_format_a_reader_accepts(web_database: str, tmp_path: pathlib.Path) -> None:
    def export(*options: str) -> bytes:
        result = CliRunner().invoke(cli, ["--database", web_database, "export", "--country", "ES", *options])
        assert result.exit_code == 0, result.output
        return result.stdout_bytes

    calendar = icalendar.Calendar.from_ical(export("--format", "ics", "--kind", "remittance"))
    remittances = [event for event in calendar.walk("VEVENT") if "Remittance" in str(event["SUMMARY"])]
    assert remittances and len(remittances) == len(calendar.walk("VEVENT"))
    feed = ET.fromstring(export("--format", "atom", "--lang", "es"))
    assert feed.tag == "{http://www.w3.org/2005/Atom}feed" and feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    document = tmp_path / "es.pdf"
    document.write_bytes(export("--format", "pdf", "--from", "2026-03-01", "--to", "2026-03-31"))
    assert "2026" in pypdf.PdfReader(document).pages[0].extract_text()
    release = tmp_path / "es.csv"
    release.write_bytes(export())
    assert read_release(release).rows
