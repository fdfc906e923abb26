"""The TrueType fonts PDFs are drawn with, found on the machine by path.

The PDF core fonts (Helvetica) hold Latin-1 only: Arabic needs a font with its letters, shaping
(HarfBuzz, through uharfbuzz) and right-to-left order; Chinese needs a CJK font. The project's set-up
installs Debian's Noto fonts (`make fonts`: fonts-noto-core, fonts-noto-cjk); DejaVu Sans
(fonts-dejavu-core, which has Arabic too) and Droid Sans Fallback (fonts-droid-fallback) serve when
only those are there. When a language's script has no font at all, pdf.py says so in the log and in
the document, and falls back (settlecal.formats.pdf.typeface).
"""

from __future__ import annotations

import dataclasses
import enum
import os
from collections.abc import Mapping, Sequence
from typing import Final

_NOTO: Final = "/usr/share/fonts/truetype/noto"
_NOTO_CJK: Final = "/usr/share/fonts/opentype/noto"
_DEJAVU: Final = "/usr/share/fonts/truetype/dejavu"
# Noto Sans CJK's collections hold JP, KR, SC, TC, HK in this order: SC draws Simplified Chinese.
_CJK_SC: Final = 2


class Script(enum.Enum):
    LATIN = "Latin"
    ARABIC = "Arabic"
    CHINESE = "Simplified Chinese"


@dataclasses.dataclass(frozen=True, slots=True)
class Face:
    """One font file (and the face inside a `.ttc` collection)."""

    path: str
    index: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class Family:
    """A regular and a bold face that draw one script, and the Debian package that ships them."""

    name: str  # the name the PDF registers it under
    regular: Face
    bold: Face
    package: str

    def installed(self) -> bool:
        return all(os.path.isfile(face.path) for face in (self.regular, self.bold))


# For each script, the families to try, best first.
FAMILIES: Final[Mapping[Script, Sequence[Family]]] = {
    Script.LATIN: (
        Family("NotoSans", Face(f"{_NOTO}/NotoSans-Regular.ttf"), Face(f"{_NOTO}/NotoSans-Bold.ttf"),
               "fonts-noto-core"),
        Family("DejaVuSans", Face(f"{_DEJAVU}/DejaVuSans.ttf"), Face(f"{_DEJAVU}/DejaVuSans-Bold.ttf"),
               "fonts-dejavu-core"),
    ),
    Script.ARABIC: (
        Family("NotoSansArabic", Face(f"{_NOTO}/NotoSansArabic-Regular.ttf"),
               Face(f"{_NOTO}/NotoSansArabic-Bold.ttf"), "fonts-noto-core"),
        Family("DejaVuSans", Face(f"{_DEJAVU}/DejaVuSans.ttf"), Face(f"{_DEJAVU}/DejaVuSans-Bold.ttf"),
               "fonts-dejavu-core"),
    ),
    Script.CHINESE: (
        Family("NotoSansCJKSC", Face(f"{_NOTO_CJK}/NotoSansCJK-Regular.ttc", _CJK_SC),
               Face(f"{_NOTO_CJK}/NotoSansCJK-Bold.ttc", _CJK_SC), "fonts-noto-cjk"),
        Family("DroidSansFallback", Face("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
               Face("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), "fonts-droid-fallback"),
    ),
}
SCRIPTS: Final[Mapping[str, Script]] = {"ar": Script.ARABIC, "zh": Script.CHINESE}


def script(lang: str) -> Script:
    """The script a language is written in (for the fonts its PDF needs)."""
    return SCRIPTS.get(lang, Script.LATIN)


def family(wanted: Script) -> Family | None:
    """The best installed family for a script, or None."""
    return next((candidate for candidate in FAMILIES[wanted] if candidate.installed()), None)


def packages(wanted: Script) -> str:
    """The Debian packages that would give a script its font: for messages that say what to install."""
    return " or ".join(dict.fromkeys(candidate.package for candidate in FAMILIES[wanted]))
