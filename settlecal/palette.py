"""One colour per kind of key date, shared by the page (CSS custom properties) and the PDF.

Each is dark enough for 4.5:1 contrast as text or as a border next to near-black text on its tint.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from settlecal.domain import Kind

KIND_COLOURS: Final[Mapping[Kind, str]] = {
    Kind.PERIOD: "#4b5563",
    Kind.SUBMISSION: "#6d28d9",
    Kind.BILLING: "#1d4ed8",
    Kind.REMITTANCE: "#b91c1c",
    Kind.SETTLEMENT: "#047857",
    Kind.CORRECTION_CUTOFF: "#b45309",
    Kind.DISPUTE_DEADLINE: "#be185d",
}


def tint(colour: str, strength: float = 0.16) -> tuple[int, int, int]:
    """The colour mixed into white: a background that keeps black text readable."""
    red, green, blue = (int(colour[index:index + 2], 16) for index in (1, 3, 5))
    return tuple(round(255 - (255 - part) * strength) for part in (red, green, blue))  # type: ignore[return-value]
