"""The page over in-process WSGI: redirects, filters whose choices depend on each other, the month
grid against the database, languages, release history."""

from __future__ import annotations

import datetime

import pytest
from sqlalchemy import Engine

from settlecal.domain import CalendarKey, Frequency, Kind, System
from caldav_plugin.web import views
from tests.protocol.client import WsgiClient
from tests.web.conftest import TODAY
from tests.web.pages import expected_key_dates, option_values, parse, selected

ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
ES_PAGE = "/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly"


def test_root_leads_to_the_page(web: WsgiClient) -> None:
    first = web.request("GET", "/")
    assert first.status in (301, 302) and first.headers["location"] == "/.web"
    second = web.request("GET", "/.web")
    assert second.status == 301 and second.headers["location"] == "/.web/"
    page = web.request("GET", "/.web/")
    assert page.status == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert "<h1>Settlement calendars</h1>" in page.text


def test_month_grid_holds_exactly_the_key_dates_of_the_month(web: WsgiClient, web_engine: Engine) -> None:
    page = web.request("GET", ES_PAGE + "&month=2026-12")
    assert page.status == 200
    expected = expected_key_dates(web_engine, lambda key: key == ES, first=datetime.date(2026, 12, 1),
                                  last=datetime.date(2026, 12, 31))
    assert len(expected) > 10
    assert parse(page.text).chips == set(expected)
    # The amendment moved the remittance of period 2026-11-4 off the bank holiday of 8 December.
    assert ("2026-12-09", "remittance", "bsp/es-eur-monthly", "2026-11-4") in expected
    assert ">December 2026</h2>" in page.text


def test_several_calendars_and_kinds(web: WsgiClient, web_engine: Engine) -> None:
    page = web.request("GET", "/.web/?currency=EUR&kind=remittance,settlement&month=2026-04")
    wanted = frozenset({Kind.REMITTANCE, Kind.SETTLEMENT})
    expected = expected_key_dates(web_engine, lambda key: key.currency == "EUR", kinds=wanted,
                                  first=datetime.date(2026, 4, 1), last=datetime.date(2026, 4, 30))
    assert {path for _, _, path, _ in expected} == {
        "bsp/es-eur-monthly", "bsp/fr-eur-twice-monthly", "bsp/de-eur-twice-monthly",
        "cass/es-eur-twice-monthly", "cass/de-eur-twice-monthly"}
    assert parse(page.text).chips == set(expected)


def test_choices_depend_on_each_other(web: WsgiClient) -> None:
    everything = web.request("GET", "/.web/").text
    assert option_values(everything, "f-system") == ["BSP", "CASS"]
    assert "Spain (ES)" in option_values(everything, "countries")
    cargo = web.request("GET", "/.web/?system=CASS").text
    assert option_values(cargo, "countries") == ["Germany (DE)", "Singapore (SG)", "Spain (ES)", "United States (US)"]
    assert option_values(cargo, "f-currency") == ["EUR", "SGD", "USD"]
    # Systems stay choosable by what the other filters allow: Japan has only a BSP.
    japan = web.request("GET", "/.web/?country=JP").text
    assert option_values(japan, "f-system") == ["BSP"]
    assert option_values(japan, "f-currency") == ["JPY"]
    assert option_values(japan, "f-frequency") == ["monthly"]
    uae = web.request("GET", "/.web/?country=AE&currency=USD").text
    assert selected(uae, "f-currency") == ["USD"] and option_values(uae, "f-currency") == ["AED", "USD"]


def test_too_many_calendars_wait_for_filters(web: WsgiClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "MAX_SHOWN", 4)
    everything = web.request("GET", "/.web/?month=2026-04").text
    assert "16 calendars match: choose filters to see their key dates (up to 4 calendars at once)." in everything
    assert parse(everything).chips == set() and 'id="upcoming-table"' not in everything
    cargo = web.request("GET", "/.web/?system=CASS&month=2026-04").text
    assert "choose filters" not in cargo and len(parse(cargo).chips) > 20


def test_form_submissions_land_on_the_canonical_bookmarkable_url(web: WsgiClient) -> None:
    answer = web.request("GET", "/.web/?system=&country=Spain+%28ES%29&currency=&frequency=&kind=remittance"
                                "&kind=settlement&month=2026-12")
    assert answer.status == 302
    assert answer.headers["location"] == "/.web/?country=ES&kind=remittance,settlement&month=2026-12"
    assert web.request("GET", "/.web/?country=espa%C3%B1a").headers["location"] == "/.web/?country=ES"
    assert web.request("GET", answer.headers["location"]).status == 200


def test_parameters_that_mean_nothing_are_reported(web: WsgiClient) -> None:
    page = web.request("GET", "/.web/?system=XYZ&month=2026-13&kind=lunch")
    assert page.status == 400  # the page, ignoring them, with a notice
    assert 'role="alert"' in page.text
    for shown in ("system=XYZ", "month=2026-13", "kind=lunch"):
        assert shown in page.text


