"""The gettext catalogues: `settlecal/i18n/locale/<locale>/LC_MESSAGES/settlecal.po`, compiled on first use.

The `.po` files are the only form of a translation in the repository and in the package. Each is
compiled in memory the first time a language is asked for, by Babel's own compiler (what
`pybabel compile` runs: fuzzy entries left out), into a standard `gettext.GNUTranslations`. That takes
a few milliseconds per language and process, needs no build step, and leaves no `.mo` file that could
fall behind its `.po`: a wheel, an editable install and a source checkout behave the same.

English is the message ids themselves, so it has no catalogue. docs/translations.md has the workflow.
"""

from __future__ import annotations

import functools
import gettext
import importlib.resources
import io
from importlib.resources.abc import Traversable
from typing import Final

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN: Final = "settlecal"
SOURCE_LOCALE: Final = "en"


def catalogue_file(locale: str) -> Traversable:
    """Where the catalogue of `locale` lives inside the package."""
    return importlib.resources.files("settlecal.i18n").joinpath("locale", locale, "LC_MESSAGES", f"{DOMAIN}.po")


@functools.cache
def catalogue(locale: str) -> gettext.NullTranslations:
    """The compiled catalogue of `locale` (English: the ids as they are)."""
    if locale == SOURCE_LOCALE:
        return gettext.NullTranslations()
    with catalogue_file(locale).open("rb") as source:
        catalog = read_po(source, locale=locale, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)
