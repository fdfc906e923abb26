"""The servers the round-robin benchmark compares, each started anew for each cold pass, pinned to the
server's core, and what a client learns from its first visit of every calendar.

- settlecal under waitress (`settlecal serve`) and under gunicorn with N gthread workers;
- stock Radicale 3.9 over a multifilesystem copy of the same events. Its item cache lives on disk
  (`.Radicale.cache/item` in each collection): "cold" moves it aside, as if an import had rewritten
  every item, and puts it back after the cold pass, so that warm runs need no second warm-up (its
  sync tokens, in `.Radicale.cache/sync-token`, stay);
- nginx serving the same `.ics` bytes as static files.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import pathlib
import re
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import ContextManager, Protocol

from bench.mirrors import Calendar, Connection
from bench.nginx import nginx
from bench.scenarios import SYNC, XML, Kind, Learned, whole_calendar
from bench.servers import gunicorn, settlecal_serve, stock_radicale


class Running(Protocol):
    url: str

    def pids(self) -> list[int]: ...


@dataclasses.dataclass(frozen=True)
class Contender:
    name: str
    kind: Kind
    calendars: Sequence[Calendar]
    start: Callable[[], ContextManager[Running]]
    concurrencies: tuple[int, ...] = (1, 8)
    radicale_folder: pathlib.Path | None = None
    answers_like: str | None = None  # another contender over the same data: its first visit serves

    @property
    def caches_in_memory(self) -> bool:
        """Whether a restart forgets what was served (settlecal's render cache); Radicale's item cache
        is on disk and nginx has none but the operating system's."""
        return self.kind is Kind.SETTLECAL

    @contextlib.contextmanager
    def cold(self) -> Iterator[None]:
        """The block's first visit of each calendar is cold: no cache but the operating system's."""
        if self.radicale_folder is None:
            yield
            return
        caches = sorted(self.radicale_folder.glob("collection-root/*/*/.Radicale.cache"))
        for cache in caches:
            if (cache / "item").exists():
                (cache / "item").rename(cache / "item.warm")
        try:
            yield
        finally:
            for cache in caches:
                shutil.rmtree(cache / "item", ignore_errors=True)
                if (cache / "item.warm").exists():
                    (cache / "item.warm").rename(cache / "item")


def settlecal_waitress(database_url: str, calendars: Sequence[Calendar], env: Mapping[str, str]) -> Contender:
    return Contender("settlecal (waitress)", Kind.SETTLECAL, calendars,
                     lambda: settlecal_serve(database_url, env=env))


def settlecal_gunicorn(database_url: str, calendars: Sequence[Calendar], env: Mapping[str, str],
                       workers: int) -> Contender:
    return Contender(f"settlecal (gunicorn, {workers} workers)", Kind.SETTLECAL, calendars,
                     lambda: gunicorn(database_url, workers=workers, env=env), concurrencies=(8,),
                     answers_like="settlecal (waitress)")


def radicale(folder: pathlib.Path, calendars: Sequence[Calendar]) -> Contender:
    return Contender("stock Radicale 3.9", Kind.RADICALE, calendars, lambda: stock_radicale(folder),
                     radicale_folder=folder)


def static(root: pathlib.Path, calendars: Sequence[Calendar]) -> Contender:
    return Contender("nginx (static .ics)", Kind.NGINX, calendars, lambda: nginx(root))


def pin(server: Running, cpus: set[int] | None) -> None:
    """Every thread of the server's processes onto `cpus` (threads started later inherit it)."""
    if not cpus:
        return
    for pid in server.pids():
        for task in pathlib.Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(ProcessLookupError):
                os.sched_setaffinity(int(task.name), cpus)


def peak_rss_bytes(server: Running) -> int:
    """The peak resident memory (VmHWM) of the server's processes, summed."""
    total = 0
    for pid in server.pids():
        with contextlib.suppress(OSError):
            found = re.search(r"VmHWM:\s+(\d+) kB", pathlib.Path(f"/proc/{pid}/status").read_text())
            total += int(found.group(1)) * 1024 if found else 0
    return total


def warm_process(server: Running) -> None:
    """One request that touches no calendar: imports and first connections are not a calendar's cost."""
    connection = Connection(server.url)
    try:
        connection.request("OPTIONS", "/")
    finally:
        connection.close()


@dataclasses.dataclass(frozen=True)
class FirstVisit:
    """The first visit of every calendar since the server started: what was learned, how long it took."""

    learned: Learned
    seconds: float
    milliseconds: list[float]


def first_visit(server: Running, contender: Contender) -> FirstVisit:
    """Downloads every calendar once (its ETag) and, on CalDAV servers, syncs it once (its token)."""
    connection = Connection(server.url)
    etags, tokens, milliseconds = {}, {}, []
    started = time.perf_counter()
    try:
        for calendar in contender.calendars:
            began = time.perf_counter()
            status, headers, _ = connection.request("GET", whole_calendar(contender.kind, calendar))
            milliseconds.append((time.perf_counter() - began) * 1000)
            assert status == 200 and "etag" in headers, (contender.name, calendar.path, status)
            etags[calendar.path] = headers["etag"]
        seconds = time.perf_counter() - started
        if contender.kind is not Kind.NGINX:
            for calendar in contender.calendars:
                status, _, body = connection.request("REPORT", calendar.path, SYNC.format(token=""),
                                                     {"Depth": "1", **XML})
                token = re.search(rb"<(?:\w+:)?sync-token>([^<]+)</", body)
                assert status == 207 and token, (contender.name, calendar.path, status)
                tokens[calendar.path] = token.group(1).decode()
    finally:
        connection.close()
    return FirstVisit(Learned(etags, tokens), seconds, milliseconds)
