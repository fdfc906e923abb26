"""Options shared by several commands, and the parameter types that validate them."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any, TypeVar

import click

from settlecal import filters
from settlecal.domain import CalendarFilter, Frequency, System

F = TypeVar("F", bound=Callable[..., Any])


class FilterValueParam(click.ParamType[str]):
    """A filter value read by the same rules as the web page's parameters (settlecal.filters)."""

    def __init__(self, name: str, parameter: str) -> None:
        self.name = name
        self._parameter = parameter

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        chosen, problems = filters.parse(urllib.parse.urlencode({self._parameter: str(value)}))
        code = getattr(chosen, self._parameter)
        if problems or code is None:
            self.fail(f"{value!r} is not an ISO {self.name} code", param, ctx)
        return str(code)


COUNTRY = FilterValueParam("3166-1 alpha-2 country", "country")
CURRENCY = FilterValueParam("4217 currency", "currency")


def calendar_filter_options(command: F) -> F:
    """--system, --country, --currency and --frequency, gathered into a `where` CalendarFilter."""
    options = [
        click.option("--system", type=click.Choice([s.value for s in System], case_sensitive=False),
                     help="BSP, CASS (CASS Export) or CASS-IMPORT."),
        click.option("--country", type=COUNTRY, help="ISO 3166-1 alpha-2 code or name, e.g. ES or Spain."),
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
