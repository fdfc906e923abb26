"""Issue 14's targets for the round-robin benchmark, judged on figures measured in one run.

Throughput targets are ratios of settlecal (under waitress, one core, c=1, warm round-robin over every
calendar) to a baseline measured beside it: nginx serving the same bytes, or stock Radicale serving
the same events. Latency and memory targets are absolute, since they are what a client or an
operator sees whatever the machine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Final

SETTLECAL: Final = "settlecal (waitress)"
RADICALE: Final = "stock Radicale 3.9"
NGINX: Final = "nginx (static .ics)"
MIB: Final = 2**20


@dataclasses.dataclass(frozen=True)
class Target:
    measure: str
    value: float
    baseline: float | None
    ratio: float | None
    goal: str
    passed: bool
    note: str = ""

    def row(self) -> tuple[str, str, str, str, str, str]:
        ratio = "" if self.ratio is None else (f"{100 * self.ratio:.1f} %" if self.goal.endswith("of nginx")
                                               else f"{self.ratio:.2f}×")
        return (self.measure, f"{self.value:.1f}", "" if self.baseline is None else f"{self.baseline:.1f}",
                ratio, self.goal, ("pass" if self.passed else "FAIL") + (f" ({self.note})" if self.note else ""))


@dataclasses.dataclass(frozen=True)
class Measured:
    """The c=1 runs by (scenario, server) (their cold and warm figures), plus the single figures."""

    runs: Mapping[tuple[str, str], Mapping[str, Any]]
    listing_p50_ms: float
    after_import_p50_ms: float
    after_import_events: int
    settlecal_peak_rss: int

    @classmethod
    def from_figures(cls, figures: Mapping[str, Any]) -> Measured:
        runs = figures["runs"]
        return cls(
            runs={(r["scenario"], r["server"]): r for r in runs if r["connections"] == 1},
            listing_p50_ms=figures["listing_bsp"]["p50_ms"],
            after_import_p50_ms=figures["first_get_after_import"]["p50_ms"],
            after_import_events=figures["first_get_after_import"]["events"],
            settlecal_peak_rss=max(r["peak_rss"] for r in runs if r["server"] == SETTLECAL),
        )


# (scenario, what it is called, baseline server, least ratio, expected status)
RATIOS: Final = (
    ("get_ics", "GET .ics (req/s)", NGINX, 0.10, 200),
    ("get_collection", "GET collection (req/s)", NGINX, 0.10, 200),
    ("get_ics", "GET .ics (req/s)", RADICALE, 20.0, 200),
    ("get_collection", "GET collection (req/s)", RADICALE, 20.0, 200),
    ("conditional", "conditional GET → 304 (req/s)", NGINX, 0.025, 304),
    ("propfind", "PROPFIND Depth 1 on a calendar (req/s)", RADICALE, 10.0, 207),
    ("report_month", "time-range REPORT, one month (req/s)", RADICALE, 10.0, 207),
    ("sync", "sync-collection, nothing new (req/s)", RADICALE, 10.0, 207),
)


def evaluate(measured: Measured) -> list[Target]:
    targets = [_ratio(measured, *spec) for spec in RATIOS]
    targets.append(Target("listing /bsp/, PROPFIND Depth 1 (p50 ms)", measured.listing_p50_ms, None, None,
                          "≤ 50 ms", measured.listing_p50_ms <= 50))
    targets.append(Target(f"first GET after an import, {measured.after_import_events}-event calendar (p50 ms)",
                          measured.after_import_p50_ms, None, None, "≤ 50 ms", measured.after_import_p50_ms <= 50))
    rss = measured.settlecal_peak_rss / MIB
    targets.append(Target("peak RSS serving every calendar round-robin (MiB)", rss, None, None, "≤ 300 MB",
                          measured.settlecal_peak_rss <= 300e6))
    return targets


def _ratio(measured: Measured, scenario: str, name: str, baseline_server: str, least: float,
           expected: int) -> Target:
    ours, theirs = measured.runs[(scenario, SETTLECAL)], measured.runs[(scenario, baseline_server)]
    rate, baseline = ours["warm"]["per_second"], theirs["warm"]["per_second"]
    ratio = rate / baseline if baseline else 0.0
    goal = f"≥ {100 * least:g} % of nginx" if baseline_server == NGINX else f"≥ {least:g}× Radicale"
    # wrk counts only answers outside 2xx/3xx; the cold pass saw each request's status.
    wrong = sum(n for status, n in ours["cold"]["statuses"].items() if int(status) != expected)
    failed = wrong + ours["cold"]["errors"] + ours["warm"]["errors"]
    note = f"{failed} answers not {expected}" if failed else ""
    baseline_name = "nginx" if baseline_server == NGINX else "Radicale"
    return Target(f"{name} vs {baseline_name}", rate, baseline, ratio, goal, ratio >= least and not note, note)
