"""Load from wrk (a C HTTP/1.1 load generator, Debian package `wrk`) cycling through a list of requests.

Each wrk thread (one per client core) sends the list round-robin over its keep-alive connections,
starting at its own offset (of t threads, thread i sends requests i, i+t, i+2t, …), so together they
visit every path in turn as a population of subscribers does. A Lua script generated per run carries
the requests (method, path, headers such as a per-path If-None-Match, body) and prints one JSON line
of figures from wrk's own latency histogram.

The script defines no response() hook: with one, wrk copies every body into Lua, which for 150 KiB
calendars costs most of what wrk can drive against nginx. So wrk only counts answers outside
2xx/3xx (as errors); the statuses themselves come from the cold pass, which sends the same
requests (bench/visits.py).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping, Sequence

from bench.results import Figures

_MARK = "WRK-FIGURES "

_SCRIPT = """
local requests = %(requests)s
local counter = 0

function setup(thread)
  thread:set("offset", counter)
  counter = counter + 1
end

function init(args)
  stride = tonumber(args[1])
  formatted = {}
  for k, r in ipairs(requests) do formatted[k] = wrk.format(r[1], r[2], r[3], r[4]) end
  position = offset
end

function request()
  local r = formatted[(position %% #formatted) + 1]
  position = position + stride
  return r
end

function done(summary, latency, requests_)
  local e = summary.errors
  io.write(string.format(
    '%(mark)s{"requests": %%d, "duration_us": %%d, "bytes": %%d, "p50_us": %%d, "p99_us": %%d,'
    .. ' "mean_us": %%f, "max_us": %%d, "errors": {"connect": %%d, "read": %%d,'
    .. ' "write": %%d, "status": %%d, "timeout": %%d}}\\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    latency.mean, latency.max, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    headers: Mapping[str, str] = dataclasses.field(default_factory=dict)
    body: str = ""


def available() -> bool:
    return shutil.which("wrk") is not None


def run(base_url: str, requests: Sequence[Request], *, connections: int, seconds: float,
        cpus: set[int] | None = None, timeout: float = 30.0) -> Figures:
    """wrk against `base_url` for `seconds` over `connections` keep-alive connections, pinned to `cpus`."""
    if not requests:
        raise ValueError("no requests to send")
    if not available():
        raise RuntimeError("wrk is not installed: make bench-tools (apt-get install wrk)")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="settlecal-wrk-", delete=False) as script:
        script.write(_SCRIPT % {"requests": _lua_table(requests), "mark": _MARK})
    # One wrk thread per client core: more threads on one core only add context switches.
    threads = max(1, min(connections, len(cpus) if cpus else os.cpu_count() or 1))
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
               "--timeout", f"{timeout:.0f}s", "-s", script.name, base_url, "--", str(threads)]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + timeout + 60,
                                preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None)
    finally:
        os.unlink(script.name)
    line = next((line for line in result.stdout.splitlines() if line.startswith(_MARK)), None)
    if result.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr or result.stdout}")
    raw = json.loads(line.removeprefix(_MARK))
    errors = raw["errors"]
    return Figures(
        requests=raw["requests"], seconds=raw["duration_us"] / 1e6,
        p50_ms=raw["p50_us"] / 1000, p99_ms=raw["p99_us"] / 1000,
        statuses={},
        errors=errors["connect"] + errors["read"] + errors["write"] + errors["timeout"] + errors["status"],
    )


def _lua_table(requests: Sequence[Request]) -> str:
    return "{\n" + ",\n".join(
        "{%s, %s, {%s}, %s}" % (_lua_string(r.method), _lua_string(r.path),
                                ", ".join(f"[ {_lua_string(k)} ] = {_lua_string(v)}" for k, v in r.headers.items()),
                                _lua_string(r.body) if r.body else "nil")
        for r in requests) + "\n}"


def _lua_string(value: str) -> str:
    # A long bracket string needs no escaping; pick a level no `]=…=]` in the value closes early.
    level = 0
    while f"]{'=' * level}]" in value:
        level += 1
    return f"[{'=' * level}[{value}]{'=' * level}]"
