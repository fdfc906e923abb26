"""What someone typed in the country box → an ISO 3166-1 code: `ES`, `Spain`, `España`, `Espagne`, `西班牙`.

Names come from CLDR (Babel) in every language we speak, so a visitor can type the name they know.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Mapping

import pycountry
from babel import Locale

from settlecal.i18n.languages import LANGUAGES


def country_code(text: str, known: Callable[[str], bool] = lambda code: True) -> str | None:
    """The ISO code of what someone typed in the country box: `ES`, `es`, `Spain`, `España`,
    `Spain (ES)`. None when it names no country."""
    value = text.strip()
    if value.endswith(")") and "(" in value:
        value = value[value.rindex("(") + 1 : -1].strip()
    if len(value) == 2 and value.isascii() and value.isalpha():
        code = value.upper()
        return code if code in _country_codes() and known(code) else None
    found = _country_names().get(_folded(value))
    return found if found is not None and known(found) else None


def _folded(text: str) -> str:
    """Lower case without accents, for matching what people type against country names."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).strip()


@functools.cache
def _country_names() -> Mapping[str, str]:
    names: dict[str, str] = {}
    for language in LANGUAGES.values():
        for code, name in Locale.parse(language.locale).territories.items():
            if len(code) == 2 and code.isalpha():
                names.setdefault(_folded(name), code)
    return names


@functools.cache
def _country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2: what a country filter may name (a made-up code matches no calendar)."""
    return frozenset(country.alpha_2 for country in pycountry.countries)
