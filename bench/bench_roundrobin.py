"""Round-robin server benchmark: every calendar in turn, as a population of subscribers asks for them,
from settlecal, stock Radicale 3.9 and nginx serving the same events, in one run.

    python -m bench bench_roundrobin                       # the full catalogue, 376 calendars × 3 years
    python -m bench.bench_roundrobin --key-dates 1000000   # the million-key-date catalogue (long)

1. The synthetic catalogue (bench/synthetic.py) is imported into settlecal with `settlecal import`.
   From a running settlecal server, over HTTP, each calendar's `.ics` bytes are copied for nginx and
   each calendar's events, item for item, into a stock Radicale multifilesystem folder (every Nth
   calendar only: stock Radicale parses ~5 ms an item the first time, an hour for the whole catalogue).
2. Each server runs on the server core, the client on the other (taskset-style affinity). For each
   scenario (bench/scenarios.py), concurrency (1 and 8) and server in turn: the server is started
   anew, a cold pass visits each calendar once (Python client, capped in time), settlecal visits the
   calendars the cap left out (its render cache is in memory; Radicale's is on disk), then wrk cycles
   through every calendar for a few seconds (warm). settlecal runs under waitress (`settlecal
   serve`) at both concurrencies and under gunicorn with N workers at 8. wrk's ceiling on this
   machine (nginx answering a 2-byte file) is measured before and after.
3. Single timings on settlecal: listing `/bsp/` (PROPFIND Depth 1 on the principal) and the first
   GET of a ~520-event calendar just after an import changed it; the server's peak RSS.

The targets (issue 14) are ratios against nginx and stock Radicale measured in the same run, or
latencies; the table says which pass. Figures go to bench/results/roundrobin.json.

Environment (or the matching options): BENCH_YEARS ("2026 2027 2028"), BENCH_KEY_DATES (a catalogue of
about N key dates instead), BENCH_RR_SECONDS (3, per warm run), BENCH_RR_COLD_SECONDS (5, cap of a
cold pass), BENCH_RR_WARMUP_SECONDS (10, cap of settlecal's warm-up), BENCH_RR_REPEATS (3 warm runs
in BENCH_RR_SECONDS, the best kept), BENCH_RR_RADICALE_EVERY (8), BENCH_RR_WORKERS (2, gunicorn), BENCH_RR_BACKEND (sqlite or
postgresql: a scratch database on BENCH_DATABASE_URL / TEST_DATABASE_URL's server), BENCH_RR_SERVER_CPUS
("0") and BENCH_RR_CLIENT_CPUS ("1").
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import pathlib
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from typing import Any

from bench import contenders, mirrors, visits, wrk
from bench.bench_load import quiet_configuration
from bench.nginx import nginx
from bench.results import Figures, save, table
from bench.roundrobin_targets import Measured, evaluate
from bench.roundrobin_timings import Catalogue, first_get_after_import, listing, nearest, settlecal
from bench.scenarios import SCENARIOS, Scenario
from bench.servers import settlecal_serve
from bench.synthetic import generate_for_key_dates, generate_release

ROOT = pathlib.Path(__file__).resolve().parents[1]
SEED = 1
IMPORTED_EVENTS = 520  # the size of the calendar whose first GET after an import is timed


@dataclasses.dataclass(frozen=True)
class Settings:
    years: tuple[int, ...]
    key_dates: int | None
    seconds: float
    cold_seconds: float
    warmup_seconds: float
    repeats: int
    radicale_every: int
    workers: int
    backend: str
    server_cpus: set[int] | None
    client_cpus: set[int] | None
    listings: int = 21
    imports: int = 5

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ.get
        server, client = _cpus(env("BENCH_RR_SERVER_CPUS", "0")), _cpus(env("BENCH_RR_CLIENT_CPUS", "1"))
        if (os.cpu_count() or 1) < 2:
            server = client = None  # one core: nothing to keep apart
        return cls(
            years=tuple(int(y) for y in env("BENCH_YEARS", "2026 2027 2028").split()),
            key_dates=int(env("BENCH_KEY_DATES", "0")) or None,
            seconds=float(env("BENCH_RR_SECONDS", "3")),
            cold_seconds=float(env("BENCH_RR_COLD_SECONDS", "5")),
            warmup_seconds=float(env("BENCH_RR_WARMUP_SECONDS", "10")),
            repeats=int(env("BENCH_RR_REPEATS", "3")),
            radicale_every=int(env("BENCH_RR_RADICALE_EVERY", "8")),
            workers=int(env("BENCH_RR_WORKERS", "2")),
            backend=env("BENCH_RR_BACKEND", "sqlite"),
            server_cpus=server, client_cpus=client,
        )


def _cpus(text: str) -> set[int] | None:
    return {int(cpu) for cpu in text.replace(",", " ").split()} or None


# -- the catalogue in settlecal, nginx and Radicale -------------------------------------------------


def write_catalogue(path: pathlib.Path, settings: Settings) -> int:
    with path.open("w", newline="", encoding="utf-8") as fp:
        if settings.key_dates:
            return generate_for_key_dates(fp, settings.key_dates, seed=SEED).key_dates
        return generate_release(fp, years=settings.years, seed=SEED).key_dates


@contextlib.contextmanager
def database(settings: Settings, workdir: pathlib.Path) -> Iterator[str]:
    if settings.backend != "postgresql":
        yield f"sqlite:///{workdir / 'settlecal.sqlite3'}"
        return
    from bench.databases import scratch_postgresql

    server = (os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL")
              or "postgresql://postgres@127.0.0.1:5432/test")
    with scratch_postgresql(server, "settlecal_bench") as url:
        yield url


# -- measuring -------------------------------------------------------------------------------------


@dataclasses.dataclass
class Run:
    scenario: str
    server: str
    connections: int
    cold: Figures
    cold_visited: int
    warm: Figures
    warm_rates: list[float]
    peak_rss: int
    load: tuple[float, float]  # the machine's 1-minute load average before and after


def measure(lineup: Sequence[contenders.Contender], settings: Settings,
            ) -> tuple[list[Run], dict[str, contenders.FirstVisit]]:
    """Every scenario at every concurrency on each server in turn, so that the figures compared with
    each other are measured minutes apart at most (the machine is shared)."""
    firsts: dict[str, contenders.FirstVisit] = {}
    for contender in lineup:
        if contender.answers_like is not None:  # same database: same ETags and sync tokens
            firsts[contender.name] = firsts[contender.answers_like]
            continue
        print(f"{contender.name}: first visit of {len(contender.calendars)} calendars", flush=True)
        with contender.start() as server:
            contenders.pin(server, settings.server_cpus)
            contenders.warm_process(server)
            firsts[contender.name] = contenders.first_visit(server, contender)
    runs = []
    for scenario in SCENARIOS:
        for connections in (1, 8):
            for contender in lineup:
                if contender.kind not in scenario.servers or connections not in contender.concurrencies:
                    continue
                print(f"  {scenario.name} at c={connections}: {contender.name}", flush=True)
                requests = scenario.requests(contender.kind, contender.calendars, firsts[contender.name].learned)
                runs.append(_cold_then_warm(contender, scenario, requests, connections, settings))
    return runs, firsts


def _cold_then_warm(contender: contenders.Contender, scenario: Scenario, requests: list[wrk.Request],
                    connections: int, settings: Settings) -> Run:
    load = os.getloadavg()[0]
    with contender.start() as server:
        contenders.pin(server, settings.server_cpus)
        contenders.warm_process(server)
        with contender.cold():
            cold, visited = visits.once_each(server.url, requests, connections=connections,
                                             cap_seconds=settings.cold_seconds)
        if contender.caches_in_memory:  # what the cold pass did not reach, before the warm run
            visits.once_each(server.url, requests[visited:], connections=8, cap_seconds=settings.warmup_seconds)
        # Other work on the machine only ever slows a run down: the best of a few short runs is the
        # nearest to what the server can do.
        repeats = [wrk.run(server.url, requests, connections=connections,
                           seconds=max(1.0, settings.seconds / settings.repeats), cpus=settings.client_cpus)
                   for _ in range(settings.repeats)]
        rss = contenders.peak_rss_bytes(server)
    warm = max(repeats, key=lambda figures: figures.per_second)
    return Run(scenario.name, contender.name, connections, cold, visited, warm,
               [round(f.per_second, 1) for f in repeats], rss, (round(load, 2), round(os.getloadavg()[0], 2)))


def client_ceiling(root: pathlib.Path, settings: Settings) -> dict[int, Figures]:
    """What wrk drives on the client core against nginx answering a 2-byte file: the most any
    server can show in this run."""
    (root / "ping.txt").write_text("ok")
    with nginx(root) as server:
        contenders.pin(server, settings.server_cpus)
        return {c: wrk.run(server.url, [wrk.Request("GET", "/ping.txt")], connections=c,
                           seconds=settings.seconds, cpus=settings.client_cpus) for c in (1, 8)}


# -- the whole benchmark ---------------------------------------------------------------------------


def main(settings: Settings | None = None) -> None:
    settings = settings or Settings.from_env()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="settlecal-roundrobin-") as scratch:
        workdir = pathlib.Path(scratch)
        workdir.chmod(0o755)  # nginx reads its files as nobody
        with database(settings, workdir) as url:
            figures = _run(settings, workdir, url)
    figures["minutes"] = round((time.monotonic() - started) / 60, 1)
    _report(figures)


def _run(settings: Settings, workdir: pathlib.Path, url: str) -> dict[str, Any]:
    release = workdir / "catalogue.csv"
    key_dates = write_catalogue(release, settings)
    print(f"importing {key_dates} key dates …", flush=True)
    settlecal(url, "import", str(release), "--no-notify")
    env = {"SETTLECAL_ACCESS_LOG": "off", "RADICALE_CONFIG": str(quiet_configuration(workdir))}
    with settlecal_serve(url, env=env) as server:
        calendars = mirrors.calendars(server.url)
        print(f"copying {len(calendars)} calendars for nginx and every "
              f"{settings.radicale_every}th for stock Radicale …", flush=True)
        sizes = mirrors.write_static(server.url, calendars, workdir / "static")
        sampled = calendars[::settings.radicale_every]
        items = mirrors.write_radicale(server.url, sampled, workdir / "radicale")
    ceiling = client_ceiling(workdir / "static", settings)
    lineup = [
        contenders.settlecal_waitress(url, calendars, env),
        contenders.settlecal_gunicorn(url, calendars, env, settings.workers),
        contenders.radicale(workdir / "radicale", sampled),
        contenders.static(workdir / "static", calendars),
    ]
    runs, firsts = measure(lineup, settings)
    own_visits = {contender.name for contender in lineup if contender.answers_like is None}
    ceiling_after = client_ceiling(workdir / "static", settings)
    with settlecal_serve(url, env=env) as server:
        contenders.pin(server, settings.server_cpus)
        listed = listing(server.url, settings.listings)
    chosen, events = nearest(workdir / "static", calendars, IMPORTED_EVENTS)
    after_import = first_get_after_import(url, chosen, workdir, env, catalogue=Catalogue(
        settings.years, settings.key_dates, SEED), imports=settings.imports, cpus=settings.server_cpus)
    return {
        "catalogue": {"key_dates": key_dates, "calendars": len(calendars), "bytes": sum(sizes.values()),
                      "radicale_calendars": len(sampled), "radicale_items": items,
                      "radicale_mean_bytes": round(statistics.fmean(sizes[c.path] for c in sampled)),
                      "mean_bytes": round(statistics.fmean(sizes.values()))},
        "settings": {**dataclasses.asdict(settings), "server_cpus": sorted(settings.server_cpus or ()),
                     "client_cpus": sorted(settings.client_cpus or ()), "cpu_count": os.cpu_count()},
        "client_ceiling": {str(c): f.as_json() for c, f in ceiling.items()},
        "client_ceiling_after": {str(c): f.as_json() for c, f in ceiling_after.items()},
        "runs": [{**dataclasses.asdict(r), "cold": r.cold.as_json(), "warm": r.warm.as_json()} for r in runs],
        "first_visit": {name: {"seconds": round(first.seconds, 2), "calendars": len(first.milliseconds),
                               "p50_ms": round(statistics.median(first.milliseconds), 2)}
                        for name, first in firsts.items() if name in own_visits},
        "listing_bsp": listed,
        "first_get_after_import": {"calendar": chosen.path, "events": events,
                                   "ms": [round(ms, 1) for ms in after_import],
                                   "p50_ms": statistics.median(after_import)},
    }


def _report(figures: dict[str, Any]) -> None:
    catalogue = figures["catalogue"]
    runs = figures["runs"]
    print(f"\n{catalogue['key_dates']} key dates in {catalogue['calendars']} calendars "
          f"({catalogue['bytes'] / 2**20:.0f} MiB of .ics, {catalogue['mean_bytes'] / 1024:.0f} KiB a calendar); "
          f"stock Radicale: {catalogue['radicale_calendars']} of them, {catalogue['radicale_items']} items "
          f"({catalogue['radicale_mean_bytes'] / 1024:.0f} KiB a calendar)")
    before, after = figures["client_ceiling"], figures["client_ceiling_after"]
    print("client ceiling (wrk on its core → nginx, 2-byte file), before and after: "
          f"{before['1']['per_second']:.0f} and {after['1']['per_second']:.0f} req/s at c=1, "
          f"{before['8']['per_second']:.0f} and {after['8']['per_second']:.0f} req/s at c=8")
    for name, first in figures["first_visit"].items():
        print(f"first download of each of {first['calendars']} calendars after a start, {name}: "
              f"{first['seconds']:.1f} s (p50 {first['p50_ms']:.1f} ms)")
    print()
    rows = [(r["scenario"], r["server"], r["connections"], r["cold"]["per_second"], r["cold"]["p50_ms"],
             _statuses(r["cold"]), r["warm"]["per_second"], r["warm"]["p50_ms"], r["warm"]["p99_ms"],
             r["warm"]["errors"], f"{r['load'][0]:.1f}") for r in runs]
    print(table(("scenario", "server", "c", "cold req/s", "cold p50 ms", "cold statuses", "warm req/s",
                 "warm p50 ms", "warm p99 ms", "warm errors", "load"), rows))
    print("cold: the first visit of each calendar after a start (capped); warm: wrk over every calendar, best of "
          f"{figures['settings']['repeats']} runs; warm errors: answers outside 2xx/3xx or none; "
          "load: the machine's 1-minute load average before the run (2 cores)")
    measured = Measured.from_figures(figures)
    targets = evaluate(measured)
    figures["targets"] = [dataclasses.asdict(t) for t in targets]
    print()
    print(table(("target (c=1, warm round-robin unless said)", "settlecal", "baseline", "ratio", "target", "result"),
                [t.row() for t in targets]))
    passed = sum(t.passed for t in targets)
    print(f"{passed} of {len(targets)} targets met; {figures['minutes']} minutes")
    path = save("roundrobin", figures)
    print(f"results: {path.relative_to(ROOT)}")


def _statuses(figures: dict[str, Any]) -> str:
    text = " ".join(f"{status}×{count}" for status, count in sorted(figures["statuses"].items()))
    return text + (f" +{figures['errors']} failed" if figures["errors"] else "")


def _parse(argv: Sequence[str]) -> Settings:
    defaults = Settings.from_env()
    parser = argparse.ArgumentParser(prog="python -m bench.bench_roundrobin", description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, nargs="+", default=list(defaults.years))
    parser.add_argument("--key-dates", type=int, default=defaults.key_dates, help="e.g. 1000000 (long)")
    parser.add_argument("--seconds", type=float, default=defaults.seconds, help="of warm load per scenario, split into --repeats runs")
    parser.add_argument("--cold-seconds", type=float, default=defaults.cold_seconds, help="cap of a cold pass")
    parser.add_argument("--warmup-seconds", type=float, default=defaults.warmup_seconds)
    parser.add_argument("--repeats", type=int, default=defaults.repeats, help="warm runs, best taken")
    parser.add_argument("--radicale-every", type=int, default=defaults.radicale_every)
    parser.add_argument("--workers", type=int, default=defaults.workers, help="gunicorn workers")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default=defaults.backend)
    args = parser.parse_args(argv)
    return dataclasses.replace(defaults, years=tuple(args.years), key_dates=args.key_dates, seconds=args.seconds,
                               cold_seconds=args.cold_seconds, warmup_seconds=args.warmup_seconds, repeats=args.repeats, radicale_every=args.radicale_every,
                               workers=args.workers, backend=args.backend)


if __name__ == "__main__":
    main(_parse(sys.argv[1:]))
