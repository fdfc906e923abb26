"""Load benchmark: many concurrent clients on loopback, then the same load while imports run.

The script starts its own server on 127.0.0.1 (a port the OS picks): gunicorn with several workers
on PostgreSQL when the PostgreSQL server answers, else `settlecal serve` (waitress) on SQLite. It
loads the sample release and its amendment, then:

1. **Steady load**: LOAD_CONCURRENCY clients (64) for LOAD_SECONDS (60), at most LOAD_MAX_REQUESTS
   requests, each on its own keep-alive connection, with a mix of whole-calendar GET, conditional GET
   (304), PROPFIND Depth 1, time-range REPORT and incremental sync-collection REPORT over every
   calendar. Reported: errors (any exception, or a status other than the kind's), p50/p99 latency per
   kind and overall, throughput, and the server's resident memory (summed over its processes) after
   a warm-up under the same load and at the end.
2. **Load during imports**: the same mix over the calendars the amendment changes (and one it does
   not) for LOAD_IMPORT_SECONDS (20), while this process imports the amendment and rolls it back in
   a loop. After each commit it fetches reference answers for every request of the mix at that
   revision. Every response must then equal the reference of the revision its X-Settlecal-Revision
   header names: same ETag, same body bytes (a 304 must have been asked with that revision's ETag),
   so no response mixes two revisions, and none contradicts its ETag.

Figures go to bench/results/load.json. Every loop is bounded in time and count; only loopback.
Environment: LOAD_SECONDS, LOAD_CONCURRENCY, LOAD_MAX_REQUESTS, LOAD_IMPORT_SECONDS,
LOAD_WARMUP_SECONDS (20: RSS is measured from its end, once the workers' heaps have levelled off), LOAD_WORKERS
(gunicorn workers, default 2 × cores), LOAD_BACKEND (`postgresql` or `sqlite`, default: PostgreSQL
if it answers), BENCH_DATABASE_URL / TEST_DATABASE_URL (the PostgreSQL server).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import hashlib
import http.client
import os
import pathlib
import random
import statistics
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from bench.results import save, table
from bench.servers import Server, gunicorn, settlecal_serve

ROOT = pathlib.Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "importer" / "samples" / "sample-release.csv"
AMENDMENT = ROOT / "importer" / "samples" / "amendment.csv"
SYNC_PREFIX = "http://settlecal.invalid/ns/sync/"

PROPFIND = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/><D:getcontenttype/>'
            "</D:prop></D:propfind>")
MONTH_QUERY = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
               "<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">"
               '<C:comp-filter name="VEVENT"><C:time-range start="20260301T000000Z" end="20260401T000000Z"/>'
               "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>")
SYNC = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>' + SYNC_PREFIX + "1"
        "</D:sync-token><D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>")

# kind: (method, body, extra headers, expected statuses), weight in the mix
KINDS: dict[str, tuple[str, str, dict[str, str], frozenset[int]]] = {
    "get": ("GET", "", {"Accept-Encoding": "gzip"}, frozenset({200})),
    "conditional": ("GET", "", {"Accept-Encoding": "gzip"}, frozenset({304})),
    "propfind": ("PROPFIND", PROPFIND, {"Depth": "1", "Content-Type": "application/xml"}, frozenset({207})),
    "report": ("REPORT", MONTH_QUERY, {"Depth": "1", "Content-Type": "application/xml"}, frozenset({207})),
    "sync": ("REPORT", SYNC, {"Content-Type": "application/xml"}, frozenset({207})),
}
WEIGHTS = {"get": 25, "conditional": 35, "propfind": 15, "report": 15, "sync": 10}
# Phase 2: the two calendars the amendment changes, and one it leaves alone.
CHANGING = ["/bsp/es-eur-monthly/", "/cass/es-eur-twice-monthly/", "/bsp/de-eur-twice-monthly/"]


@dataclasses.dataclass(slots=True)
class Sample:
    kind: str
    path: str
    status: int
    seconds: float
    revision: int | None = None
    etag: str | None = None
    sent_etag: str | None = None
    digest: str | None = None


@dataclasses.dataclass
class Outcome:
    samples: list[Sample]
    errors: list[str]
    seconds: float


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


class Client:
    """One keep-alive connection; reconnects when the server closes it (waitress does after a 304)."""

    def __init__(self, base_url: str) -> None:
        parsed = urllib.parse.urlsplit(base_url)
        assert parsed.hostname in ("127.0.0.1", "localhost", "::1"), "loopback only"
        self.host, self.port = parsed.hostname, parsed.port
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.etags: dict[str, str] = {}

    def request(self, kind: str, path: str, *, keep: bool = False) -> Sample:
        method, body, headers, _ = KINDS[kind]
        headers = dict(headers)
        sent = None
        if kind == "conditional":
            sent = self.etags.get(path)
            if sent is None:  # learn the ETag first, as a subscriber does
                first = self.request("get", path)
                sent = first.etag
            if sent:
                headers["If-None-Match"] = sent
        started = time.perf_counter()
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body.encode() or None, headers=headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # A keep-alive connection the server closed between two requests: one retry.
                self.connection.close()
                if attempt == 2:
                    raise
        seconds = time.perf_counter() - started
        if response.will_close:
            self.connection.close()
        etag = response.getheader("ETag")
        if kind == "get" and etag:
            self.etags[path] = etag
        revision = response.getheader("X-Settlecal-Revision")
        return Sample(kind, path, response.status, seconds,
                      revision=int(revision) if revision and revision.isdigit() else None, etag=etag,
                      sent_etag=sent, digest=hashlib.sha256(data).hexdigest() if keep else None)

    def close(self) -> None:
        self.connection.close()


def run_load(base_url: str, paths: Sequence[str], *, seconds: float, concurrency: int, max_requests: int,
             keep: bool = False, accept: Callable[[str, int], bool] | None = None,
             on_progress: Callable[[float], None] | None = None, seed: int = 1,
             every_kind: bool = False) -> Outcome:
    """`concurrency` clients send the mix at `paths` until `seconds` pass or `max_requests` are sent.

    With `every_kind`, clients go on after `seconds` with the kinds not answered yet, so that a short
    run on a loaded machine still sends each kind of request at least once (within another minute).
    """
    kinds = list(WEIGHTS)
    weights = [WEIGHTS[k] for k in kinds]
    accept = accept or (lambda kind, status: status in KINDS[kind][3])
    deadline = time.monotonic() + seconds
    lock = threading.Lock()
    sent = 0
    answered: set[str] = set()
    samples: list[Sample] = []
    errors: list[str] = []

    def take(chooser: random.Random) -> str | None:
        """The kind of the next request, or None when the run is over."""
        nonlocal sent
        with lock:
            if sent >= max_requests:
                return None
            if time.monotonic() < deadline:
                sent += 1
                return chooser.choices(kinds, weights)[0]
            missing = [kind for kind in kinds if kind not in answered]
            if not every_kind or not missing or time.monotonic() >= deadline + 60:
                return None
            sent += 1
            return missing[sent % len(missing)]

    def worker(number: int) -> None:
        chooser = random.Random(seed * 1000 + number)
        client = Client(base_url)
        mine: list[Sample] = []
        failures: list[str] = []
        try:
            while (kind := take(chooser)) is not None:
                path = chooser.choice(paths)
                target = path.rstrip("/") + ".ics" if kind == "get" and chooser.random() < 0.5 else path
                if kind == "conditional":
                    target = path
                try:
                    sample = client.request(kind, target, keep=keep)
                except Exception as error:  # counted, never raised: the run goes on
                    failures.append(f"{kind} {target}: {type(error).__name__}: {error}")
                    client.close()
                    continue
                mine.append(sample)
                with lock:
                    answered.add(kind)
                if not accept(kind, sample.status):
                    failures.append(f"{kind} {target}: status {sample.status}")
        finally:
            client.close()
            with lock:
                samples.extend(mine)
                errors.extend(failures)

    threads = [threading.Thread(target=worker, args=(n,), daemon=True) for n in range(concurrency)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    if on_progress is not None:
        while any(t.is_alive() for t in threads):
            time.sleep(0.2)
            on_progress(time.monotonic() - started)
    for thread in threads:
        thread.join(timeout=seconds + 120)
    return Outcome(samples, errors, time.monotonic() - started)


def latency_table(outcome: Outcome) -> dict[str, dict[str, float]]:
    figures: dict[str, dict[str, float]] = {}
    groups: dict[str, list[float]] = {"all": [s.seconds for s in outcome.samples]}
    for sample in outcome.samples:
        groups.setdefault(sample.kind, []).append(sample.seconds)
    for kind, values in groups.items():
        figures[kind] = {
            "requests": len(values),
            "p50_ms": round(_percentile(values, 0.50) * 1000, 2),
            "p99_ms": round(_percentile(values, 0.99) * 1000, 2),
            "mean_ms": round(statistics.fmean(values) * 1000, 2) if values else 0.0,
        }
    return figures


# -- phase 2: load while imports commit ---------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Reference:
    etag: str | None
    digest: str


def fetch_references(base_url: str, revision: int) -> tuple[dict[tuple[str, str], Reference], list[str]]:
    """Every request of the phase-2 mix, answered at `revision` (nothing else writes meanwhile)."""
    requests_ = [(kind, target) for path in CHANGING
                 for kind, target in (("get", path), ("get", path.rstrip("/") + ".ics"), ("propfind", path),
                                      ("report", path), ("sync", path))]

    def fetch(request: tuple[str, str]) -> Sample:
        client = Client(base_url)
        try:
            return client.request(*request, keep=True)
        finally:
            client.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(requests_)) as pool:
        samples = list(pool.map(fetch, requests_))
    references: dict[tuple[str, str], Reference] = {}
    problems: list[str] = []
    for (kind, target), sample in zip(requests_, samples):
        if sample.revision != revision:
            problems.append(f"reference {kind} {target}: revision {sample.revision}, expected {revision}")
        references[(kind, target)] = Reference(sample.etag, sample.digest or "")
    return references, problems


def verify(samples: Sequence[Sample], references: dict[int, dict[tuple[str, str], Reference]]) -> list[str]:
    """Each response against its revision's reference; a list of every mismatch."""
    problems = []
    for sample in samples:
        if sample.revision is None:
            problems.append(f"{sample.kind} {sample.path}: no revision header")
            continue
        at = references.get(sample.revision)
        if at is None:
            problems.append(f"{sample.kind} {sample.path}: revision {sample.revision} has no reference")
            continue
        kind = "get" if sample.kind == "conditional" else sample.kind
        reference = at[(kind, sample.path)]
        if sample.status == 304:
            if sample.sent_etag != reference.etag:
                problems.append(f"304 for {sample.path} at revision {sample.revision} with a stale ETag")
            continue
        if kind == "get" and sample.etag != reference.etag:
            problems.append(f"GET {sample.path} at revision {sample.revision}: ETag differs from the reference")
        if sample.digest != reference.digest:
            problems.append(f"{sample.kind} {sample.path} at revision {sample.revision}: body differs from the reference")
    return problems


