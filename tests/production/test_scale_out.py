"""Several server processes over one PostgreSQL database answer alike, and all see an import at once:
`settlecal serve` (waitress) beside gunicorn with two workers, as a load balancer would mix them."""

from __future__ import annotations

import hashlib

import requests
from sqlalchemy import Engine

from bench.servers import gunicorn, settlecal_serve
from tests.conftest import SAMPLES, Settlecal
from tests.protocol.client import propfind, sync_collection

PATHS = ["/bsp/es-eur-monthly/", "/bsp/es-eur-monthly.ics", "/cass/es-eur-twice-monthly.ics",
         "/bsp/za-zar-weekly/", "/bsp/es-eur-monthly/2026-01-4-remittance.ics"]


def snapshot(base: str) -> dict[str, tuple[int, str | None, str, str | None]]:
    """(status, ETag, sha256 of the body, revision) per request, as one client would see them."""
    seen = {}
    with requests.Session() as session:
        for path in PATHS:
            answer = session.get(base + path, headers={"Accept-Encoding": "identity"}, timeout=30)
            seen[f"GET {path}"] = (answer.status_code, answer.headers.get("ETag"),
                                   hashlib.sha256(answer.content).hexdigest(),
                                   answer.headers.get("X-Settlecal-Revision"))
        for name, method, path, body, depth in (
            ("PROPFIND", "PROPFIND", "/bsp/", propfind("D:displayname", "CS:getctag"), "1"),
            ("PROPFIND", "PROPFIND", "/bsp/es-eur-monthly/", propfind("D:getetag", "D:sync-token"), "1"),
            ("SYNC", "REPORT", "/bsp/es-eur-monthly/", sync_collection(), "1"),
        ):
            answer = session.request(method, base + path, data=body, timeout=30, auth=("bsp", "x"),
                                     headers={"Depth": depth, "Content-Type": "application/xml",
                                              "Accept-Encoding": "identity"})
            seen[f"{name} {path}"] = (answer.status_code, None, hashlib.sha256(answer.content).hexdigest(),
                                      answer.headers.get("X-Settlecal-Revision"))
    return seen


def test_two_servers_on_one_postgresql_database(postgresql_url: str, loaded: Engine) -> None:
    with settlecal_serve(postgresql_url) as one, gunicorn(postgresql_url, workers=2) as two:
        before = snapshot(one.url)
        assert all(status in (200, 207) for status, *_ in before.values()), before
        assert {revision for *_, revision in before.values()} == {"1"}
        for _ in range(3):  # several requests, so both gunicorn workers answer some
            assert snapshot(two.url) == before, (one.log[-2000:], two.log[-2000:])

        result = Settlecal(postgresql_url)("import", SAMPLES / "amendment.csv")
        assert result.exit_code == 0, result.output

        after = snapshot(one.url)
        assert {revision for *_, revision in after.values()} == {"2"}
        assert snapshot(two.url) == after, (one.log[-2000:], two.log[-2000:])
        assert after["GET /bsp/es-eur-monthly.ics"][1] != before["GET /bsp/es-eur-monthly.ics"][1]
        assert after["GET /bsp/za-zar-weekly/"][1] == before["GET /bsp/za-zar-weekly/"][1]  # untouched
        assert after["SYNC /bsp/es-eur-monthly/"] != before["SYNC /bsp/es-eur-monthly/"]
