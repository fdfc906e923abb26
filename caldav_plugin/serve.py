"""`settlecal serve`: the WSGI entry (Radicale, the plugin, the web page) under waitress.

Radicale's own server cannot host the WSGI entry that answers conditional GETs and refuses writes,
speaks HTTP/1.0 only and takes eight connections at most; waitress is a small, pure-Python,
production-grade WSGI server with HTTP/1.1 keep-alive and a thread pool, on every platform.
For several processes use gunicorn (`gunicorn -c python:caldav_plugin.gunicorn`).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

import waitress
from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.task import WSGITask

from caldav_plugin.edge import logs
from caldav_plugin.edge.startup import check_database
from caldav_plugin.wsgi import make_application
from settlecal.config import Settings

DEFAULT_THREADS = 8


class _KeepAliveTask(WSGITask):  # type: ignore[misc]  # waitress ships no type hints
    """waitress 3 closes the connection after every 304 (and 204): it drops their Content-Length, as
    HTTP requires, then closes any HTTP/1.1 response without one. A response without a body ends with
    its headers, so the connection can serve the subscriber's next request; this keeps it open."""

    def build_response_header(self) -> bytes:
        closing: bool = self.close_on_finish  # type: ignore[has-type]
        built: bytes = super().build_response_header()
        if (self.has_body or closing or self.version != "1.1"
                or self.request.headers.get("CONNECTION", "").lower() == "close"):
            return built
        self.close_on_finish = False
        headers: list[tuple[str, str]] = self.response_headers  # type: ignore[has-type]
        self.response_headers = [header for header in headers if header != ("Connection", "close")]
        # As waitress writes them: the status line, then the headers sorted by name (stable).
        lines = [f"HTTP/{self.version} {self.status}"]
        lines += ["%s: %s" % header for header in sorted(self.response_headers, key=lambda header: header[0])]
        return ("%s\r\n\r\n" % "\r\n".join(lines)).encode("latin-1")


class _KeepAliveChannel(HTTPChannel):  # type: ignore[misc]
    task_class = _KeepAliveTask


def _keep_alive(server: object) -> None:
    server.channel_class = _KeepAliveChannel  # type: ignore[attr-defined]


def serve(settings: Settings, host: str, port: int, *, threads: int = DEFAULT_THREADS,
          announce: Callable[[str], None] = print) -> None:
    """Serves the calendars of the configured database on host:port until interrupted.

    Refuses to start on a database that is missing or at another schema (DatabaseMissing,
    SchemaNotCurrent, …); starts on one it cannot reach, and answers 503 until it can. Port 0 picks a
    free port. Once the socket listens, `announce` gets the URL (a line tests and scripts can wait for
    instead of polling).
    """
    logs.configure(settings)
    check_database(settings)
    application = make_application(settings=settings)
    # waitress buffers a whole body before the application sees it: refuse big ones as early. It keeps
    # X-Forwarded-For only when proxies are trusted; the access log then decides whom to believe.
    server = waitress.create_server(application, host=host, port=port, threads=threads,
                                    ident="settlecal", clear_untrusted_proxy_headers=not settings.trusted_proxies,
                                    max_request_body_size=application.edge.max_body)
    _keep_alive(server)
    bound_host, bound_port = server.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in str(bound_host) else bound_host
    announce(f"Serving settlement calendars on http://{shown}:{bound_port}/")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


@contextlib.contextmanager
def serving(application: Callable[..., object], *, threads: int = 4) -> Iterator[str]:
    """Serves a WSGI application on a free loopback port in a thread; yields its base URL.

    For tests and scripts: `create_server` listens before it returns, so the URL answers at once,
    and the server stops, closing every socket, when the block ends.
    """
    server = waitress.create_server(application, host="127.0.0.1", port=0, threads=threads)
    _keep_alive(server)
    host, port = server.getsockname()[:2]
    stop = threading.Event()

    def run() -> None:
        # waitress's own run() loops until its socket map is empty; this one stops when told and
        # closes every socket in the loop's own thread.
        while not stop.is_set():
            wasyncore.loop(timeout=0.05, map=server._map, count=1)
        wasyncore.close_all(server._map)

    thread = threading.Thread(target=run, name="settlecal-server", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{port}"
    finally:
        stop.set()
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()
        if thread.is_alive():
            raise RuntimeError("the server thread did not stop")
