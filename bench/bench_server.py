"""Server benchmark: the plugin against stock Radicale 3.9 on the same calendars, in one run.

One synthetic release (every operation of the catalogue, BENCH_YEARS, default 2026–2028) is imported
into SQLite; the same events, rendered by the plugin, are written as .ics items into a Radicale
multifilesystem folder. Both applications run under the same WSGI server (waitress, HTTP/1.1
keep-alive) in their own processes, with the same rights and logging at warning, and one client
measures each request kind on both. Targets (the issue): warm GET of a whole collection ≥ 5×,
cold first GET of a weekly calendar ≤ 50 ms, time-range REPORT and incremental sync ≥ 10×,
PROPFIND Depth 1 on /bsp/ ≤ 100 ms, conditional GET ≥ 20× a full GET, peak RSS ≤ 200 MB.
"""

from __future__ import annotations

import http.client
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from bench.results import save, table
from bench.synthetic import generate_release
from settlecal.formats import ical as render
from settlecal.db import queries
from settlecal.db.engine import make_engine
from settlecal.db.snapshot import reading
from settlecal.db.schema import upgrade

ROOT = pathlib.Path(__file__).resolve().parents[1]
# Three years: stock Radicale's cold GET of a weekly calendar then costs what the issue quotes (~1.9 s).
YEARS = [int(y) for y in os.environ.get("BENCH_YEARS", "2026 2027 2028").split()]
SECONDS = float(os.environ.get("BENCH_SECONDS", "1.5"))  # per measurement and server
WEEKLY = "/bsp/za-zar-weekly/"

STOCK = """
import sys, waitress, radicale
from radicale import config
configuration = config.load([])
configuration.update({"storage": {"filesystem_folder": sys.argv[1]}, "auth": {"type": "none", "delay": "0"},
                      "rights": {"type": "from_file", "file": sys.argv[2]}, "logging": {"level": "warning"}},
                     "bench", privileged=True)
server = waitress.create_server(radicale.Application(configuration), host="127.0.0.1", port=0, threads=8)
print("Serving on http://127.0.0.1:%s/" % server.getsockname()[1], file=sys.stderr, flush=True)
server.run()
"""
PROPFIND_ETAGS = ('<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">'
                  "<D:prop><D:getetag/><CS:getctag/></D:prop></D:propfind>")
MONTH_QUERY = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
               "<D:prop><D:getetag/><C:calendar-data/></D:prop><C:filter><C:comp-filter name=\"VCALENDAR\">"
               '<C:comp-filter name="VEVENT"><C:time-range start="20260301T000000Z" end="20260401T000000Z"/>'
               "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>")
SYNC = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{}</D:sync-token>'
        "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>")


