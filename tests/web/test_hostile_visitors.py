"""Issue 13, the page's rows: a live server (waitress + the WSGI entry) probed as an anonymous attacker
would: absurd parameters, costly downloads all at once, forged proxy headers, missing browser headers."""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Iterator

import pytest
import requests

from caldav_plugin.cache import FeedCache
from caldav_plugin.edge.security_headers import CONTENT_SECURITY_POLICY
from caldav_plugin.serve import serving
from caldav_plugin.web import limits
from tests.web.conftest import pinned_application


@pytest.fixture
def trusted_server(live_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A live server that trusts the loopback proxy in front of it."""
    monkeypatch.setenv("SETTLECAL_CONFIG", "/dev/null")
    monkeypatch.setenv("SETTLECAL_TRUSTED_PROXIES", "127.0.0.1")
    with serving(pinned_application(live_database)) as url:
        yield url


@pytest.fixture
def public_server(live_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("SETTLECAL_CONFIG", "/dev/null")
    monkeypatch.setenv("SETTLECAL_PUBLIC_URL", "https://calendars.example.org")
    with serving(pinned_application(live_database)) as url:
        yield url


# Medium: parameters out of range were answered 500 after a second of work.

@pytest.mark.parametrize(("path", "status"), [
    ("/.web/?month=9999-12", 400),
    ("/.web/?month=0000-01", 400),
    ("/.web/?from=0001-01-01&to=9999-12-31", 400),
    ("/.web/releases/9223372036854775808", 404),
    ("/.web/releases/" + "9" * 4000, 404),
    ("/.web/feed.ics?month=9999-12", 400),
    ("/.web/download.csv?from=0001-01-01&to=9999-12-31", 400),
    ("/.web/download.pdf?from=2000-01-01&to=2030-12-31", 400),
    ("/.web/download.pdf?country=Narnia", 400),
])
def test_parameters_out_of_range_get_a_4xx_at_once(live_server: str, path: str, status: int) -> None:
    started = time.perf_counter()
    answer = requests.get(live_server + path, timeout=30)

    assert answer.status_code == status
    assert time.perf_counter() - started < 2
    assert "Traceback" not in answer.text


# Medium: a PDF of everything cost seconds; eight at once starved /.web/health; HEAD rendered.

def test_head_of_a_download_or_a_feed_renders_nothing(live_server: str) -> None:
    """With every render slot taken, a HEAD still answers: it needs none."""
    with limits.expensive(), limits.expensive():
        heads = [requests.head(f"{live_server}/.web/{page}", timeout=10)
                 for page in ("download.pdf?country=ES", "download.csv?country=ES", "feed.ics?country=DE",
                              "changes.atom?country=FR")]
        busy = requests.get(f"{live_server}/.web/download.pdf?country=ES", timeout=10)

    assert [head.status_code for head in heads] == [200, 200, 200, 200]
    assert heads[0].headers["Content-Type"] == "application/pdf"
    assert busy.status_code == 503 and busy.headers["Retry-After"] == str(limits.RETRY_AFTER)


def test_health_and_calendars_stay_fast_under_eight_concurrent_pdfs(live_server: str) -> None:
    pdf = f"{live_server}/.web/download.pdf?from=2026-01-01&to=2026-12-31"
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        downloads = [pool.submit(requests.get, pdf, timeout=120) for _ in range(8)]
        time.sleep(0.3)  # let them reach the server before measuring
        seen = []
        for path in ["/.web/health", "/bsp/es-eur-monthly.ics", "/.web/health", "/cass/de-eur-twice-monthly.ics"]:
            started = time.perf_counter()
            answer = requests.get(live_server + path, timeout=30)
            seen.append((path, answer.status_code, time.perf_counter() - started))
        statuses = sorted(download.result().status_code for download in downloads)

    print("health and .ics under eight PDFs:", [(path, status, round(seconds, 3)) for path, status, seconds in seen], statuses)
    assert all(status == 200 for _, status, _ in seen), seen
    assert max(seconds for _, _, seconds in seen) < 1.5, seen
    assert statuses.count(200) >= 1 and set(statuses) <= {200, 503}, statuses


def test_the_feed_cache_is_bounded_in_bytes() -> None:
    cache = FeedCache(budget=1000)
    for n in range(50):
        cache.put(f'"{n}"', bytes(200))
    cache.put('"huge"', bytes(600))  # more than a quarter of the budget: not kept

    assert cache.size <= 1000 and len(cache) == 5
    assert cache.get('"huge"') is None and cache.get('"49"') is not None


# Low: forged proxy headers, links from the Host header, missing browser headers.

def test_x_script_name_from_a_client_is_ignored(live_server: str) -> None:
    headers = {"X-Script-Name": "//evil.example", "X-Forwarded-Host": "evil.example"}
    redirect = requests.get(f"{live_server}/.web", headers=headers, allow_redirects=False, timeout=10)
    page = requests.get(f"{live_server}/.web/?country=ES", headers=headers, timeout=10)

    assert redirect.status_code == 301 and redirect.headers["Location"] == "/.web/"
    assert page.status_code == 200 and "evil.example" not in page.text


def test_x_script_name_from_a_trusted_proxy_is_a_path_never_a_host(trusted_server: str) -> None:
    mounted = requests.get(f"{trusted_server}/.web/?country=ES", headers={"X-Script-Name": "/calendars"}, timeout=10)
    forged = requests.get(f"{trusted_server}/.web/", headers={"X-Script-Name": "//evil.example"}, timeout=10)

    assert mounted.status_code == 200 and 'src="/calendars/.web/static/copy.js' in mounted.text
    assert forged.status_code == 400 and "evil.example" not in forged.text


def test_links_of_a_cacheable_feed_vary_on_host_unless_configured(live_server: str, public_server: str) -> None:
    from_host = requests.get(f"{live_server}/.web/changes.atom", headers={"Host": "other.example"}, timeout=10)
    configured = requests.get(f"{public_server}/.web/changes.atom", headers={"Host": "other.example"}, timeout=10)

    assert "Host" in from_host.headers["Vary"] and "http://other.example/" in from_host.text
    assert "Host" not in configured.headers["Vary"]
    assert "other.example" not in configured.text and "https://calendars.example.org/" in configured.text


@pytest.mark.parametrize("path", ["/.web/", "/.web/releases", "/.web/releases/1", "/.web/nothing-here",
                                  "/.web/subscriptions?country=ES", "/.web/subscriptions/confirm?token=x",
                                  "/.web/download.pdf?country=Narnia"])
def test_every_html_answer_tells_the_browser_what_the_page_may_do(live_server: str, path: str) -> None:
    answer = requests.get(live_server + path, timeout=10)

    assert answer.headers["Content-Type"].startswith("text/html")
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY and "script-src 'self'" in CONTENT_SECURITY_POLICY
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["Referrer-Policy"] == "same-origin"
    assert "<script>" not in answer.text and " onclick=" not in answer.text


def test_other_answers_are_not_sniffed(live_server: str) -> None:
    for path in ["/bsp/es-eur-monthly.ics", "/.web/feed.ics?country=ES", "/.web/static/copy.js", "/.web/health"]:
        assert requests.get(live_server + path, timeout=10).headers["X-Content-Type-Options"] == "nosniff", path
