"""What the commands print is safe for a terminal: values read from a file (a cell, a remark, a file
name) may hold escape sequences that retitle the window, erase lines or hide text. Every control
character is shown as its Python escape (\\x1b, \\x00, \\u202e) instead of being sent raw."""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, but not the tab; bidirectional overrides and isolates, which reorder
# what is shown; the Unicode line and paragraph separators.
_UNSAFE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """`text` as one line with every control character made visible."""
    return _UNSAFE.sub(_escaped, text)


def visible_lines(text: str) -> str:
    """`text` with control characters made visible, keeping its line breaks (\\n)."""
    return "\n".join(visible(line) for line in text.split("\n"))


_JSON_UNSAFE = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def json_safe(text: str) -> str:
    """JSON text (json.dumps already escapes C0 controls) with DEL, C1 controls and bidi overrides
    escaped too: they only occur inside strings, where \\uXXXX means the same character."""
    return _JSON_UNSAFE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)
