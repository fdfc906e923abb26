"""Production example: gunicorn serving caldav_plugin.wsgi:application with several workers.

    pip install gunicorn
    export SETTLECAL_DATABASE_URL=postgresql://settlecal@db/settlecal
    export RADICALE_CONFIG=/etc/settlecal/radicale.conf
    gunicorn -c config/gunicorn.conf.py caldav_plugin.wsgi:application

The server is stateless over the database: scale with workers here and with hosts behind a load
balancer. Each worker keeps its own render cache ([storage] cache_size MiB), so memory is roughly
workers × (cache_size + 60 MiB). Put TLS in the proxy in front of gunicorn. Request bodies over
[server] max_content_length get 413 from the WSGI entry itself, before they are read.

The access log is the WSGI entry's (JSON lines with the served revision, $SETTLECAL_ACCESS_LOG:
stderr by default, a file path, or "off"), so gunicorn's own is off.
"""

import multiprocessing
import os

bind = os.environ.get("SETTLECAL_BIND", "127.0.0.1:5232")
# Requests are short and mostly CPU (rendering is cached per revision): one worker per core, plus
# threads to overlap database round trips.
workers = int(os.environ.get("SETTLECAL_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "gthread"
threads = int(os.environ.get("SETTLECAL_THREADS", "4"))
# CalDAV clients reuse connections.
keepalive = 30
timeout = 60
graceful_timeout = 30
# Load the application in each worker, after the fork: database connections must not be shared.
preload_app = False
# Recycle workers now and then so that a slow leak can never grow without bound.
max_requests = 20000
max_requests_jitter = 2000
accesslog = None
errorlog = "-"
# Requests are small: a long request line or header block is an attack, not a client.
limit_request_line = 8190
limit_request_fields = 100
limit_request_field_size = 8190
forwarded_allow_ips = os.environ.get("SETTLECAL_FORWARDED_ALLOW_IPS", "127.0.0.1")
