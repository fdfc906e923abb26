"""Languages: our words from the catalogues, dates, numbers and names from CLDR, `lang` and Accept-Language."""

from __future__ import annotations

import datetime

import pytest

from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.i18n.countries import country_code
from settlecal.i18n.languages import LANGUAGES, language, negotiate
from settlecal.i18n.translator import translator

DAY = datetime.date(2026, 12, 8)
ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)


def test_six_languages_each_with_its_tag_direction_and_name() -> None:
    assert [(lang.code, lang.tag, lang.direction, lang.name) for lang in LANGUAGES.values()] == [
        ("en", "en", "ltr", "English"), ("es", "es", "ltr", "Español"), ("fr", "fr", "ltr", "Français"),
        ("pt", "pt-BR", "ltr", "Português"), ("ar", "ar", "rtl", "العربية"), ("zh", "zh-Hans", "ltr", "中文"),
    ]


@pytest.mark.parametrize(("lang", "month", "weekday_date", "spain", "calendar", "term"), [
    ("en", "December 2026", "Tue, Dec 8, 2026", "Spain", "BSP ES EUR monthly", "Agent remittance date"),
    ("es", "diciembre de 2026", "mar, 8 dic 2026", "España", "BSP ES EUR mensual", "Fecha de remesa de la agencia"),
    ("fr", "décembre 2026", "mar. 8 déc. 2026", "Espagne", "BSP ES EUR mensuel", "Date de remise de l'agent"),
    ("pt", "dezembro de 2026", "ter., 8 de dez. de 2026", "Espanha", "BSP ES EUR mensal", "Data de remessa da agência"),
    ("ar", "ديسمبر 2026", "الثلاثاء، 8 ديسمبر 2026", "إسبانيا", "BSP ES EUR شهري", "تاريخ سداد الوكيل"),
    ("zh", "2026年12月", "2026年12月8日周二", "西班牙", "BSP ES EUR 每月", "代理人汇款日"),
])
def test_dates_names_and_words_follow_the_language(lang: str, month: str, weekday_date: str, spain: str,
                                                    calendar: str, term: str) -> None:
    t = translator(lang)

    assert (t.month(DAY), t.weekday_date(DAY), t.country("ES")) == (month, weekday_date, spain)
    assert (t.calendar(ES), t.kind_term(Kind.REMITTANCE)) == (calendar, term)
    assert len({t.kind(kind) for kind in Kind}) == len(Kind)


def test_plural_forms_follow_each_languages_rule() -> None:
    def matches(lang: str, n: int) -> str:
        return translator(lang).ngettext("{n} calendar matches", "{n} calendars match", n)

    assert [matches("en", n) for n in (1, 2)] == ["1 calendar matches", "2 calendars match"]
    # French counts 0 as singular; Arabic has six forms (zero, one, two, 3–10, 11–99, 100+).
    assert [matches("fr", n) for n in (0, 2)] == ["0 calendrier correspond", "2 calendriers correspondent"]
    assert [matches("ar", n) for n in (1, 2, 3, 11, 100)] == [
        "تقويم واحد مطابق", "تقويمان مطابقان", "3 تقويمات مطابقة", "11 تقويمًا مطابقًا", "100 تقويم مطابق"]
    assert matches("zh", 5) == "5 个日历符合条件"


def test_numbers_lists_and_separators_follow_the_locale() -> None:
    assert [translator(lang).number(20000) for lang in ("en", "es", "fr", "ar")] == [
        "20,000", "20.000", "20\u202f000", "20,000"]
    kinds = ["A", "B", "C"]
    assert [translator(lang).join(kinds) for lang in ("en", "ar", "zh")] == ["A, B, C", "A وB وC", "A、B、C"]
    # Where numbers have a decimal comma, spreadsheets split CSV on semicolons.
    assert {lang: translator(lang).csv_separator for lang in LANGUAGES} == {
        "en": ",", "es": ";", "fr": ";", "pt": ";", "ar": ",", "zh": ","}


def test_arrows_point_the_way_the_language_reads() -> None:
    assert (translator("en").arrow, translator("en").back_arrow) == ("→", "←")
    assert (translator("ar").arrow, translator("ar").back_arrow) == ("←", "→")


def test_iso_dates_stay_left_to_right_inside_arabic() -> None:
    assert translator("en").ltr("2026-12-08") == "2026-12-08"
    assert translator("ar").ltr("2026-12-08") == "\u20662026-12-08\u2069"


def test_countries_by_name_or_code_in_any_language() -> None:
    for typed in ("ES", "es", "Spain", "spain", "España", "espana", "Spain (ES)", " España (ES) ", "Espagne",
                  "Espanha", "إسبانيا", "西班牙"):
        assert country_code(typed) == "ES", typed
    assert country_code("Alemania") == "DE"
    assert country_code("Narnia") is None


def test_language_negotiation() -> None:
    assert negotiate("es-ES,es;q=0.9,en;q=0.8") == "es"
    assert negotiate("fr-FR,en;q=0.5,es;q=0.4") == "fr"
    assert negotiate("pt-PT,pt;q=0.9") == "pt"
    assert negotiate("ar-SA") == "ar"
    assert negotiate("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert negotiate("de") == "en"
    assert negotiate("de, fr;q=0.3") == "fr"
    assert negotiate(None) == "en"


def test_lang_parameter() -> None:
    assert [language(value) for value in ("ES-mx", "fr", "pt_BR", "zh-Hans", "zh-CN", "ar-EG")] == [
        "es", "fr", "pt", "zh", "zh", "ar"]
    # `zh` is Simplified Chinese: a Traditional tag names none of our languages.
    assert [language(value) for value in ("zh-TW", "zh-Hant", "zh-Hant-CN", "de", "", None)] == [None] * 6
    assert language("zh-Hans-TW") == "zh"
