"""Python clients for what wrk cannot measure: one pass over every calendar, each visited once (the
cold pass after a restart or an import), and single requests timed one by one.

Keep-alive connections from http.client, one per thread. A cold request costs the server milliseconds
to seconds, so the client's own ~0.1 ms per request does not show; warm throughput is wrk's job.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from bench.mirrors import Connection
from bench.results import Figures, percentile
from bench.wrk import Request


def once_each(base_url: str, requests: Sequence[Request], *, connections: int, cap_seconds: float,
              ) -> tuple[Figures, int]:
    """Sends each request once over `connections` connections (connection i sends requests i, i+c, …),
    stopping when `cap_seconds` have passed; returns the figures and how many requests were sent."""
    deadline = time.monotonic() + cap_seconds
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0
    lock = threading.Lock()

    def visit(offset: int) -> None:
        nonlocal failures
        connection = Connection(base_url)
        mine: list[float] = []
        seen: dict[int, int] = {}
        failed = 0
        try:
            for request in requests[offset::connections]:
                if time.monotonic() >= deadline:
                    break
                started = time.perf_counter()
                try:
                    status, _, _ = connection.request(request.method, request.path, request.body,
                                                      dict(request.headers))
                except OSError:
                    failed += 1
                    connection.close()
                    continue
                mine.append(time.perf_counter() - started)
                seen[status] = seen.get(status, 0) + 1
        finally:
            connection.close()
            with lock:
                latencies.extend(mine)
                failures += failed
                for status, count in seen.items():
                    statuses[status] = statuses.get(status, 0) + count

    started = time.perf_counter()
    threads = [threading.Thread(target=visit, args=(n,), daemon=True) for n in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    figures = Figures(requests=len(latencies), seconds=elapsed, p50_ms=percentile(latencies, 0.5) * 1000,
                      p99_ms=percentile(latencies, 0.99) * 1000, statuses=statuses, errors=failures)
    return figures, len(latencies) + failures


def timed(base_url: str, request: Request, *, times: int = 1) -> list[tuple[float, int, dict[str, str]]]:
    """(milliseconds, status, headers) of `request` sent `times` times, one after the other."""
    connection = Connection(base_url)
    answers = []
    try:
        for _ in range(times):
            started = time.perf_counter()
            status, headers, _ = connection.request(request.method, request.path, request.body,
                                                    dict(request.headers))
            answers.append(((time.perf_counter() - started) * 1000, status, headers))
    finally:
        connection.close()
    return answers
