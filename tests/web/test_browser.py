"""The page in a real headless Chromium (Debian's, driven by Playwright) against a live server.

A user chooses filters, reads the month grid, switches language, downloads the CSV and the PDF and
follows the subscription link; every answer is checked against the database.
"""

from __future__ import annotations

import csv
import datetime
import io
import pathlib
from typing import Any

import icalendar
import pypdf
import pytest
from sqlalchemy import Engine

from settlecal import hrefs
from settlecal.db.engine import make_engine
from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.db.snapshot import reading
from settlecal.releases.export import export_rows
from tests.web.conftest import TODAY
from tests.web.pages import expected_key_dates

ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)


@pytest.fixture(scope="module")
def engine(live_database: str) -> Engine:
    return make_engine(live_database)


def grid(page: Any) -> set[tuple[str, str, str, str]]:
    """The key dates the month grid shows: (date, kind, calendar, period)."""
    return {tuple(chip) for chip in page.eval_on_selector_all(
        "#month-grid td.day li.kd",
        "chips => chips.map(c => [c.closest('td').dataset.date, c.dataset.kind, c.dataset.calendar, c.dataset.period])",
    )}


def choose_spain_monthly(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/")
    assert page.url == f"{live_server}/.web/"
    page.select_option("#f-system", "BSP")
    page.fill("#f-country", "Spain")
    page.click("#apply")
    # Until the new page has loaded (a loaded machine paints the URL before the form).
    page.wait_for_url(f"{live_server}/.web/?system=BSP&country=ES")
    # Only what exists with BSP in Spain is offered now.
    assert page.eval_on_selector_all("#f-currency option", "os => os.map(o => o.value)") == ["", "EUR"]
    assert page.eval_on_selector_all("#f-frequency option", "os => os.map(o => o.value)") == ["", "monthly"]
    page.select_option("#f-frequency", "monthly")
    page.click("#apply")
    page.wait_for_url(f"{live_server}/.web/?system=BSP&country=ES&frequency=monthly")
    assert page.input_value("#f-country") == "Spain (ES)"


def test_filters_and_month_grid(page: Any, live_server: str, engine: Engine) -> None:
    choose_spain_monthly(page, live_server)
    # Today's month, with today marked.
    assert page.inner_text("#month-h") == "March 2026"
    assert page.get_attribute("td[aria-current=date]", "data-date") == TODAY.isoformat()
    march = expected_key_dates(engine, lambda key: key == ES, first=datetime.date(2026, 3, 1),
                               last=datetime.date(2026, 3, 31))
    assert grid(page) == set(march)
    # The next month, checked against the database, and its chips' details.
    page.click("#next-month")
    page.wait_for_url("**&month=2026-04")
    assert page.inner_text("#month-h") == "April 2026"
    april = expected_key_dates(engine, lambda key: key == ES, first=datetime.date(2026, 4, 1),
                               last=datetime.date(2026, 4, 30))
    assert grid(page) == set(april) and len(april) > 10
    # The amendment moved billing of 2026-03-4 from Good Friday to 7 April.
    billing = page.locator("td[data-date='2026-04-07'] li.kd[data-kind=billing]")
    assert billing.inner_text().split() == ["Billing", "2026-03-4", "rel.", "2"]
    remittance = page.locator("li.kd[data-kind=remittance]").first
    assert "12:00" in remittance.inner_text()
    assert "Period 2026-03-4" in (remittance.get_attribute("title") or "")
    # A bookmark of this URL shows the same view.
    url = page.url
    page.goto(url)
    assert page.inner_text("#month-h") == "April 2026" and grid(page) == set(april)


def test_switch_language(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly&month=2026-12")
    page.click("nav.langs a[hreflang=es]")
    page.wait_for_url("**&month=2026-12&lang=es")
    assert page.get_attribute("html", "lang") == "es"
    assert page.inner_text("h1") == "Calendarios de liquidación"
    assert page.inner_text("#month-h") == "Diciembre de 2026"
    assert page.inner_text("td[data-date='2026-12-09'] li.kd[data-kind=remittance] .k") == "Remesa"
    assert page.input_value("#f-country") == "España (ES)"
    # The selection feed is in Spanish too.
    feed = page.input_value("#feed-https")
    assert feed.endswith("lang=es")
    events = icalendar.Calendar.from_ical(page.request.get(feed).body()).walk("VEVENT")
    assert any(str(event["SUMMARY"]) == "BSP ES EUR · Remesa 2026-11-4" for event in events)
    page.click("nav.langs a[hreflang=en]")
    page.wait_for_url(lambda url: "lang=es" not in url)
    assert page.inner_text("#month-h") == "December 2026"


@pytest.mark.parametrize(("lang", "heading"), [("en", "Settlement calendars"), ("ar", "تقويمات التسوية")])
def test_right_to_left_mirrors_the_layout(page: Any, live_server: str, tmp_path: pathlib.Path, lang: str,
                                          heading: str) -> None:
    """Arabic reads from the right: the title, the first filter, the first weekday and the previous month
    sit where English has them on the left. Checked on the boxes Chromium lays out, and photographed."""
    page.goto(f"{live_server}/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly&month=2026-12")
    page.click(f"nav.langs a[hreflang={lang}]")
    page.wait_for_url(f"**&month=2026-12&lang={lang}")
    assert (page.get_attribute("html", "lang"), page.inner_text("h1")) == (lang, heading)
    rtl = page.get_attribute("html", "dir") == "rtl"
    assert rtl == (lang == "ar")

    def first_in_reading_order(first: dict[str, float], then: dict[str, float]) -> bool:
        return first["x"] >= then["x"] + then["width"] if rtl else first["x"] + first["width"] <= then["x"]

    def box(locator: Any) -> dict[str, float]:
        found: dict[str, float] = locator.bounding_box()
        return found

    weekdays, fields = page.locator("#month-grid thead th"), page.locator("#filters .field")
    pairs = {
        "title, then sections": (page.locator(".brand"), page.locator("nav.nav")),
        "sections, then languages": (page.locator("nav.nav"), page.locator("nav.langs")),
        "first filter, then second": (fields.nth(0), fields.nth(1)),
        "Monday, then Sunday": (weekdays.first, weekdays.last),
        "previous month, then next": (page.locator("#prev-month"), page.locator("#next-month")),
    }
    assert [name for name, (first, then) in pairs.items() if not first_in_reading_order(box(first), box(then))] == []
    # Text starts on the reading side: the filters' heading hugs the card's right edge in Arabic.
    card, title = box(page.locator("section.filters")), box(page.locator("#filters-h"))
    margin = card["x"] + card["width"] - (title["x"] + title["width"]) if rtl else title["x"] - card["x"]
    assert margin < 20
    shot = tmp_path / f"page-{lang}.png"
    page.screenshot(path=str(shot))
    assert shot.read_bytes().startswith(b"\x89PNG")


def test_download_csv(page: Any, live_server: str, engine: Engine, tmp_path: pathlib.Path) -> None:
    page.goto(f"{live_server}/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly&month=2026-12")
    assert page.input_value("#d-from") == "2026-01-01" and page.input_value("#d-to") == "2026-12-31"
    page.fill("#d-from", "2026-07-01")
    with page.expect_download() as download_info:
        page.click("#download-csv")
    download = download_info.value
    assert download.suggested_filename == "settlement-calendars_bsp-es-eur-monthly_2026-07-01_2026-12-31.csv"
    data = pathlib.Path(download.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))
    with reading(engine) as session:
        in_force = list(export_rows(session))
    expected = [row for row in in_force if row.calendar == ES
                and datetime.date(2026, 7, 1) <= row.period_end <= datetime.date(2026, 12, 31)]
    assert [(r["period"], r["period_start"], r["billing"], r["remittance"], r["settlement"]) for r in rows] == [
        (e.period, e.period_start.isoformat(), _iso(e.date(Kind.BILLING)), _iso(e.date(Kind.REMITTANCE)),
         _iso(e.date(Kind.SETTLEMENT)))
        for e in sorted(expected, key=lambda e: e.period_start)]
    assert len(rows) == 6 * 4 - 1  # four reporting periods a month, 2026-08-3 withdrawn


def _iso(day: datetime.date | None) -> str:
    return "" if day is None else day.isoformat()


def test_download_pdf(page: Any, live_server: str, engine: Engine) -> None:
    page.goto(f"{live_server}/.web/?currency=EUR&kind=remittance&month=2026-12")
    page.fill("#d-from", "2026-11-01")
    with page.expect_download() as download_info:
        page.click("#download-pdf")
    download = download_info.value
    assert download.suggested_filename == "settlement-calendars_eur_2026-11-01_2026-12-31.pdf"
    reader = pypdf.PdfReader(download.path())
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "Settlement calendars: key dates" in text
    assert "Selection: BSP + CASS · EUR · Remittance" in text and "Data as of release 2" in text
    expected = expected_key_dates(engine, lambda key: key.currency == "EUR", kinds=frozenset({Kind.REMITTANCE}),
                                  first=datetime.date(2026, 11, 1), last=datetime.date(2026, 12, 31))
    november = sum(1 for (date, *_) in expected if date.startswith("2026-11"))
    assert f"November 2026 ({november})" in text and f"December 2026 ({len(expected) - november})" in text
    for (date, _, path, period) in expected:
        assert period in text, (date, path, period)


def test_subscription_links(page: Any, live_server: str, engine: Engine) -> None:
    page.goto(f"{live_server}/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly")
    https = page.input_value("#link-https")
    assert https == f"{live_server}/bsp/es-eur-monthly.ics"
    assert page.input_value("#link-webcal") == "webcal://" + https.split("://", 1)[1]
    assert page.input_value("#link-caldav") == f"{live_server}/bsp/es-eur-monthly/"
    # Follow the https link: it is the calendar, every key date in force.
    answer = page.request.get(https)
    assert answer.ok and answer.headers["content-type"].startswith("text/calendar")
    events = {str(e["UID"]): e for e in icalendar.Calendar.from_ical(answer.body()).walk("VEVENT")}
    expected = expected_key_dates(engine, lambda key: key == ES)
    assert set(events) == {hrefs.event_uid(ES, period, Kind(kind)) for (_, kind, _, period) in expected}
    # The copy button puts the link on the clipboard (JavaScript enhances the plain field).
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server)
    page.click("button[data-copy=link-webcal]")
    assert page.evaluate("navigator.clipboard.readText()") == page.input_value("#link-webcal")
    # The one-click download is the same calendar.
    with page.expect_download() as download_info:
        page.click("#download-ics")
    assert pathlib.Path(download_info.value.path()).read_bytes() == answer.body()


def test_release_history(page: Any, live_server: str) -> None:
    page.goto(f"{live_server}/.web/?country=ES")
    page.click("nav.nav >> text=Release history")
    page.wait_for_url("**/.web/releases?**")
    assert page.locator("#releases-table tbody tr").count() == 2
    page.click("#releases-table a >> text='2'")
    page.wait_for_url("**/.web/releases/2**")
    moved = page.locator("section[data-calendar='bsp/es-eur-monthly'] tr[data-action=moved][data-kind=remittance]")
    assert moved.inner_text().split("\t")[-2:] == ["Dec 8, 2026 · 12:00", "→ Dec 9, 2026 · 12:00"]
    assert page.locator("tr[data-action=removed][data-period='2026-08-3']").count() == 2


def test_phone_width(browser: Any, live_server: str) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly&month=2026-12")
        assert not page.is_visible("#month-grid thead")
        assert not page.is_visible("td[data-date='2026-12-05']")  # a day without key dates
        assert page.is_visible("td[data-date='2026-12-09'] li.kd[data-kind=remittance]")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    finally:
        context.close()
