"""The installed wheel carries the translations and speaks every language, without Babel's CLI:
imported by a fresh interpreter of the venv the deployment guide's install block made."""

from __future__ import annotations

import pathlib
import subprocess
import zipfile

from settlecal.i18n.languages import LANGUAGES
from tests.packaging.conftest import Installed
from tests.packaging.test_wheel import site_packages

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


def test_the_wheel_ships_every_catalogue_as_po(installed: Installed) -> None:
    names = zipfile.ZipFile(installed.wheel).namelist()

    catalogues = sorted(name for name in names if name.startswith("settlecal/i18n/locale/"))
    assert catalogues == sorted([f"settlecal/i18n/locale/{language.locale}/LC_MESSAGES/settlecal.po"
                                 for language in LANGUAGES.values() if language.code != "en"]
                                + ["settlecal/i18n/locale/settlecal.pot"])  # for translators of an install
    assert {"settlecal/notify/templates/release.html.j2", "caldav_plugin/web/templates/base.html"} <= set(names)


def test_an_installed_wheel_translates_in_every_language(installed: Installed, tmp_path: pathlib.Path) -> None:
    site = site_packages(installed.bin)

    result = subprocess.run([str(installed.bin / "python"), "-c", INSTALLED_CHECK, str(site)], cwd=tmp_path,
                            env=installed.env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "es|Calendarios de liquidación|3 calendarios coinciden",
        "fr|Calendriers de règlement|3 calendriers correspondent",
        "pt|Calendários de liquidação|3 calendários correspondem",
        "ar|تقويمات التسوية|3 تقويمات مطابقة",
        "zh|结算日历|3 个日历符合条件",
        "Confirmer l'abonnement: https://example.org/c",
    ]
