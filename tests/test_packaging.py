"""A built wheel carries the translations and speaks every language once installed, without Babel's CLI.

The wheel is built as `pip wheel .` builds it (without build isolation, so nothing is downloaded
here), installed into a folder of its own, and imported from there by a fresh interpreter.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import zipfile

import pytest

from settlecal.i18n.languages import LANGUAGES
from tests.conftest import ROOT

INSTALLED_CHECK = """
import pathlib, sys
import settlecal
from settlecal.i18n.catalogues import catalogue_file
from settlecal.i18n.translator import translator
from settlecal.notify.compose import _templates

site = pathlib.Path(sys.argv[1]).resolve()
assert pathlib.Path(settlecal.__file__).resolve().is_relative_to(site), settlecal.__file__
for lang in ("es", "fr", "pt", "ar", "zh"):
    t = translator(lang)
    assert pathlib.Path(str(catalogue_file(t.language.locale))).resolve().is_relative_to(site)
    print(lang, t("Settlement calendars"), t.ngettext("{n} calendar matches", "{n} calendars match", 3), sep="|")
print(_templates().get_template("confirm.txt.j2").render(
    t=translator("fr"), intro="-", confirm="https://example.org/c", unsubscribe="https://example.org/u").splitlines()[2])
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(out)], check=True, capture_output=True, timeout=300)
    [built] = out.glob("settlecal-*.whl")
    return built


def test_the_wheel_ships_every_catalogue_as_po(wheel: pathlib.Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()

    catalogues = sorted(name for name in names if name.startswith("settlecal/i18n/locale/"))
    assert catalogues == sorted(f"settlecal/i18n/locale/{language.locale}/LC_MESSAGES/settlecal.po"
                                for language in LANGUAGES.values() if language.code != "en")
    assert {"settlecal/notify/templates/release.html.j2", "caldav_plugin/web/templates/base.html"} <= set(names)


def test_an_installed_wheel_translates_in_every_language(wheel: pathlib.Path, tmp_path: pathlib.Path) -> None:
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(site), str(wheel)],
                   check=True, capture_output=True, timeout=300)
    environment = {**os.environ, "PYTHONPATH": str(site)}

    result = subprocess.run([sys.executable, "-c", INSTALLED_CHECK, str(site)], cwd=tmp_path, env=environment,
                            capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "es|Calendarios de liquidación|3 calendarios coinciden",
        "fr|Calendriers de règlement|3 calendriers correspondent",
        "pt|Calendários de liquidação|3 calendários correspondem",
        "ar|تقويمات التسوية|3 تقويمات مطابقة",
        "zh|结算日历|3 个日历符合条件",
        "Confirmer l'abonnement: https://example.org/c",
    ]