def test_today_is_marked_and_upcoming_starts_today(web: WsgiClient, web_engine: Engine) -> None:
    page = web.request("GET", ES_PAGE).text
    assert f'aria-current="date" data-date="{TODAY.isoformat()}"' in page
    assert ">March 2026</h2>" in page
    upcoming = expected_key_dates(web_engine, lambda key: key == ES, first=TODAY)
    first_upcoming = min(upcoming)[0]
    assert f'<tr data-date="{first_upcoming}"' in page
    assert page.index('id="upcoming-table"') < page.index(f'<tr data-date="{first_upcoming}"')


def test_one_calendar_gets_its_sync_links(web: WsgiClient) -> None:
    page = web.request("GET", ES_PAGE, headers={"Host": "calendars.example.org"}).text
    assert 'value="webcal://calendars.example.org/bsp/es-eur-monthly.ics"' in page
    assert 'value="http://calendars.example.org/bsp/es-eur-monthly.ics"' in page
    assert 'value="http://calendars.example.org/bsp/es-eur-monthly/"' in page
    assert "user bsp, any password" in page
    assert 'href="/bsp/es-eur-monthly.ics" download' in page
    assert ('value="webcal://calendars.example.org/.web/feed.ics?system=BSP&amp;country=ES&amp;currency=EUR'
            '&amp;frequency=monthly"') in page
    for client in ("Outlook", "Apple Calendar", "Google Calendar", "Thunderbird", "Android (DAVx"):
        assert f"<summary>{client}" in page


def test_spanish(web: WsgiClient) -> None:
    page = web.request("GET", ES_PAGE + "&month=2026-12&lang=es")
    assert page.headers["content-language"] == "es"
    text = page.text
    assert '<html lang="es" dir="ltr">' in text
    assert "<h1>Calendarios de liquidación</h1>" in text
    assert ">Diciembre de 2026</h2>" in text
    assert "España (ES)" in text and "mensual" in text
    assert '<span class="k">Remesa</span>' in text and "Fecha de remesa de la agencia" in text
    assert "Sincronizar calendario" in text and "Descargar CSV" in text
    # The choice of language stays in the links.
    assert 'href="/.web/releases?system=BSP&amp;country=ES&amp;currency=EUR&amp;frequency=monthly&amp;month=2026-12&amp;lang=es"' in text


def test_language_follows_the_browser_unless_the_url_says(web: WsgiClient) -> None:
    spanish = web.request("GET", "/.web/", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.8"})
    assert spanish.headers["content-language"] == "es"
    english = web.request("GET", "/.web/?lang=en", headers={"Accept-Language": "es-ES"})
    assert english.headers["content-language"] == "en"


def test_release_history(web: WsgiClient, web_engine: Engine) -> None:
    listing = web.request("GET", "/.web/releases").text
    assert 'data-release="2"' in listing and 'data-release="1"' in listing
    assert "amendment.csv" in listing and "sample-release.csv" in listing
    assert 'data-calendar="bsp/es-eur-monthly"' in listing
    detail = web.request("GET", "/.web/releases/2").text
    assert 'data-calendar="bsp/es-eur-monthly"' in detail and 'data-calendar="cass/es-eur-twice-monthly"' in detail
    row = detail[detail.index('data-period="2026-11-4" data-kind="remittance" data-action="moved"'):]
    row = row[: row.index("</tr>")]
    assert "Dec 8, 2026 · 12:00" in row and "Dec 9, 2026 · 12:00" in row
    assert 'data-period="2026-08-3" data-kind="period" data-action="removed"' in detail
    spain = detail[detail.index('data-calendar="bsp/es-eur-monthly"'):]
    counts = spain[spain.index('<p class="counts">'):spain.index("</p>")]
    moved = spain[:spain.index("</section>")].count('data-action="moved"')
    assert f'<span class="action action-moved">moved: {moved}</span>' in counts and moved > 0
    first_load = web.request("GET", "/.web/releases/1").text
    assert "First load of this calendar." in first_load and len(first_load) < 60_000
    one = web.request("GET", "/.web/releases/1?system=BSP&country=JP&currency=JPY&frequency=monthly").text
    japan = expected_key_dates(web_engine, lambda key: key.country == "JP")  # untouched by the amendment
    assert one.count('data-action="added"') == len(japan) > 24
    assert web.request("GET", "/.web/releases/99").status == 404
    assert web.request("GET", "/.web/releases/2147483648").status == 404  # past PostgreSQL's integer


def test_static_files_are_cached(web: WsgiClient) -> None:
    css = web.request("GET", "/.web/static/style.css")
    assert css.status == 200 and css.headers["content-type"].startswith("text/css")
    assert web.request("GET", "/.web/static/style.css", headers={"If-None-Match": css.headers["etag"]}).status == 304
    assert web.request("GET", "/.web/static/nothing.css").status == 404
    escape = web.request("GET", "/.web/static/../../etc/passwd")  # normalised to /etc/passwd by Radicale
    assert escape.status != 200 and b"root:" not in escape.body


def test_the_page_refuses_writes(web: WsgiClient) -> None:
    assert web.request("PUT", "/.web/").status == 403
    assert web.request("POST", "/.web/").status == 405
