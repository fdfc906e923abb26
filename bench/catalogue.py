"""The settlement operations the synthetic releases cover: about 180 BSP and 90 CASS countries.

A plausible picture of IATA's network, not its official list: each country with its local
currency, a USD calendar beside it where agents commonly settle in dollars (Latin America, the
Middle East, much of Africa), and a remittance frequency mix that looks like the real one (BSP
mostly monthly or twice-monthly with some weekly, four-times-monthly and ten-daily operations;
CASS mostly monthly or twice-monthly). The US has no BSP (ARC settles its agents) but does have CASS.
Plain data, no randomness: every benchmark and sample sees the same operations in the same order.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Final, NamedTuple

from settlecal.domain import CalendarKey, Frequency, System

M: Final = Frequency.MONTHLY
M2: Final = Frequency.TWICE_MONTHLY
M4: Final = Frequency.FOUR_TIMES_MONTHLY
D10: Final = Frequency.TEN_DAILY
W: Final = Frequency.WEEKLY

# Reporting periods a month for each frequency (weekly periods are ISO weeks instead).
SLOTS_PER_MONTH: Final[dict[Frequency, int]] = {M: 1, M2: 2, D10: 3, M4: 4}


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    """One calendar as an operator publishes it.

    `reporting_periods` is how many reporting periods make one remittance period: Spain's monthly
    BSP reports four times a month (1-7, 8-15, 16-23, 24-end) and only the fourth period of each
    month carries billing and remittance dates.
    """

    key: CalendarKey
    reporting_periods: int = 1
    remittance_time: str = "12:00"  # the cut-off time of its remittances

    def __post_init__(self) -> None:
        if self.reporting_periods == 1:
            return
        slots = SLOTS_PER_MONTH.get(self.key.frequency, 0) * self.reporting_periods
        if slots not in (2, 3, 4):  # finer reporting must still fit the 1/2/3/4-a-month grid
            raise ValueError(f"{self.key.label}: {self.reporting_periods} reporting periods do not fit")

    @property
    def reporting_slots(self) -> int:
        """Reporting periods a month (only for non-weekly frequencies)."""
        return SLOTS_PER_MONTH[self.key.frequency] * self.reporting_periods


class _Row(NamedTuple):
    country: str
    currencies: str  # space-separated; one calendar each, same frequency
    frequency: Frequency
    reporting_periods: int = 1
    cutoff: str = ""  # empty: the system's usual cut-off


_BSP: Final[tuple[_Row, ...]] = (
    # Europe, Caucasus and Central Asia
    _Row("AL", "ALL", M), _Row("AM", "AMD USD", M2), _Row("AT", "EUR", M2), _Row("AZ", "AZN USD", M2),
    _Row("BA", "BAM", M), _Row("BE", "EUR", M2), _Row("BG", "EUR", M2), _Row("CH", "CHF", M2),
    _Row("CY", "EUR", M), _Row("CZ", "CZK", M2), _Row("DE", "EUR", M2, cutoff="14:00"),
    _Row("DK", "DKK", M2), _Row("EE", "EUR", M), _Row("ES", "EUR", M, 4), _Row("FI", "EUR", M2),
    _Row("FR", "EUR", M2), _Row("GB", "GBP", M2, cutoff="14:00"), _Row("GE", "GEL USD", M2),
    _Row("GR", "EUR", M, 2), _Row("HR", "EUR", M), _Row("HU", "HUF", M2), _Row("IE", "EUR", M2),
    _Row("IS", "ISK", M), _Row("IT", "EUR", M), _Row("KG", "KGS USD", M2), _Row("KZ", "KZT USD", W),
    _Row("LT", "EUR", M), _Row("LU", "EUR", M2), _Row("LV", "EUR", M), _Row("MD", "MDL", M2),
    _Row("ME", "EUR", M), _Row("MK", "MKD", M), _Row("MT", "EUR", M), _Row("NL", "EUR", M2),
    _Row("NO", "NOK", M2), _Row("PL", "PLN", M4), _Row("PT", "EUR", M, 2), _Row("RO", "RON", M2),
    _Row("RS", "RSD", M2), _Row("SE", "SEK", M2), _Row("SI", "EUR", M), _Row("SK", "EUR", M),
    _Row("TJ", "TJS USD", M2), _Row("TM", "TMT USD", M), _Row("TR", "TRY", W), _Row("UA", "UAH", W),
    _Row("UZ", "UZS USD", M2),
    # Middle East and South Asia
    _Row("AE", "AED USD", M2), _Row("BD", "BDT", M4), _Row("BH", "BHD USD", M2),
    _Row("EG", "EGP USD", M4), _Row("IL", "ILS", M2), _Row("IQ", "IQD USD", W),
    _Row("JO", "JOD USD", M2), _Row("KW", "KWD USD", M2), _Row("LB", "LBP USD", W),
    _Row("LK", "LKR", M4), _Row("MV", "MVR USD", M), _Row("NP", "NPR", M4), _Row("OM", "OMR USD", M2),
    _Row("PK", "PKR", W), _Row("QA", "QAR USD", M2), _Row("SA", "SAR USD", M2), _Row("BT", "BTN", M),
    _Row("IN", "INR", M4, cutoff="14:00"),
    # Africa
    _Row("AO", "AOA USD", M2), _Row("BF", "XOF", M), _Row("BI", "BIF USD", M), _Row("BJ", "XOF", M),
    _Row("BW", "BWP", M2), _Row("CD", "CDF USD", M2), _Row("CF", "XAF", M), _Row("CG", "XAF", M),
    _Row("CI", "XOF", M2), _Row("CM", "XAF", M2), _Row("CV", "CVE", M), _Row("DJ", "DJF USD", M),
    _Row("DZ", "DZD", M4), _Row("ET", "ETB USD", M2), _Row("GA", "XAF", M), _Row("GH", "GHS USD", M2),
    _Row("GM", "GMD USD", M), _Row("GN", "GNF USD", M), _Row("GQ", "XAF", M), _Row("GW", "XOF", M),
    _Row("KE", "KES USD", M2), _Row("KM", "KMF", M), _Row("LR", "LRD USD", M), _Row("LS", "LSL", M),
    _Row("LY", "LYD USD", M2), _Row("MA", "MAD", M2), _Row("MG", "MGA USD", M), _Row("ML", "XOF", M),
    _Row("MR", "MRU USD", M), _Row("MU", "MUR", M2), _Row("MW", "MWK USD", M), _Row("MZ", "MZN USD", M2),
    _Row("NA", "NAD", M2), _Row("NE", "XOF", M), _Row("NG", "NGN USD", W), _Row("RW", "RWF USD", M2),
    _Row("SC", "SCR", M), _Row("SD", "SDG USD", M), _Row("SL", "SLE USD", M), _Row("SN", "XOF", M2),
    _Row("SS", "SSP USD", M), _Row("ST", "STN", M), _Row("SZ", "SZL", M), _Row("TD", "XAF", M),
    _Row("TG", "XOF", M), _Row("TN", "TND", M2), _Row("TZ", "TZS USD", M2), _Row("UG", "UGX USD", M2),
    _Row("ZA", "ZAR", W, cutoff="14:00"), _Row("ZM", "ZMW USD", M2), _Row("ZW", "ZWG USD", M2),
    # Asia-Pacific
    _Row("AU", "AUD", W), _Row("BN", "BND", M), _Row("CN", "CNY", D10),
    _Row("FJ", "FJD", M2), _Row("HK", "HKD", M2), _Row("ID", "IDR", M4),
    _Row("JP", "JPY", M), _Row("KH", "KHR USD", M2), _Row("KR", "KRW", D10),
    _Row("LA", "LAK USD", M2), _Row("MM", "MMK USD", M2), _Row("MN", "MNT USD", M2),
    _Row("MO", "MOP", M2), _Row("MY", "MYR", M2), _Row("NC", "XPF", M), _Row("NZ", "NZD", W),
    _Row("PF", "XPF", M), _Row("PG", "PGK", M2), _Row("PH", "PHP", M4),
    _Row("SB", "SBD", M), _Row("SG", "SGD", M2), _Row("TH", "THB", M4), _Row("TL", "USD", M),
    _Row("TO", "TOP", M), _Row("TW", "TWD", D10), _Row("VN", "VND USD", M4), _Row("VU", "VUV", M),
    _Row("WS", "WST", M),
    # The Americas and the Caribbean
    _Row("AG", "XCD USD", M), _Row("AR", "ARS USD", W), _Row("AW", "AWG USD", M),
    _Row("BB", "BBD USD", M2), _Row("BM", "BMD", M), _Row("BO", "BOB USD", M2),
    _Row("BR", "BRL USD", M4, cutoff="14:00"), _Row("BS", "BSD USD", M2), _Row("BZ", "BZD USD", M),
    _Row("CA", "CAD", M2), _Row("CL", "CLP USD", M2), _Row("CO", "COP USD", M4),
    _Row("CR", "CRC USD", M2), _Row("CW", "XCG USD", M), _Row("DO", "DOP USD", M2),
    _Row("EC", "USD", M2), _Row("GD", "XCD", M), _Row("GT", "GTQ USD", M2), _Row("GY", "GYD USD", M),
    _Row("HN", "HNL USD", M2), _Row("HT", "HTG USD", M), _Row("JM", "JMD USD", M2), _Row("KN", "XCD", M),
    _Row("KY", "KYD USD", M), _Row("LC", "XCD", M), _Row("MX", "MXN USD", M4),
    _Row("NI", "NIO USD", M2), _Row("PA", "USD", M2), _Row("PE", "PEN USD", M2), _Row("PY", "PYG USD", M2),
    _Row("SR", "SRD USD", M), _Row("SV", "USD", M2),
    _Row("TT", "TTD USD", M2), _Row("UY", "UYU USD", M2), _Row("VC", "XCD", M), _Row("VE", "VES USD", W),
)

_CASS: Final[tuple[_Row, ...]] = (
    # Europe
    _Row("AT", "EUR", M2), _Row("BE", "EUR", M2), _Row("BG", "EUR", M), _Row("CH", "CHF", M2),
    _Row("CY", "EUR", M), _Row("CZ", "CZK", M), _Row("DE", "EUR", M2), _Row("DK", "DKK", M),
    _Row("EE", "EUR", M), _Row("ES", "EUR", M2), _Row("FI", "EUR", M), _Row("FR", "EUR", M2),
    _Row("GB", "GBP", M2), _Row("GR", "EUR", M), _Row("HR", "EUR", M), _Row("HU", "HUF", M),
    _Row("IE", "EUR", M), _Row("IS", "ISK", M), _Row("IT", "EUR", M2), _Row("KZ", "KZT USD", M),
    _Row("LT", "EUR", M), _Row("LU", "EUR", M2), _Row("LV", "EUR", M), _Row("MT", "EUR", M),
    _Row("NL", "EUR", M2), _Row("NO", "NOK", M), _Row("PL", "PLN", M), _Row("PT", "EUR", M),
    _Row("RO", "RON", M), _Row("RS", "RSD", M), _Row("SE", "SEK", M), _Row("SI", "EUR", M),
    _Row("SK", "EUR", M), _Row("TR", "TRY USD", M2), _Row("UA", "UAH USD", M),
    # Middle East and South Asia
    _Row("AE", "AED USD", M2), _Row("BD", "BDT USD", M), _Row("BH", "BHD USD", M),
    _Row("EG", "EGP USD", M2), _Row("IL", "ILS USD", M), _Row("IN", "INR", M2), _Row("JO", "JOD USD", M),
    _Row("KW", "KWD USD", M), _Row("LB", "USD", M), _Row("LK", "LKR USD", M), _Row("OM", "OMR USD", M),
    _Row("PK", "PKR USD", M2), _Row("QA", "QAR USD", M), _Row("SA", "SAR USD", M2),
    # Africa
    _Row("CI", "XOF", M), _Row("CM", "XAF", M), _Row("ET", "USD", M), _Row("GH", "GHS USD", M),
    _Row("KE", "KES USD", M2), _Row("MA", "MAD", M), _Row("MU", "MUR USD", M), _Row("NG", "NGN USD", M2),
    _Row("SN", "XOF", M), _Row("TN", "TND", M), _Row("TZ", "USD", M), _Row("UG", "USD", M),
    _Row("ZA", "ZAR", M2),
    # Asia-Pacific
    _Row("AU", "AUD", M2), _Row("CN", "CNY", W), _Row("HK", "HKD", M2), _Row("ID", "IDR USD", M),
    _Row("JP", "JPY", M), _Row("KR", "KRW", M2), _Row("MY", "MYR", M2), _Row("NZ", "NZD", M),
    _Row("PH", "PHP USD", M), _Row("SG", "SGD", M2), _Row("TH", "THB", M2), _Row("TW", "TWD", M2),
    _Row("VN", "VND USD", M),
    # The Americas and the Caribbean
    _Row("AR", "ARS USD", M2), _Row("BO", "USD", M), _Row("BR", "BRL USD", M2), _Row("CA", "CAD", M2),
    _Row("CL", "USD", M), _Row("CO", "COP USD", M), _Row("CR", "USD", M), _Row("DO", "USD", M),
    _Row("EC", "USD", M), _Row("GT", "USD", M), _Row("HN", "USD", M), _Row("JM", "USD", M),
    _Row("MX", "MXN USD", M2), _Row("PA", "USD", M), _Row("PE", "USD", M), _Row("PY", "USD", M),
    _Row("SV", "USD", M), _Row("TT", "USD", M), _Row("US", "USD", M4), _Row("UY", "USD", M),
)

# Usual remittance cut-off (local time) when a row does not name its own.
_CUTOFF: Final[dict[System, str]] = {System.BSP: "12:00", System.CASS: "14:00"}


def _expand(system: System, rows: tuple[_Row, ...]) -> list[Operation]:
    return [
        Operation(
            key=CalendarKey(system, row.country, currency, row.frequency),
            reporting_periods=row.reporting_periods,
            remittance_time=row.cutoff or _CUTOFF[system],
        )
        for row in rows
        for currency in row.currencies.split()
    ]


_OPERATIONS: Final[tuple[Operation, ...]] = (*_expand(System.BSP, _BSP), *_expand(System.CASS, _CASS))


def operations() -> tuple[Operation, ...]:
    """Every operation, BSP first, each system in the table's order."""
    return _OPERATIONS


def by_path(paths: Sequence[str]) -> tuple[Operation, ...]:
    """The operations whose calendar paths (`bsp/es-eur-monthly`) are given, in the given order."""
    index = {op.key.path: op for op in _OPERATIONS}
    unknown = [path for path in paths if path not in index]
    if unknown:
        raise KeyError(f"no such operation: {', '.join(unknown)}")
    return tuple(index[path] for path in paths)
