"""Server processes for the benchmarks and the production tests: `settlecal serve` (waitress), gunicorn
and stock Radicale, each on a port the OS picks on loopback, with their log lines kept for inspection."""

from __future__ import annotations

import contextlib
import os
import pathlib
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping

ROOT = pathlib.Path(__file__).resolve().parents[1]

START_TIMEOUT = 60.0


class Server:
    """A running server: its base URL and the lines it has logged so far."""

    def __init__(self, process: subprocess.Popen[str], pattern: str) -> None:
        self.process = process
        self.lines: list[str] = []
        self.url = ""
        found = threading.Event()
        regex = re.compile(pattern)

        def read() -> None:
            assert process.stderr is not None
            for line in process.stderr:
                self.lines.append(line)
                match = regex.search(line)
                if match and not found.is_set():
                    self.url = match.group(1)
                    found.set()
            found.set()

        self._reader = threading.Thread(target=read, daemon=True)
        self._reader.start()
        if not found.wait(START_TIMEOUT) or not self.url:
            self.stop()
            raise RuntimeError("server did not start:\n" + "".join(self.lines[-40:]))

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def pids(self) -> list[int]:
        """The server's process and its children (gunicorn's workers)."""
        return process_tree(self.process.pid)

    def rss_bytes(self) -> int:
        """Resident memory of the server's processes, summed (Linux /proc)."""
        total = 0
        for pid in self.pids():
            try:
                status = pathlib.Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            for line in status.splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        return total

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM if "gunicorn" in str(self.process.args) else signal.SIGINT)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._reader.join(timeout=5)


def process_tree(pid: int) -> list[int]:
    """`pid` and its children (Linux /proc)."""
    try:
        children = pathlib.Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return [pid]
    return [pid] + [int(child) for child in children.split()]


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.update(extra or {})
    return env


@contextlib.contextmanager
def settlecal_serve(database_url: str, *, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """`settlecal --database URL serve --port 0` (waitress)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "importer", "--database", database_url, "serve", "--host", "127.0.0.1",
         "--port", "0"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env(env),
    )
    server = Server(process, r"Serving settlement calendars on (http://\S+)/")
    try:
        yield server
    finally:
        server.stop()


# Stock Radicale 3.9 over a multifilesystem folder, under the same WSGI server and threads as
# `settlecal serve`, with the shipped rights (read only) and logging at warning. Without fsync: its
# item cache is rebuilt from the items anyway, and an fsync per cached item would measure the disk.
_STOCK_RADICALE = """
import sys, waitress, radicale
from radicale import config
configuration = config.load([])
configuration.update({"storage": {"filesystem_folder": sys.argv[1], "_filesystem_fsync": "False"},
                      "auth": {"type": "none", "delay": "0"}, "logging": {"level": "warning"},
                      "rights": {"type": "from_file", "file": sys.argv[2]}}, "bench", privileged=True)
server = waitress.create_server(radicale.Application(configuration), host="127.0.0.1", port=0, threads=8)
print("Serving stock Radicale on http://127.0.0.1:%s/" % server.getsockname()[1], file=sys.stderr, flush=True)
server.run()
"""


@contextlib.contextmanager
def stock_radicale(folder: pathlib.Path) -> Iterator[Server]:
    """Stock Radicale (no plugin) serving the multifilesystem tree in `folder`."""
    process = subprocess.Popen(
        [sys.executable, "-c", _STOCK_RADICALE, str(folder), str(ROOT / "config" / "rights")],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env(None),
    )
    server = Server(process, r"Serving stock Radicale on (http://\S+)/")
    try:
        yield server
    finally:
        server.stop()


@contextlib.contextmanager
def gunicorn(database_url: str, *, workers: int = 2, env: Mapping[str, str] | None = None) -> Iterator[Server]:
    """gunicorn with config/gunicorn.conf.py, `workers` processes, on a free loopback port."""
    settings = {"SETTLECAL_DATABASE_URL": database_url, "SETTLECAL_BIND": "127.0.0.1:0",
                "SETTLECAL_WORKERS": str(workers), **(env or {})}
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "config" / "gunicorn.conf.py"),
         "caldav_plugin.wsgi:application"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=_env(settings),
    )
    server = Server(process, r"Listening at: (http://[\d.]+:\d+)")
    try:
        booted = time.monotonic() + START_TIMEOUT
        while server.log.count("Booting worker") < workers and time.monotonic() < booted:
            time.sleep(0.05)
        yield server
    finally:
        server.stop()
