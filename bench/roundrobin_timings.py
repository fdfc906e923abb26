"""Single timings of the round-robin benchmark, on settlecal: listing a principal, and the first GET
of a calendar after an import changed it (each import through the `settlecal` command)."""

from __future__ import annotations

import dataclasses
import pathlib
import statistics
import subprocess
import sys
from collections.abc import Mapping, Sequence
from typing import Final

from bench import visits, wrk
from bench.catalogue import Operation, by_path
from bench.contenders import pin
from bench.mirrors import Calendar
from bench.scenarios import LISTING, XML
from bench.servers import settlecal_serve
from bench.synthetic import amend_release, generate_release, pairs_for_key_dates

ROOT: Final = pathlib.Path(__file__).resolve().parents[1]
BSP: Final = "Basic YnNwOng="  # user bsp (any password): the principal /bsp/ is its calendar home


def settlecal(database_url: str, *args: str) -> str:
    """Runs the `settlecal` command installed beside this Python, as an operator would."""
    command = [str(pathlib.Path(sys.executable).with_name("settlecal")), "--database", database_url, *args]
    return subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout


def listing(base_url: str, times: int) -> dict[str, float]:
    """PROPFIND Depth 1 on /bsp/ as a client discovering calendars sends it, and once with an empty
    body (allprop), which some clients send."""
    ask = wrk.Request("PROPFIND", "/bsp/", {"Depth": "1", "Authorization": BSP, **XML}, LISTING)
    answers = visits.timed(base_url, ask, times=times + 1)[1:]  # the first fills caches
    assert all(status == 207 for _, status, _ in answers), answers[:1]
    allprop = visits.timed(base_url, wrk.Request("PROPFIND", "/bsp/", {"Depth": "1", "Authorization": BSP}))
    return {"p50_ms": statistics.median(ms for ms, _, _ in answers),
            "max_ms": max(ms for ms, _, _ in answers), "allprop_ms": allprop[0][0]}


def nearest(static_root: pathlib.Path, calendars: Sequence[Calendar], events: int) -> tuple[Calendar, int]:
    """The calendar whose event count is nearest to `events`, and its count."""
    counts = {c.path: (static_root / c.ics.lstrip("/")).read_bytes().count(b"BEGIN:VEVENT") for c in calendars}
    chosen = min(calendars, key=lambda c: (abs(counts[c.path] - events), c.path))
    return chosen, counts[chosen.path]


@dataclasses.dataclass(frozen=True)
class Catalogue:
    """How the benchmark's synthetic catalogue was made: complete years, or about N key dates."""

    years: tuple[int, ...]
    key_dates: int | None
    seed: int

    def years_of(self, operations: Sequence[Operation]) -> tuple[int, ...]:
        if not self.key_dates:
            return self.years
        return tuple(sorted({year for op, year in pairs_for_key_dates(self.key_dates) if op in operations}))


def first_get_after_import(database_url: str, calendar: Calendar, workdir: pathlib.Path, env: Mapping[str, str],
                           *, catalogue: Catalogue, imports: int, cpus: set[int] | None) -> list[float]:
    """Milliseconds of the first GET of `calendar` after each of several imports that move a few of
    its key dates (a release of that calendar alone, as operators publish amendments)."""
    base = workdir / "one-calendar.csv"
    operation = by_path([calendar.path.strip("/")])
    with base.open("w", newline="", encoding="utf-8") as fp:  # the calendar as the catalogue has it
        generate_release(fp, years=catalogue.years_of(operation), operations=operation, seed=catalogue.seed)
    timings = []
    with settlecal_serve(database_url, env=env) as server:
        pin(server, cpus)
        revision = visits.timed(server.url, wrk.Request("GET", calendar.ics))[0][2]["x-settlecal-revision"]
        for attempt in range(1, imports + 1):
            amended = workdir / f"amendment-{attempt}.csv"
            with base.open(newline="", encoding="utf-8") as src, \
                    amended.open("w", newline="", encoding="utf-8") as dst:
                amend_release(src, dst, fraction=0.05, seed=attempt)
            settlecal(database_url, "import", str(amended), "--no-notify")
            ms, status, headers = visits.timed(server.url, wrk.Request("GET", calendar.ics))[0]
            assert status == 200 and headers["x-settlecal-revision"] != revision, (status, headers)
            revision = headers["x-settlecal-revision"]
            timings.append(ms)
    return timings
