"""Headers every answer, and every HTML answer, carries: browsers are told what the page may do.

The page runs no inline script (copy.js is a file), so the policy allows scripts from this server
only; inline `style` attributes and elements stay allowed (the kinds' colours are written in the page).
No site may frame the page (clickjacking the subscription form), and links to other sites send no
Referer (the page's URL holds a visitor's filters).
"""

from __future__ import annotations

from typing import Final

CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
EVERY_ANSWER: Final = (("X-Content-Type-Options", "nosniff"),)
HTML_ANSWER: Final = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
)


def added(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """`headers` with the security headers they lack."""
    present = {name.lower() for name, _ in headers}
    content_type = next((value for name, value in headers if name.lower() == "content-type"), "")
    wanted = EVERY_ANSWER + (HTML_ANSWER if content_type.lower().startswith("text/html") else ())
    return headers + [(name, value) for name, value in wanted if name.lower() not in present]
