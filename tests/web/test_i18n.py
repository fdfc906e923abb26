"""Languages: the Spanish catalogue covers every message, dates and names come from CLDR."""

from __future__ import annotations

import datetime
import pathlib
import re

from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.i18n import translator as i18n
from caldav_plugin import web
from caldav_plugin.web.history import ACTIONS
from settlecal.i18n.messages import SPANISH

WEB = pathlib.Path(web.__file__).parent
MESSAGE = re.compile(r"""\bt\(\s*(?:"([^"]+)"|'([^']+)')""")


def used_messages() -> set[str]:
    files = [*WEB.glob("templates/*.html"), *WEB.glob("*.py")]
    found = {a or b for path in files for a, b in MESSAGE.findall(path.read_text(encoding="utf-8"))}
    return found | set(ACTIONS)


def test_every_message_has_a_spanish_translation() -> None:
    messages = used_messages()
    assert len(messages) > 100
    assert sorted(messages - set(SPANISH)) == []


def test_placeholders_survive_translation() -> None:
    for english, spanish in SPANISH.items():
        assert sorted(re.findall(r"\{\w+\}", english)) == sorted(re.findall(r"\{\w+\}", spanish)), english


def test_dates_and_names_follow_the_language() -> None:
    day = datetime.date(2026, 12, 8)
    en, es = i18n.translator("en"), i18n.translator("es")
    assert (en.month(day), es.month(day)) == ("December 2026", "diciembre de 2026")
    assert (en.weekday_date(day), es.weekday_date(day)) == ("Tue, Dec 8, 2026", "mar, 8 dic 2026")
    assert (en.country("ES"), es.country("ES"), es.country("DE")) == ("Spain", "España", "Alemania")
    assert [short for short, _ in es.weekdays()][:2] == ["lun", "mar"]
    key = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
    assert (en.calendar(key), es.calendar(key)) == ("BSP ES EUR monthly", "BSP ES EUR mensual")
    assert es.kind(Kind.REMITTANCE) == "Remesa" and es.kind_term(Kind.SETTLEMENT) == "Liquidación a las aerolíneas"
    assert {en.kind(kind) for kind in Kind} != {es.kind(kind) for kind in Kind}


def test_countries_by_name_or_code() -> None:
    for typed in ("ES", "es", "Spain", "spain", "España", "espana", "Spain (ES)", " España (ES) "):
        assert i18n.country_code(typed) == "ES", typed
    assert i18n.country_code("Alemania") == "DE"
    assert i18n.country_code("Narnia") is None


def test_language_negotiation() -> None:
    assert i18n.negotiate("es-ES,es;q=0.9,en;q=0.8") == "es"
    assert i18n.negotiate("fr-FR,en;q=0.5,es;q=0.4") == "en"
    assert i18n.negotiate("de") == "en"
    assert i18n.negotiate(None) == "en"
    assert i18n.language("ES-mx") == "es" and i18n.language("fr") is None
