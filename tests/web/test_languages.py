"""Every language end to end over in-process WSGI: the page, its feeds, the Atom feed, the PDF and the
sign-up form, each read back (HTML, icalendar, XML, pypdf) and checked for the language's own words."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET

import icalendar
import pypdf
import pytest

from settlecal.formats import fonts
from settlecal.formats.fonts import Family, Face, Script
from settlecal.i18n.languages import LANGUAGES
from tests.protocol.client import WsgiClient

FILTERS = "system=BSP&country=ES&currency=EUR&frequency=monthly"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


# lang → (h1, the month shown, the remittance chip, the country, the feed's cut-off line)
WORDS = {
    "en": ("Settlement calendars", "December 2026", "Remittance", "Spain (ES)", "Cut-off: 12:00 local time."),
    "es": ("Calendarios de liquidación", "Diciembre de 2026", "Remesa", "España (ES)", "Hora límite: 12:00, hora local."),
    "fr": ("Calendriers de règlement", "Décembre 2026", "Remise", "Espagne (ES)",
           "Heure limite\u00a0: 12:00, heure locale."),
    "pt": ("Calendários de liquidação", "Dezembro de 2026", "Remessa", "Espanha (ES)",
           "Horário-limite: 12:00, horário local."),
    "ar": ("تقويمات التسوية", "ديسمبر 2026", "السداد", "إسبانيا (ES)", "الموعد النهائي: 12:00 بالتوقيت المحلي."),
    "zh": ("结算日历", "2026年12月", "汇款", "西班牙 (ES)", "截止时间：当地时间 12:00。"),
}


@pytest.mark.parametrize("lang", WORDS)
def test_the_page_in_each_language(web: WsgiClient, lang: str) -> None:
    h1, month, remittance, country, _ = WORDS[lang]
    language = LANGUAGES[lang]

    page = web.request("GET", f"/.web/?{FILTERS}&month=2026-12&lang={lang}")

    assert page.status == 200 and page.headers["content-language"] == language.tag
    text = page.text
    assert f'<html lang="{language.tag}" dir="{language.direction}">' in text
    assert f"<h1>{h1}</h1>" in text and f">{month}</h2>" in text
    assert f'<span class="k">{remittance}</span>' in text and country in text
    # The picker offers the six languages, each named in itself, the current one marked.
    picker = re.findall(r'<a href="[^"]*lang=(\w+)" hreflang="([\w-]+)" lang="[\w-]+" dir="(\w+)"( aria-current="true")?>'
                        r"([^<]+)</a>", text)
    assert [(code, name) for code, _, _, _, name in picker] == [(code, LANGUAGES[code].name) for code in LANGUAGES]
    assert [code for code, _, _, current, _ in picker if current] == [lang]


@pytest.mark.parametrize(("accepted", "lang", "direction"), [
    ("fr-CA,fr;q=0.9,en;q=0.5", "fr", "ltr"), ("pt-BR", "pt", "ltr"), ("ar-AE,ar;q=0.9", "ar", "rtl"),
    ("zh-CN,zh;q=0.9", "zh", "ltr"), ("zh-TW,en;q=0.8", "en", "ltr"), ("de-DE,de", "en", "ltr"),
])
def test_without_lang_the_browser_chooses(web: WsgiClient, accepted: str, lang: str, direction: str) -> None:
    page = web.request("GET", f"/.web/?{FILTERS}", headers={"Accept-Language": accepted})

    assert page.headers["content-language"] == LANGUAGES[lang].tag
    assert f'<html lang="{LANGUAGES[lang].tag}" dir="{direction}">' in page.text


@pytest.mark.parametrize("lang", WORDS)
def test_the_selection_feed_in_each_language(web: WsgiClient, lang: str) -> None:
    _, _, remittance, country, cutoff = WORDS[lang]

    answer = web.request("GET", f"/.web/feed.ics?{FILTERS}&kind=remittance&lang={lang}")
    english = web.request("GET", f"/.web/feed.ics?{FILTERS}&kind=remittance")

    assert answer.status == 200
    calendar = icalendar.Calendar.from_ical(answer.body)
    events = {str(event["UID"]): event for event in calendar.walk("VEVENT")}
    # The same events as the collection's, in the language's words.
    assert set(events) == {str(event["UID"]) for event in icalendar.Calendar.from_ical(english.body).walk("VEVENT")}
    december = next(event for event in events.values() if event.decoded("DTSTART").isoformat() == "2026-12-09")
    assert str(december["SUMMARY"]) == f"BSP ES EUR · {remittance} 2026-11-4"
    assert cutoff in str(december["DESCRIPTION"]).splitlines()
    assert country in str(calendar["X-WR-CALNAME"])


@pytest.mark.parametrize("lang", WORDS)
def test_the_changes_feed_in_each_language(web: WsgiClient, lang: str) -> None:
    answer = web.request("GET", f"/.web/changes.atom?country=ES&lang={lang}")

    feed = ET.fromstring(answer.body)
    assert feed.get(XML_LANG) == LANGUAGES[lang].tag
    title = feed.findtext(f"{ATOM}title") or ""
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    english = {"title": "Settlement calendar changes: ES (all key dates)", "entry": "release 2"}
    if lang == "en":
        assert title == english["title"] and english["entry"] in (entry.findtext(f"{ATOM}title") or "")
    else:
        assert title != english["title"] and "ES" in title
        assert english["entry"] not in (entry.findtext(f"{ATOM}title") or "")


def pdf_of(web: WsgiClient, lang: str) -> pypdf.PdfReader:
    answer = web.request("GET", f"/.web/download.pdf?{FILTERS}&kind=remittance,settlement&from=2026-12-01"
                                f"&to=2026-12-31&lang={lang}")
    assert answer.status == 200 and answer.headers["content-type"] == "application/pdf"
    return pypdf.PdfReader(io.BytesIO(answer.body))


def font_names(document: pypdf.PdfReader) -> set[str]:
    return {str(font.get_object()["/BaseFont"]).lstrip("/").split("+")[-1]
            for page in document.pages for font in page["/Resources"]["/Font"].values()}


@pytest.mark.parametrize(("lang", "title", "words"), [
    ("es", "Calendarios de liquidación: fechas clave", ["Diciembre de 2026 (2)", "Remesa", "Liquidación"]),
    ("fr", "Calendriers de règlement\u00a0: dates clés", ["Décembre 2026 (2)", "Remise", "Règlement"]),
    ("pt", "Calendários de liquidação: datas-chave", ["Dezembro de 2026 (2)", "Remessa", "Liquidação"]),
    ("ar", "تقويمات التسوية: التواريخ الرئيسية", ["السداد", "التسوية", "ديسمبر"]),
    ("zh", "结算日历：关键日期", ["2026年12月", "汇款", "结算"]),
])
def test_the_pdf_in_each_language(web: WsgiClient, lang: str, title: str, words: list[str]) -> None:
    document = pdf_of(web, lang)
    # pypdf puts spaces and NULs between the CJK characters it extracts.
    text = document.pages[0].extract_text()
    squeezed = re.sub(r"[\s\x00]", "", text) if lang == "zh" else text

    assert document.metadata is not None and document.metadata.title == title
    assert document.trailer["/Root"]["/Lang"] == LANGUAGES[lang].tag
    assert [word for word in words if word not in squeezed] == [], text
    expected = {"ar": {"NotoSansArabic", "NotoSansArabicBold", "NotoSans"}, "zh": {"NotoSansCJKSC"}}
    assert expected.get(lang, {"NotoSans"}) <= font_names(document)


def test_a_pdf_whose_script_has_no_font_is_english_and_says_why(web: WsgiClient,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    missing = Family("Missing", Face("/nonexistent/font.ttf"), Face("/nonexistent/font-bold.ttf"), "fonts-missing")
    monkeypatch.setitem(fonts.FAMILIES, Script.ARABIC, (missing,))

    text = pdf_of(web, "ar").pages[0].extract_text()

    assert "Settlement calendars: key dates" in text and "Remittance" in text
    assert "The Arabic fonts are not installed on this server (fonts-missing): this PDF is in English." in text


def test_without_any_truetype_font_the_pdf_keeps_to_the_core_fonts(web: WsgiClient,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    missing = Family("Missing", Face("/nonexistent/font.ttf"), Face("/nonexistent/font-bold.ttf"), "fonts-missing")
    monkeypatch.setitem(fonts.FAMILIES, Script.LATIN, (missing,))

    document = pdf_of(web, "fr")

    assert font_names(document) <= {"Helvetica", "Helvetica-Bold"}
    assert "Calendriers de règlement : dates clés" in document.pages[0].extract_text()


@pytest.mark.parametrize("lang", WORDS)
def test_the_sign_up_form_in_each_language(web: WsgiClient, lang: str) -> None:
    form = web.request("GET", f"/.web/subscriptions?country=ES&lang={lang}")

    assert form.status == 200 and form.headers["content-language"] == LANGUAGES[lang].tag
    assert f'<html lang="{LANGUAGES[lang].tag}" dir="{LANGUAGES[lang].direction}">' in form.text
    options = re.findall(r'<option value="(\w+)" lang="[\w-]+"( selected)?>', form.text)
    assert [code for code, _ in options] == list(LANGUAGES)
    assert [code for code, selected in options if selected] == [lang]
