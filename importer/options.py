"""Options shared by several commands, and the parameter types that validate them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
import pycountry

from settlecal.domain import CalendarFilter, Frequency, System

F = TypeVar("F", bound=Callable[..., Any])


class CodeParam(click.ParamType[str]):
    """An ISO code, case-insensitive, checked against pycountry's tables."""

    def __init__(self, name: str, table: Any, length: int) -> None:
        self.name = name
        self._table = table
        self._length = length

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        code = str(value).strip().upper()
        if len(code) != self._length or self._table.get(**{f"alpha_{self._length}": code}) is None:
            self.fail(f"{value!r} is not an ISO {self.name} code", param, ctx)
        return code


COUNTRY = CodeParam("3166-1 alpha-2 country", pycountry.countries, 2)
CURRENCY = CodeParam("4217 currency", pycountry.currencies, 3)


def calendar_filter_options(command: F) -> F:
    """--system, --country, --currency and --frequency, gathered into a `where` CalendarFilter."""
    options = [
        click.option("--system", type=click.Choice([s.value for s in System], case_sensitive=False),
                     help="BSP or CASS."),
        click.option("--country", type=COUNTRY, help="ISO 3166-1 alpha-2 code, e.g. ES."),
        click.option("--currency", type=CURRENCY, help="ISO 4217 code, e.g. EUR."),
        click.option("--frequency", type=click.Choice([f.value for f in Frequency], case_sensitive=False),
                     help="Remittance frequency."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def calendar_filter(system: str | None, country: str | None, currency: str | None,
                    frequency: str | None) -> CalendarFilter:
    return CalendarFilter(
        System(system.upper()) if system else None,
        country,
        currency,
        Frequency(frequency.lower()) if frequency else None,
    )


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