def build(workdir: pathlib.Path) -> tuple[str, pathlib.Path, int]:
    """The database URL, the stock collection folder, and the number of key dates."""
    release = workdir / "release.csv"
    with release.open("w", newline="", encoding="utf-8") as fp:
        stats = generate_release(fp, years=YEARS, seed=1)
    url = f"sqlite:///{workdir / 'settlecal.sqlite3'}"
    subprocess.run([sys.executable, "-m", "importer", "--database", url, "import", str(release)],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    folder = workdir / "radicale"
    engine = make_engine(url)
    upgrade(engine)
    with reading(engine) as session:
        for state in queries.calendar_states(session):
            collection = folder / "collection-root" / state.key.path
            collection.mkdir(parents=True)
            meta = {k: v for k, v in render.collection_meta(state.key).items()}
            (collection / ".Radicale.props").write_text(json.dumps(meta), encoding="utf-8")
            for row in queries.events(session, state.id):
                event = render.render_event(state.key, row)
                (collection / event.name).write_text(event.text, encoding="utf-8", newline="")
    return url, folder, stats.key_dates


@contextmanager
def server(command: list[str], env: dict[str, str] | None = None) -> Iterator[tuple[str, int, int]]:
    """Starts a server process; yields (host, port, pid) once it announced its URL."""
    process = subprocess.Popen(command, cwd=ROOT, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                               env={**os.environ, **(env or {})})
    assert process.stderr is not None
    try:
        for line in process.stderr:
            found = re.search(r"on http://([\d.]+):(\d+)/", line)
            if found:
                threading.Thread(target=process.stderr.read, daemon=True).start()
                yield found.group(1), int(found.group(2)), process.pid
                return
        raise RuntimeError(f"server exited with {process.wait()}")
    finally:
        process.terminate()
        process.wait(timeout=30)


class Client:
    def __init__(self, host: str, port: int) -> None:
        # Stock Radicale's first PROPFIND of /bsp/ parses every BSP item: minutes, not seconds.
        self.connection = http.client.HTTPConnection(host, port, timeout=1800)

    def __call__(self, method: str, path: str, body: str = "", **headers: str) -> tuple[int, dict[str, str], bytes]:
        sent = {"Depth": "1", **{k.replace("_", "-"): v for k, v in headers.items()}} if body else {
            k.replace("_", "-"): v for k, v in headers.items()}
        if body:
            sent.setdefault("Content-Type", "application/xml")
        self.connection.request(method, path, body=body.encode() or None, headers=sent)
        answer = self.connection.getresponse()
        data = answer.read()
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, data


def rate(call: Callable[[], Any], minimum: int = 3) -> float:
    """Requests a second, over about SECONDS (at least `minimum` requests)."""
    count, start = 0, time.perf_counter()
    while count < minimum or time.perf_counter() - start < SECONDS:
        call()
        count += 1
    return count / (time.perf_counter() - start)


def timed(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) * 1000


def peak_rss_mb(pid: int) -> float:
    status = pathlib.Path(f"/proc/{pid}/status").read_text()
    return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024  # type: ignore[union-attr]


def measure(client: Client, calendars: list[str]) -> dict[str, float]:
    figures: dict[str, float] = {}
    # Warm the process (imports, first connection) on another calendar: "cold" is the calendar's.
    client("GET", "/bsp/es-eur-monthly/")
    figures["cold_get_weekly_ms"] = timed(lambda: client("GET", WEEKLY))
    figures["warm_get_per_s"] = rate(lambda: client("GET", WEEKLY))
    etag = client("GET", WEEKLY)[1]["etag"]
    status = client("GET", WEEKLY, If_None_Match=etag)[0]
    figures["conditional_status"] = status
    figures["conditional_get_per_s"] = rate(lambda: client("GET", WEEKLY, If_None_Match=etag))
    figures["report_month_per_s"] = rate(lambda: client("REPORT", WEEKLY, MONTH_QUERY))
    body = client("REPORT", WEEKLY, SYNC.format(""))[2].decode()
    token = re.search(r"<sync-token>([^<]+)</sync-token>", body).group(1)  # type: ignore[union-attr]
    figures["sync_incremental_per_s"] = rate(lambda: client("REPORT", WEEKLY, SYNC.format(token)))
    # Warm (stock Radicale builds its item caches on the first one), then the best of three.
    figures["propfind_bsp_first_ms"] = timed(lambda: client("PROPFIND", "/bsp/", PROPFIND_ETAGS))
    figures["propfind_bsp_ms"] = min(timed(lambda: client("PROPFIND", "/bsp/", PROPFIND_ETAGS)) for _ in range(3))
    for path in calendars:  # every calendar once: the whole catalogue passes through the server
        client("GET", path)
    return figures


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="settlecal-bench-") as tmp:
        workdir = pathlib.Path(tmp)
        print(f"building {YEARS} catalogue …", flush=True)
        url, folder, key_dates = build(workdir)
        with reading(make_engine(url)) as session:
            calendars = [f"/{state.key.path}/" for state in queries.calendar_states(session)]
        config = (ROOT / "config" / "radicale.conf").read_text().replace("level = info", "level = warning")
        config = config.replace("file = rights", f"file = {ROOT / 'config' / 'rights'}")
        (workdir / "radicale.conf").write_text(config)
        ours_command = [sys.executable, "-m", "importer", "--database", url, "serve", "--port", "0"]
        with server(ours_command, {"RADICALE_CONFIG": str(workdir / "radicale.conf")}) as (host, port, pid):
            ours = measure(Client(host, port), calendars)
            ours["peak_rss_mb"] = peak_rss_mb(pid)
        stock_command = [sys.executable, "-c", STOCK, str(folder), str(ROOT / "config" / "rights")]
        with server(stock_command) as (host, port, pid):
            stock = measure(Client(host, port), [])
            stock["peak_rss_mb"] = peak_rss_mb(pid)
    rows = [
        ("warm GET of a weekly collection (req/s)", ours["warm_get_per_s"], stock["warm_get_per_s"], "≥ 5×"),
        ("cold first GET of a weekly calendar (ms)", ours["cold_get_weekly_ms"], stock["cold_get_weekly_ms"], "≤ 50 ms"),
        ("time-range REPORT, one month (req/s)", ours["report_month_per_s"], stock["report_month_per_s"], "≥ 10×"),
        ("incremental sync-collection (req/s)", ours["sync_incremental_per_s"], stock["sync_incremental_per_s"], "≥ 10×"),
        ("PROPFIND Depth 1 on /bsp/ (ms)", ours["propfind_bsp_ms"], stock["propfind_bsp_ms"], "≤ 100 ms"),
        ("conditional GET (req/s; stock sends 200)", ours["conditional_get_per_s"], stock["conditional_get_per_s"], "≥ 20×"),
        ("peak RSS after every calendar (MB)", ours["peak_rss_mb"], stock["peak_rss_mb"], "≤ 200 MB"),
    ]
    printed = [(name, a, b, _ratio(name, a, b), target) for name, a, b, target in rows]
    conditional_vs_full = ours["conditional_get_per_s"] / ours["warm_get_per_s"]
    print(f"{key_dates} key dates in {len(calendars)} calendars, years {YEARS}")
    print(table(("measure", "settlecal", "stock Radicale", "ratio", "target"), printed))
    print(f"conditional GET vs our own full GET: {conditional_vs_full:.1f}×; "
          f"vs stock full GET: {ours['conditional_get_per_s'] / stock['warm_get_per_s']:.0f}×")
    path = save("server", {"key_dates": key_dates, "calendars": len(calendars), "years": YEARS,
                           "settlecal": ours, "stock_radicale": stock,
                           "conditional_vs_own_full_get": conditional_vs_full})
    print(f"results: {path.relative_to(ROOT)}")


def _ratio(name: str, ours: float, stock: float) -> str:
    better = stock / ours if name.endswith("(ms)") or name.endswith("(MB)") else ours / stock
    return f"{better:.1f}×"


if __name__ == "__main__":
    main()
