"""E-mail addresses: validated and normalised once (email-validator), and how each goes on the wire.

A visitor types an address on the page, so it is hostile input: control characters would end up in
`RCPT TO` and `To:`, a non-ASCII local part needs the server's SMTPUTF8 extension (RFC 6531), and an
internationalised domain is sent in its ASCII (IDNA) form, which every server takes.
"""

from __future__ import annotations

import dataclasses

import email_validator

from settlecal.errors import SettlecalError


class AddressInvalid(SettlecalError):
    def __init__(self, address: str, problem: str) -> None:
        super().__init__(address, problem)
        self.address = address
        self.problem = problem

    def __str__(self) -> str:
        return f"{self.address!r} is not an e-mail address: {self.problem}"


@dataclasses.dataclass(frozen=True, slots=True)
class WireAddress:
    """An address as SMTP carries it: ASCII where it can be, else UTF-8 with SMTPUTF8."""

    address: str
    smtputf8: bool


def normalise(text: str) -> str:
    """The address in its normal form (NFC, lower-case domain), or AddressInvalid."""
    return _validated(text).normalized


def wire(text: str) -> WireAddress:
    """How the address goes into `RCPT TO` and `To:`: the IDNA domain when the local part is ASCII."""
    found = _validated(text)
    if found.ascii_email:
        return WireAddress(found.ascii_email, False)
    return WireAddress(found.normalized, True)


def _validated(text: str) -> email_validator.ValidatedEmail:
    # Length first: the library's own messages about very long inputs quote them whole.
    if len(text) > 254:
        raise AddressInvalid(text[:64] + "…", "longer than 254 characters")
    try:
        return email_validator.validate_email(text.strip(), check_deliverability=False,
                                              allow_smtputf8=True, allow_quoted_local=False)
    except email_validator.EmailNotValidError as error:
        raise AddressInvalid(text, str(error)) from None
