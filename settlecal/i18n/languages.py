"""The languages settlecal speaks, and how a request names one (`lang=…`, `Accept-Language`).

A language's code is what the URL, the CLI and the subscribers table say (`en`, `es`, `fr`, `pt`, `ar`,
`zh`); its tag is the BCP 47 tag documents carry (`lang`, `Content-Language`, `xml:lang`); its locale is
the CLDR locale Babel formats dates, numbers and country names with, and the folder of its catalogue.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from typing import Final

from babel import Locale


@dataclasses.dataclass(frozen=True, slots=True)
class Language:
    code: str  # `lang=` in URLs, `--lang` in the CLI, subscribers' language
    tag: str  # BCP 47: `zh-Hans` says the script, which picks the right CJK glyphs
    locale: str  # CLDR locale and catalogue folder (settlecal/i18n/locale/<locale>/)
    rtl: bool = False

    @property
    def direction(self) -> str:
        """The HTML `dir` of text in this language."""
        return "rtl" if self.rtl else "ltr"

    @property
    def name(self) -> str:
        """The language's name in itself, as a language picker shows it: `Español`, `العربية`."""
        return _native_name(self.locale)


LANGUAGES: Final[Mapping[str, Language]] = {
    language.code: language for language in (
        Language("en", "en", "en"),
        Language("es", "es", "es"),
        Language("fr", "fr", "fr"),
        # Brazilian Portuguese: CLDR's `pt`, and the largest Portuguese-speaking BSP.
        Language("pt", "pt-BR", "pt_BR"),
        Language("ar", "ar", "ar", rtl=True),
        Language("zh", "zh-Hans", "zh_Hans"),
    )
}
DEFAULT_LANGUAGE: Final = "en"
# Chinese in Traditional script: `zh` is Simplified, so these tags don't name it.
_TRADITIONAL: Final = frozenset({"hant", "tw", "hk", "mo"})


def language(value: str | None) -> str | None:
    """The code of the language a `lang` parameter or a language tag names (`es`, `ES`, `es-MX`, `pt_PT`,
    `zh-CN`, `zh-Hans`), or None. `zh-TW`, `zh-HK` and `zh-Hant` name none: we have no Traditional Chinese."""
    if not value:
        return None
    base, *subtags = value.strip().lower().replace("_", "-").split("-")
    if base == "zh" and _traditional(subtags):
        return None
    return base if base in LANGUAGES else None


def negotiate(accept_language: str | None) -> str:
    """The best of our languages for an Accept-Language header (RFC 9110 §12.5.4); English when none fits."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in (accept_language or "").split(","):
        tag, _, params = part.strip().partition(";")
        q = 1.0
        if params.strip().startswith("q="):
            try:
                q = float(params.strip()[2:])
            except ValueError:
                continue
        found = language(tag)
        if found is not None and q > best_q:
            best, best_q = found, q
    return best


def _traditional(subtags: list[str]) -> bool:
    """Whether the subtags after `zh` ask for Traditional script (an explicit script decides first)."""
    scripts = [subtag for subtag in subtags if subtag in ("hans", "hant")]
    return scripts[0] == "hant" if scripts else any(subtag in _TRADITIONAL for subtag in subtags)


@functools.cache
def _native_name(locale: str) -> str:
    name = str(Locale.parse(locale).get_language_name(locale))
    return name[:1].upper() + name[1:]
