"""Issue 13: arbitrary values in every query parameter of every `/.web/` endpoint never get a 5xx and
are answered in bounded time (Hypothesis). The database holds one small release, so the time measured
is the parameters' handling, not the rendering of every calendar (tests/web/test_hostile_visitors.py
bounds that)."""

from __future__ import annotations

import time
import urllib.parse
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from settlecal.db.engine import make_engine
from settlecal.db.schema import upgrade
from settlecal.release_format.file import read_release
from settlecal.releases.service import import_release
from tests.conftest import SAMPLES
from tests.protocol.client import WsgiClient
from tests.web.conftest import pinned_application

# Every /.web/ endpoint (the JSON API under /.web/api/ has its own property tests, from its schema).
ENDPOINTS = ["/.web/", "/.web/feed.ics", "/.web/download.csv", "/.web/download.pdf", "/.web/releases",
             "/.web/releases/1", "/.web/releases/2", "/.web/changes.atom", "/.web/subscriptions",
             "/.web/subscriptions/confirm", "/.web/subscriptions/unsubscribe", "/.web/health",
             "/.web/static/style.css"]
PARAMETERS = ["system", "country", "currency", "frequency", "kind", "month", "from", "to", "lang", "sep", "token",
              "cursor", "limit"]
SECONDS = 10.0
WELL_FORMED = ["BSP", "CASS", "ES", "Spain", "España", "EUR", "monthly", "twice-monthly", "remittance",
               "remittance,settlement", "2026-12", "9999-12", "0000-00", "2026-01-01", "0001-01-01",
               "9999-12-31", "2026-02-30", "es", "ar", "zh", "semicolon", ";", "9223372036854775808", "-1", ""]
values = st.one_of(
    st.sampled_from(WELL_FORMED),
    st.text(max_size=40),
    st.integers().map(str),
    st.dates().map(lambda day: day.isoformat()),
    st.dates().map(lambda day: f"{day:%Y-%m}"),
    st.text(st.characters(codec="utf-8"), min_size=200, max_size=3000),
)
queries = st.lists(st.tuples(st.sampled_from(PARAMETERS), values), max_size=6)
raw_queries = st.text(max_size=200).map(lambda text: urllib.parse.quote(text, safe="=&%;,+"))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WsgiClient]:
    url = f"sqlite:///{tmp_path_factory.mktemp('web-parameters') / 'settlecal.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    import_release(engine, read_release(SAMPLES / "amendment.csv"), operator="tests")
    yield WsgiClient(pinned_application(url))
    engine.dispose()


def answered(client: WsgiClient, method: str, path: str, query: str) -> None:
    started = time.perf_counter()
    answer = client.request(method, f"{path}?{query}" if query else path)
    seconds = time.perf_counter() - started
    assert answer.status < 500, (method, path, query, answer.status, answer.body[:300])
    assert seconds < SECONDS, (method, path, query, seconds)
    assert b"Traceback" not in answer.body


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(path=st.sampled_from(ENDPOINTS), method=st.sampled_from(["GET", "HEAD"]), pairs=queries)
def test_arbitrary_values_in_every_parameter(client: WsgiClient, path: str, method: str,
                                             pairs: list[tuple[str, str]]) -> None:
    answered(client, method, path, urllib.parse.urlencode(pairs))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(path=st.sampled_from(ENDPOINTS), query=raw_queries)
def test_arbitrary_query_strings(client: WsgiClient, path: str, query: str) -> None:
    answered(client, "GET", path, query)
