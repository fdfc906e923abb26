"""Private mode: failed logins are throttled per user and per client address with exponential back-off,
refused early (429 + Retry-After, no sleeping worker), and an unknown user takes as long as a wrong password."""

from __future__ import annotations

import pathlib
import time

import bcrypt
import pytest
from sqlalchemy import Engine

from caldav_plugin.edge.throttle import LoginThrottle, ThrottleSettings
from caldav_plugin.wsgi import make_application
from tests.production.test_access import PASSWORDS, basic, private_config
from tests.protocol.client import Response, WsgiClient


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_back_off_doubles_past_the_free_attempts_and_is_capped() -> None:
    clock = Clock()
    throttle = LoginThrottle(ThrottleSettings(user_free=3, address_free=100, first_wait=1, longest_wait=60), clock=clock)
    keys = ("user:bsp", "address:192.0.2.1")
    waits = []
    for _ in range(12):
        throttle.failed(keys)
        waits.append(throttle.wait(keys))
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60, 60]
    clock.now += 61
    assert throttle.wait(keys) == 0
    throttle.succeeded("user:bsp")
    throttle.failed(keys)
    assert throttle.wait(keys) == 0  # the user starts again; the address has 13 failures of its 100
    clock.now += 121  # quiet for twice the longest wait: an address starts again too
    throttle.failed(("address:192.0.2.1",))
    assert throttle.wait(("address:192.0.2.1",)) == 0


def test_the_throttle_forgets_the_oldest_keys_first() -> None:
    throttle = LoginThrottle(ThrottleSettings(user_free=0, entries=10), clock=Clock())
    for n in range(25):
        throttle.failed((f"user:u{n}",))
    assert throttle.wait(("user:u0",)) == 0 and throttle.wait(("user:u24",)) == 1


@pytest.fixture
def private(loaded: Engine, database_url: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> WsgiClient:
    monkeypatch.setenv("SETTLECAL_TRUSTED_PROXIES", "127.0.0.1")  # X-Forwarded-For names the client
    return WsgiClient(make_application(private_config(tmp_path), database_url=database_url))


def attempt(client: WsgiClient, user: str, password: str, address: str) -> Response:
    return client.request("GET", "/bsp/es-eur-monthly.ics", headers={**basic(user, password), "X-Forwarded-For": address})


def test_a_guessed_user_is_refused_early_with_retry_after(private: WsgiClient) -> None:
    assert [attempt(private, "bsp", f"guess{n}", f"192.0.2.{n}").status for n in range(6)] == [401] * 6
    started = time.perf_counter()
    refused = attempt(private, "bsp", PASSWORDS["bsp"], "198.51.100.7")  # even the right password waits
    assert time.perf_counter() - started < 0.5  # no sleep, no bcrypt: the worker is free at once
    assert refused.status == 429
    assert refused.headers["retry-after"] == "1"
    assert b"too many failed logins" in refused.body
    assert attempt(private, "alice", PASSWORDS["alice"], "198.51.100.7").status == 200  # other users read on


def test_a_guessing_address_is_refused_early_whoever_it_tries(private: WsgiClient) -> None:
    statuses = [attempt(private, f"user{n}", "guess", "203.0.113.9").status for n in range(21)]
    assert statuses == [401] * 21
    assert attempt(private, "alice", PASSWORDS["alice"], "203.0.113.9").status == 429
    assert attempt(private, "alice", PASSWORDS["alice"], "203.0.113.10").status == 200


def test_a_successful_login_clears_its_users_failures(private: WsgiClient) -> None:
    for n in range(4):
        assert attempt(private, "cass", "guess", f"192.0.2.{n}").status == 401
    assert attempt(private, "cass", PASSWORDS["cass"], "192.0.2.50").status != 401
    assert [attempt(private, "cass", "guess", f"192.0.2.{n}").status for n in range(5)] == [401] * 5


def test_an_unknown_user_takes_as_long_as_a_wrong_password(
    loaded: Engine, database_url: str, tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SETTLECAL_TRUSTED_PROXIES", "127.0.0.1")
    config = private_config(tmp_path)
    users = tmp_path / "users"  # written by private_config; costlier hashes make the difference measurable
    users.write_text("".join(f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(10)).decode()}\n"
                             for user, password in PASSWORDS.items()))
    client = WsgiClient(make_application(config, database_url=database_url))

    def timed(user: str, n: int) -> float:
        started = time.perf_counter()
        assert attempt(client, user, "wrong", f"10.0.{n // 200}.{n % 200}").status == 401
        return time.perf_counter() - started

    # Interleaved, and compared by their fastest: the work each does, whatever else the machine runs.
    wrong: list[float] = []
    unknown: list[float] = []
    for n in range(9):
        wrong.append(timed(("bsp", "cass", "alice")[n % 3], n))
        unknown.append(timed(f"nobody{n}", 100 + n))
    assert min(wrong) > 0.02  # cost 10: bcrypt is measurable
    assert 0.5 < min(unknown) / min(wrong) < 2, (wrong, unknown)