def run_during_imports(base_url: str, database_url: str, *, seconds: float, concurrency: int,
                       max_requests: int, on_progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Phase 2: the load over CHANGING while this process imports and rolls back in a loop."""
    from settlecal.db import queries
    from settlecal.db.engine import make_engine
    from settlecal.db.snapshot import reading
    from settlecal.releases.service import import_release, rollback
    from settlecal.release_format.file import read_release

    engine = make_engine(database_url)
    amendment = read_release(AMENDMENT)

    def current() -> int:
        with reading(engine) as session:
            return queries.current_revision(session)

    references: dict[int, dict[tuple[str, str], Reference]] = {}
    problems: list[str] = []
    first = current()
    references[first], found = fetch_references(base_url, first)
    problems += found
    stop = threading.Event()
    commits = 0
    import_seconds: list[float] = []

    def importer() -> None:
        nonlocal commits
        undo = True  # the database starts with the amendment in force
        while not stop.is_set() and commits < 10_000:
            started = time.perf_counter()
            if undo:
                rollback(engine, operator="bench", notify=False)
            else:
                import_release(engine, amendment, operator="bench", notify=False)
            import_seconds.append(time.perf_counter() - started)
            undo = not undo
            commits += 1
            revision = current()
            references[revision], found = fetch_references(base_url, revision)
            problems.extend(found)

    thread = threading.Thread(target=importer, daemon=True)
    thread.start()
    samples: list[Sample] = []
    try:
        outcome = run_load(base_url, CHANGING, seconds=seconds, concurrency=concurrency,
                           max_requests=max_requests, keep=True, on_progress=on_progress,
                           accept=lambda kind, status: status in (KINDS[kind][3] | ({200} if kind == "conditional" else set())))
        samples = outcome.samples
    finally:
        stop.set()
        thread.join(timeout=120)
    mismatches = verify(samples, references)
    revisions = {s.revision for s in samples if s.revision is not None}
    return {
        "seconds": round(outcome.seconds, 2),
        "requests": len(samples),
        "errors": len(outcome.errors),
        "error_examples": outcome.errors[:5],
        "commits": commits,
        "import_p50_ms": round(_percentile(import_seconds, 0.5) * 1000, 1),
        "revisions_seen": len(revisions),
        "responses_verified": len(samples) - len(mismatches),
        "mismatches": len(mismatches) + len(problems),
        "mismatch_examples": (problems + mismatches)[:5],
        "latency": latency_table(outcome),
    }


# -- the whole benchmark -------------------------------------------------------------------------


def all_calendar_paths(database_url: str) -> list[str]:
    from settlecal.db import queries
    from settlecal.db.engine import make_engine
    from settlecal.db.snapshot import reading

    with reading(make_engine(database_url)) as session:
        return [f"/{state.key.path}/" for state in queries.calendar_states(session)]


def load_database(database_url: str) -> None:
    from settlecal.db.engine import make_engine
    from settlecal.releases.service import import_release
    from settlecal.release_format.file import read_release

    engine = make_engine(database_url)
    import_release(engine, read_release(SAMPLE), operator="bench", notify=False)
    import_release(engine, read_release(AMENDMENT), operator="bench", notify=False)


@contextlib.contextmanager
def database(backend: str, workdir: pathlib.Path) -> Iterator[str]:
    if backend == "postgresql":
        from bench.bench_import import postgresql_database

        with postgresql_database() as url:
            if url is None:
                raise RuntimeError("PostgreSQL does not answer")
            yield url
    else:
        yield f"sqlite:///{workdir / 'load.sqlite3'}"


def postgresql_answers() -> bool:
    from sqlalchemy import create_engine, text

    from bench.bench_import import POSTGRESQL_URL

    try:
        engine = create_engine(POSTGRESQL_URL.replace("postgresql://", "postgresql+psycopg://", 1),
                               connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


@contextlib.contextmanager
def server_for(backend: str, database_url: str, workers: int, quiet_config: pathlib.Path) -> Iterator[Server]:
    env = {"SETTLECAL_ACCESS_LOG": "off", "RADICALE_CONFIG": str(quiet_config)}
    if backend == "postgresql":
        with gunicorn(database_url, workers=workers, env=env) as server:
            yield server
    else:
        with settlecal_serve(database_url, env=env) as server:
            yield server


def quiet_configuration(workdir: pathlib.Path) -> pathlib.Path:
    """The shipped configuration with logging at warning (a log line per request would be measured)."""
    shipped = (ROOT / "config" / "radicale.conf").read_text(encoding="utf-8")
    text = shipped.replace("file = rights", f"file = {ROOT / 'config' / 'rights'}")
    text = text.replace("level = info", "level = warning")
    path = workdir / "radicale.conf"
    path.write_text(text, encoding="utf-8")
    return path


@dataclasses.dataclass
class MemoryTrace:
    """The server's resident memory, sampled under load (run_load calls it every 0.2 s).

    Judged from a third of the way in to the end: by then every worker has loaded the application,
    filled its caches and grown its heap to what its concurrent requests need, so what it gains after
    that is what a long run would keep gaining.
    """

    server: Any
    samples: list[tuple[float, int]] = dataclasses.field(default_factory=list)
    offset: float = 0.0  # seconds of earlier phases, so that phases follow one another on one clock

    def sample(self, elapsed: float) -> None:
        self.samples.append((self.offset + elapsed, self.server.rss_bytes()))

    def next_phase(self) -> None:
        self.offset = self.samples[-1][0] if self.samples else self.offset

    def figures(self) -> dict[str, Any]:
        if not self.samples:
            return {}
        end = self.samples[-1][0]
        third = next(rss for at, rss in self.samples if at >= end / 3)
        last = self.samples[-1][1]
        return {"rss_third_mib": round(third / 2**20, 1), "rss_end_mib": round(last / 2**20, 1),
                "rss_peak_mib": round(max(rss for _, rss in self.samples) / 2**20, 1),
                "rss_growth_pct": round(100 * (last - third) / third, 2) if third else None,
                "rss_samples": len(self.samples), "rss_traced_seconds": round(end, 1)}


def main() -> None:
    seconds = float(os.environ.get("LOAD_SECONDS", "60"))
    concurrency = int(os.environ.get("LOAD_CONCURRENCY", "64"))
    max_requests = int(os.environ.get("LOAD_MAX_REQUESTS", "1000000"))
    import_seconds = float(os.environ.get("LOAD_IMPORT_SECONDS", "20"))
    warmup = float(os.environ.get("LOAD_WARMUP_SECONDS", "20"))
    workers = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 1))))
    backend = os.environ.get("LOAD_BACKEND") or ("postgresql" if postgresql_answers() else "sqlite")
    with tempfile.TemporaryDirectory(prefix="settlecal-load-") as scratch:
        workdir = pathlib.Path(scratch)
        with database(backend, workdir) as url:
            load_database(url)
            paths = all_calendar_paths(url)
            with server_for(backend, url, workers, quiet_configuration(workdir)) as server:
                rss_idle = server.rss_bytes()
                # Warm-up: every worker loads the application, renders and caches every calendar and
                # grows its heap to what the concurrent requests it holds need. gunicorn deals new
                # connections out unevenly, so the warm-up reconnects once; RSS levels off after
                # that here, and from then on it must stay flat: the trace covers the warm-up, the
                # steady load and the imports, and is judged from a third of the way in.
                memory = MemoryTrace(server)
                for _ in range(2):
                    run_load(server.url, paths, seconds=warmup / 2, concurrency=concurrency,
                             max_requests=max_requests, on_progress=memory.sample)
                    memory.next_phase()
                steady = run_load(server.url, paths, seconds=seconds, concurrency=concurrency,
                                  max_requests=max_requests, on_progress=memory.sample)
                memory.next_phase()
                during = run_during_imports(server.url, url, seconds=import_seconds, concurrency=concurrency,
                                            max_requests=max_requests, on_progress=memory.sample)
                processes = len(server.pids())
    latency = latency_table(steady)
    figures = {
        "server": f"gunicorn, {workers} workers × 4 threads, PostgreSQL" if backend == "postgresql"
                  else "settlecal serve (waitress, 8 threads), SQLite",
        "server_processes": processes,
        "backend": backend,
        "calendars": len(paths),
        "concurrency": concurrency,
        "seconds": round(steady.seconds, 2),
        "requests": len(steady.samples),
        "errors": len(steady.errors),
        "error_examples": steady.errors[:5],
        "throughput_rps": round(len(steady.samples) / steady.seconds, 1) if steady.seconds else 0.0,
        "latency": latency,
        "warmup_seconds": warmup,
        "rss_idle_mib": round(rss_idle / 2**20, 1),
        **memory.figures(),
        "during_imports": during,
        "cpu_count": os.cpu_count(),
    }
    save("load", figures)
    rows = [[kind, f["requests"], f["p50_ms"], f["p99_ms"]] for kind, f in latency.items()]
    print(table(["kind", "requests", "p50 ms", "p99 ms"], rows))
    print(f"{figures['server']}: {figures['requests']} requests in {figures['seconds']} s at concurrency "
          f"{concurrency}: {figures['throughput_rps']} req/s, {figures['errors']} errors, "
          f"RSS from a third of the way in to the end {figures['rss_third_mib']} → {figures['rss_end_mib']} MiB "
          f"({figures['rss_growth_pct']} %, peak {figures['rss_peak_mib']} MiB)")
    print(f"During imports: {during['requests']} requests, {during['commits']} commits, "
          f"{during['revisions_seen']} revisions seen, {during['errors']} errors, {during['mismatches']} mismatches")


if __name__ == "__main__":
    main()
