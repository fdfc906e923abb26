"""Servers reading from a read replica: calendars from the replica, the page's sign-ups and
unsubscribes from the primary (`[database] write_url`); health says when writes would fail.

`replica` is a real streaming replica when TEST_REPLICA_URL names its server (.ci/replica starts one
and .ci/run sets it), else the same database through sessions that refuse every write as a
hot standby does (SQLSTATE 25006, read_only_sql_transaction).
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse

import pytest
from sqlalchemy import Engine, make_url, select, text

from caldav_plugin.wsgi import make_application
from settlecal import config
from settlecal.db.engine import make_engine
from settlecal.db.snapshot import reading
from settlecal.db.models import Subscriber
from settlecal.notify import subscriptions as subscribers_lib
from tests.protocol.client import WsgiClient
from tests.notify.conftest import SIGNUP_HEADERS, signup_body

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def replica(postgresql_url: str, loaded: Engine) -> str:
    """The URL of a replica of the loaded database, as its servers would read it."""
    server = os.environ.get("TEST_REPLICA_URL")
    if not server:
        return postgresql_url + "?options=" + urllib.parse.quote("-c default_transaction_read_only=on")
    url = make_url(server).set(database=make_url(postgresql_url).database).render_as_string(hide_password=False)
    deadline = time.monotonic() + 60
    while True:  # until the replica has replayed the database and its sample release
        try:
            with make_engine(url).connect() as connection:
                if connection.execute(text("SELECT count(*) FROM release")).scalar():
                    return url
        except Exception:  # noqa: BLE001  (not created on the replica yet)
            pass
        assert time.monotonic() < deadline, "the replica never caught up"
        time.sleep(0.2)


def server(database_url: str, write_url: str | None) -> WsgiClient:
    environ = {"SETTLECAL_CONFIG": "/dev/null", "SETTLECAL_DATABASE_URL": database_url,
               "SETTLECAL_PUBLIC_URL": "https://calendars.example.org"}
    if write_url:
        environ["SETTLECAL_WRITE_DATABASE_URL"] = write_url
    return WsgiClient(make_application(settings=config.load(environ=environ)))


def subscribers(engine: Engine) -> list[str]:
    with reading(engine) as session:
        return list(session.scalars(select(Subscriber.email)))


def test_sign_ups_go_to_the_primary(replica: str, postgresql_url: str, loaded: Engine) -> None:
    dav = server(replica, postgresql_url)
    assert dav.request("GET", "/bsp/es-eur-monthly.ics").status == 200
    health = json.loads(dav.request("GET", "/.web/health").body)
    assert (health["status"], health["writes"]) == ("ok", "ok")

    signed = dav.request("POST", "/.web/subscriptions", headers=SIGNUP_HEADERS,
                            body=signup_body("email=ana%40example.com&system=BSP&country=ES&lang=en"))
    assert signed.status == 200, signed.body[:500]
    assert subscribers(loaded) == ["ana@example.com"]

    [row] = subscribers_lib.listed(loaded)
    token = row.token
    assert dav.request("GET", f"/.web/subscriptions/unsubscribe?token={token}").status == 200
    gone = dav.request("POST", f"/.web/subscriptions/unsubscribe?token={token}", headers=FORM,
                       body="List-Unsubscribe=One-Click")
    assert gone.status == 200
    assert subscribers(loaded) == []


def test_without_the_primary_sign_ups_are_503_and_health_degraded(replica: str, loaded: Engine) -> None:
    dav = server(replica, None)
    assert dav.request("GET", "/bsp/es-eur-monthly.ics").status == 200
    health = dav.request("GET", "/.web/health")
    assert health.status == 200  # calendars are served: the load balancer keeps the host
    assert (json.loads(health.body)["status"], json.loads(health.body)["writes"]) == ("degraded", "read-only")

    signed = dav.request("POST", "/.web/subscriptions", headers=SIGNUP_HEADERS,
                            body=signup_body("email=bo%40example.com&lang=en"))
    assert signed.status == 503
    assert b"Traceback" not in signed.body and re.search(rb"Retry-After|try again", signed.body, re.IGNORECASE)
    assert subscribers(loaded) == []
