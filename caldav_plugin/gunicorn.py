"""gunicorn's settings for the server, shipped in the package:

    gunicorn -c python:caldav_plugin.gunicorn caldav_plugin.wsgi:application

Settings come from settlecal.conf like everywhere else ($SETTLECAL_CONFIG, …); these environment
variables size the process: SETTLECAL_BIND (127.0.0.1:5232), SETTLECAL_WORKERS (2 × cores + 1),
SETTLECAL_THREADS (4), SETTLECAL_KEEPALIVE (0 seconds, see below).

Connections: each worker holds at most pool_size + max_overflow connections to the database (and as
many to the primary when `[database] write_url` is set): workers × (pool_size + max_overflow) per
host must stay under PostgreSQL's max_connections with room for the importer (docs/deployment.md).

Readiness: under systemd (Type=notify) the unit is ready once a worker has loaded the application
(checked the database and its schema), not when the arbiter has bound its socket. A worker that
cannot start (a database at another schema, a missing one) stops the arbiter: no restart loop.

Reload (`kill -HUP`, the unit's reload): new workers start, then the old ones answer every connection
they accepted and exit. No request is lost: responses close their connection (keepalive 0; the proxy
in front keeps the clients' connections open), so no client sends a request on a connection an old
worker is about to drop; an accepted connection is answered, never parked (DrainingThreadWorker);
and one SIGTERM is enough for a worker (gunicorn repeats it, and a repeat while Python exits would
kill the worker: "Worker was sent SIGTERM!").
"""

from __future__ import annotations

import errno
import multiprocessing
import os
import signal
import socket
from typing import Any

from gunicorn.workers.gthread import TConn, ThreadWorker

bind = os.environ.get("SETTLECAL_BIND", "127.0.0.1:5232")
# Requests are short and mostly CPU (rendering is cached per revision): one worker per core, plus
# threads to overlap database round trips.
workers = int(os.environ.get("SETTLECAL_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "caldav_plugin.gunicorn.DrainingThreadWorker"
threads = int(os.environ.get("SETTLECAL_THREADS", "4"))
keepalive = int(os.environ.get("SETTLECAL_KEEPALIVE", "0"))
timeout = 60
graceful_timeout = 30
# Load the application in each worker, after the fork: database connections must not be shared.
preload_app = False
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = 20000
max_requests_jitter = 2000
# The WSGI entry writes the access log (settlecal.conf [logging]); gunicorn's own lines go through the
# same JSON formatter, so the stream holds one kind of line.
accesslog = None
errorlog = "-"
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "caldav_plugin.edge.logs.JsonLines"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}},
    # The root logger gets its handler from the application (caldav_plugin.edge.logs), in each worker.
    "root": {"level": "INFO", "handlers": []},
    "loggers": {"gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False}},
}
# Requests are small: a long request line or header block is an attack, not a client.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("SETTLECAL_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The arbiter would tell systemd it is ready as soon as it listens; a worker does, once it can serve.
_notify_socket = os.environ.pop("NOTIFY_SOCKET", None)


class DrainingThreadWorker(ThreadWorker):  # type: ignore[misc]
    """gunicorn's gthread worker (untyped, hence the ignore), except that an accepted connection goes
    to a thread at once.

    gthread parks it until its request arrives, and a worker told to stop (HUP, TERM, max_requests)
    drops what is parked: the client sees its connection closed without an answer. A connection in a
    thread is answered before the worker exits (graceful_timeout).
    """

    def accept(self, server: Any, listener: socket.socket) -> None:
        try:
            sock, client = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        self.enqueue_req(TConn(self.cfg, sock, client, server))


def post_worker_init(worker: Any) -> None:
    """In each worker, once the application is loaded: tell systemd the server can serve."""
    if _notify_socket:
        _sd_notify(_notify_socket, b"READY=1\nSTATUS=serving")


def worker_exit(server: Any, worker: Any) -> None:
    """In each worker, when it has finished its requests and is about to exit.

    The arbiter repeats SIGTERM until the worker is gone, and Python gives SIGTERM its default action
    back while it exits: a repeat would kill the worker there ("Worker was sent SIGTERM!", an ERROR).
    """
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _sd_notify(address: str, message: bytes) -> None:
    # systemd's notify protocol: one datagram on a Unix socket; "@" names an abstract one.
    target = "\0" + address[1:] if address.startswith("@") else address
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.sendto(message, target)
