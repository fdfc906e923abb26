"""nginx serving a folder of static `.ics` files on a loopback port: the ceiling a calendar server can
be compared with. One worker process in the foreground, its own prefix, configuration, logs and temp
folders in a scratch directory; as `nobody` when started by root, so it never holds root's rights.

A calendar's collection path (`/bsp/es-eur-monthly/`) serves the same file as its `.ics` alias.
Debian's nginx-light is installed when nginx is missing (root only).
"""

from __future__ import annotations

import contextlib
import os
import pathlib
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator

from bench.servers import process_tree

START_TIMEOUT = 20.0

_CONFIG = """
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    keepalive_requests 10000000;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    types {{ text/calendar ics; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types text/calendar;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        etag on;
        location ~ ^(?<calendar>/.+)/$ {{ try_files $calendar.ics =404; }}
    }}
}}
"""


def executable() -> str:
    """nginx's path, installing Debian's nginx-light first when it is missing (root only)."""
    found = shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx",) if os.path.exists(p)), None)
    if found:
        return found
    if os.geteuid() != 0:
        raise RuntimeError("nginx is not installed: apt-get install nginx-light")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "nginx-light"], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    return "/usr/sbin/nginx"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Nginx:
    """A running nginx: its base URL and processes (master and worker)."""

    def __init__(self, process: subprocess.Popen[bytes], url: str) -> None:
        self.process, self.url = process, url

    def pids(self) -> list[int]:
        return process_tree(self.process.pid)


# The frame around a server block of the operator's (config/nginx-static.conf), for tests.
_FRAME = """
daemon off;
master_process on;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
{server}
}}
"""


@contextlib.contextmanager
def nginx(root: pathlib.Path, server: Callable[[int], str] | None = None) -> Iterator[Nginx]:
    """nginx serving `root` (which `nobody` must be able to read when run by root) until the block ends;
    `server(port)`, when given, is the http block's content instead (a server listening on `port`)."""
    binary = executable()
    with tempfile.TemporaryDirectory(prefix="settlecal-nginx-") as scratch:
        prefix = pathlib.Path(scratch)
        port = free_port()
        if server is None:
            text = _CONFIG.format(prefix=prefix, port=port, root=root.resolve())
        else:
            text = _FRAME.format(prefix=prefix, server=server(port))
        (prefix / "nginx.conf").write_text(text)
        user = _unprivileged()
        if user is not None:  # its logs, pid file and temp folders are then nobody's
            os.chown(prefix, user.pw_uid, user.pw_gid)
        process = subprocess.Popen(
            [binary, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-e", str(prefix / "error.log")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            user=user.pw_uid if user else None, group=user.pw_gid if user else None,
        )
        try:
            _wait_listening(port, process, prefix)
            yield Nginx(process, f"http://127.0.0.1:{port}")
        finally:
            process.terminate()  # SIGTERM: fast shutdown of master and worker
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _unprivileged() -> pwd.struct_passwd | None:
    return pwd.getpwnam("nobody") if os.geteuid() == 0 else None


def _wait_listening(port: int, process: subprocess.Popen[bytes], prefix: pathlib.Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log = (prefix / "error.log").read_text() if (prefix / "error.log").exists() else ""
            raise RuntimeError(f"nginx exited with {process.returncode}: {log}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"nginx did not listen on port {port} within {START_TIMEOUT:.0f} s")
