"""The gettext catalogues hold exactly what the code and templates say, all of it translated, safely.

Extraction is run here as translators run it (`make pot`, Babel's extractor over the Python code and
the Jinja2 templates), and compared with the template and every language's catalogue.
"""

from __future__ import annotations

import ast
import pathlib
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po

from settlecal.i18n.catalogues import DOMAIN, catalogue_file
from settlecal.i18n.languages import LANGUAGES
from tests.conftest import ROOT

LOCALES = ROOT / "settlecal" / "i18n" / "locale"
TRANSLATED = [language for language in LANGUAGES.values() if language.code != "en"]
PLACEHOLDER = re.compile(r"\{(\w*)\}")


def read(path: pathlib.Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as source:
        return read_po(source, locale=locale, domain=DOMAIN)


def ids(catalog: Catalog) -> set[str | tuple[str, ...]]:
    return {message.id if isinstance(message.id, str) else tuple(message.id) for message in messages(catalog)}


def messages(catalog: Catalog) -> Iterator[Message]:
    return (message for message in catalog if message.id)


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `make pot` extracts from the code and templates now."""
    if shutil.which("make") is None:
        pytest.skip("make is missing")
    pot = tmp_path_factory.mktemp("pot") / "settlecal.pot"
    subprocess.run(["make", "--no-print-directory", "-s", "pot", f"POT={pot}", f"BIN={pathlib.Path(sys.executable).parent}"],
                   cwd=ROOT, check=True, capture_output=True, timeout=300)
    return read(pot)


def test_extraction_finds_the_messages_of_code_templates_and_the_domain(extracted: Catalog) -> None:
    found = ids(extracted)
    assert len(found) > 150
    assert {"Agent remittance date", "twice monthly",  # settlecal/domain.py, marked with N_()
            "Settlement calendars",  # page templates
            "Confirm the subscription",  # e-mail templates
            ("{n} calendar matches", "{n} calendars match")} <= found  # ngettext in a template


def test_the_template_is_up_to_date(extracted: Catalog) -> None:
    assert ids(read(LOCALES / f"{DOMAIN}.pot")) == ids(extracted), "run `make messages`"


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_every_catalogue_holds_every_message_translated(extracted: Catalog, language: object) -> None:
    locale = language.locale  # type: ignore[attr-defined]
    catalog = read(LOCALES / locale / "LC_MESSAGES" / f"{DOMAIN}.po", locale)

    assert ids(catalog) == ids(extracted), "run `make messages`, then translate"
    assert catalog.obsolete == {}
    for message in messages(catalog):
        assert not message.fuzzy, message.id
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms), f"{locale}: {message.id!r} is not translated"
        if message.pluralizable:
            assert len(forms) == catalog.num_plurals, message.id
    assert [error for _, errors in catalog.check() for error in errors] == []


@pytest.mark.parametrize("language", TRANSLATED, ids=lambda language: language.code)
def test_translations_keep_the_placeholders(language: object) -> None:
    """A placeholder a translation adds would raise KeyError at run time; one it drops loses a fact.
    Only a plural form may leave out its count `{n}` ("un seul calendrier", "تقويمان")."""
    locale = language.locale  # type: ignore[attr-defined]
    for message in messages(read(LOCALES / locale / "LC_MESSAGES" / f"{DOMAIN}.po", locale)):
        if isinstance(message.id, str):
            assert placeholders(message.string) == placeholders(message.id), (locale, message.id)
            continue
        wanted = placeholders(message.id[0]) | placeholders(message.id[1])
        assert "n" in wanted, f"{message.id!r}: a plural message counts with {{n}}"
        for form in message.string:
            assert wanted - {"n"} <= placeholders(form) <= wanted, (locale, message.id, form)


def test_every_message_the_python_code_uses_is_extracted(extracted: Catalog) -> None:
    """Babel's extractor reads tokens: a t("…") inside an f-string escapes it. The syntax tree doesn't."""
    used = {
        message for package in ("settlecal", "caldav_plugin") for path in (ROOT / package).rglob("*.py")
        for message in translated_literals(ast.parse(path.read_text(encoding="utf-8")))
    }
    assert len(used) > 40
    assert sorted(map(str, used - ids(extracted))) == []


def test_every_language_but_english_has_a_catalogue_and_no_catalogue_is_orphaned() -> None:
    shipped = {path.parent.parent.name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    assert shipped == {language.locale for language in TRANSLATED}
    assert all(catalogue_file(language.locale).is_file() for language in TRANSLATED)


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


def translated_literals(tree: ast.AST) -> Iterator[str | tuple[str, str]]:
    """The literal messages of `t("…")`, `….t("…")`, `t.ngettext("…", "…", n)` and `N_("…")` calls."""
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        literals = [arg.value for arg in node.args[:2] if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        if name in ("t", "N_") and literals:
            yield literals[0]
        elif name == "ngettext" and len(literals) == 2:
            yield literals[0], literals[1]
