"""The API over a real socket (waitress + the WSGI entry), as a back office's HTTP client sees it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from caldav_plugin.serve import serving
from caldav_plugin.wsgi import Application
from tests.api.conftest import API


@pytest.fixture(scope="module")
def server(api_application: Application) -> Iterator[str]:
    with serving(api_application) as url:
        yield url


def test_a_client_pages_through_gzipped_answers_and_revalidates(server: str) -> None:
    with requests.Session() as session:
        answer = session.get(f"{server}{API}/key-dates", params={"country": "ES", "limit": 200}, timeout=30)
        pages = [answer]
        while "next" in answer.links:
            answer = session.get(answer.links["next"]["url"], timeout=30)
            pages.append(answer)
        again = session.get(f"{server}{API}/key-dates", params={"country": "ES", "limit": 200}, timeout=30,
                            headers={"If-None-Match": pages[0].headers["ETag"]})

    assert [page.status_code for page in pages] == [200] * 3
    assert pages[0].headers["Content-Encoding"] == "gzip"
    assert sum(len(page.json()["key_dates"]) for page in pages) == 262 + 336
    assert again.status_code == 304 and again.content == b""


def test_a_browser_preflight_then_a_read(server: str) -> None:
    origin = {"Origin": "https://backoffice.example"}
    preflight = requests.options(f"{server}{API}/calendars", timeout=30, headers={
        **origin, "Access-Control-Request-Method": "GET", "Access-Control-Request-Headers": "If-None-Match"})
    answer = requests.get(f"{server}{API}/calendars", headers=origin, timeout=30)

    assert preflight.status_code == 204 and preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.headers["X-Settlecal-Revision"] == str(answer.json()["revision"])
