"""Servers reading from a PostgreSQL streaming read replica (.ci/replica): they serve what the primary
served once the replica has replayed it, and keep serving the revision they have while replay lags."""

from __future__ import annotations

import json

import requests

from bench.servers import settlecal_serve
from tests.conftest import SAMPLES, Settlecal
from tests.production.conftest import Replicated
from tests.replica import pause_replay, resume_replay, wait_for_replay

CALENDAR = "/bsp/es-eur-monthly.ics"  # one the amendment changes


def fetch(base: str) -> tuple[int, str | None, bytes, str | None]:
    """(status, ETag, body, revision) of CALENDAR as a subscriber downloads it."""
    answer = requests.get(base + CALENDAR, headers={"Accept-Encoding": "identity"}, timeout=30)
    return answer.status_code, answer.headers.get("ETag"), answer.content, answer.headers.get("X-Settlecal-Revision")


def health_revision(base: str) -> object:
    return json.loads(requests.get(base + "/.web/health", timeout=30).content)["revision"]


def imported(database_url: str, name: str) -> None:
    result = Settlecal(database_url)("import", SAMPLES / name, "--no-notify")
    assert result.exit_code == 0, result.output


def test_a_server_on_the_replica_serves_the_primarys_calendar(replicated: Replicated) -> None:
    imported(replicated.primary_url, "sample-release.csv")
    wait_for_replay(replicated.primary_url, replicated.replica_url)

    with settlecal_serve(replicated.primary_url) as primary, settlecal_serve(replicated.replica_url) as replica:
        on_primary, on_replica = fetch(primary.url), fetch(replica.url)

    assert on_primary[0] == 200 and on_primary[3] == "1"
    assert b"BEGIN:VEVENT" in on_primary[2]
    assert on_replica == on_primary, replica.log[-2000:]


def test_a_lagging_replica_serves_its_older_revision(replicated: Replicated) -> None:
    imported(replicated.primary_url, "sample-release.csv")
    wait_for_replay(replicated.primary_url, replicated.replica_url)

    with settlecal_serve(replicated.primary_url) as primary, settlecal_serve(replicated.replica_url) as replica:
        before = fetch(replica.url)
        pause_replay(replicated.replica_url)
        imported(replicated.primary_url, "amendment.csv")

        moved_on, lagging = fetch(primary.url), fetch(replica.url)
        assert moved_on[3] == "2" and moved_on[1] != before[1]
        assert lagging == before, "the paused replica served something it had not replayed"
        assert (health_revision(primary.url), health_revision(replica.url)) == (2, 1)

        resume_replay(replicated.replica_url)
        wait_for_replay(replicated.primary_url, replicated.replica_url)
        assert fetch(replica.url) == moved_on, replica.log[-2000:]
        assert health_revision(replica.url) == 2


SYNC = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>{token}</D:sync-token>'
        '<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>')


def sync(base: str, token: str = "") -> requests.Response:
    return requests.request("REPORT", base + "/bsp/es-eur-monthly/", data=SYNC.format(token=token),
                            headers={"Depth": "1", "Content-Type": "application/xml"}, timeout=30)


def test_a_sync_token_the_replica_has_not_replayed_is_503_not_invalid(replicated: Replicated) -> None:
    imported(replicated.primary_url, "sample-release.csv")
    wait_for_replay(replicated.primary_url, replicated.replica_url)

    with settlecal_serve(replicated.primary_url) as primary, settlecal_serve(replicated.replica_url) as replica:
        pause_replay(replicated.replica_url)
        imported(replicated.primary_url, "amendment.csv")
        newer = sync(primary.url)
        token = newer.text.split("<sync-token>")[1].split("<")[0]
        assert newer.status_code == 207 and token.endswith("/2")

        lagging = sync(replica.url, token)
        assert lagging.status_code == 503, lagging.text
        assert lagging.headers["Retry-After"].isdigit() and "valid-sync-token" not in lagging.text
        # On the primary a token from the future comes from another database: invalid, as before.
        future = sync(primary.url, token.replace("/2", "/99"))
        assert future.status_code == 403 and "valid-sync-token" in future.text

        resume_replay(replicated.replica_url)
        wait_for_replay(replicated.primary_url, replicated.replica_url)
        caught_up = sync(replica.url, token)
        assert caught_up.status_code == 207, replica.log[-2000:]
        assert caught_up.text.count("<response>") == 0  # nothing new since that token


def conditional(base: str, etag: str) -> requests.Response:
    return requests.get(base + CALENDAR, headers={"If-None-Match": etag, "Accept-Encoding": "identity"}, timeout=30)


def test_an_etag_the_replica_has_not_replayed_is_503_not_an_older_calendar(replicated: Replicated) -> None:
    imported(replicated.primary_url, "sample-release.csv")
    wait_for_replay(replicated.primary_url, replicated.replica_url)

    with settlecal_serve(replicated.primary_url) as primary, settlecal_serve(replicated.replica_url) as replica:
        older = fetch(replica.url)[1]
        pause_replay(replicated.replica_url)
        imported(replicated.primary_url, "amendment.csv")
        newer = fetch(primary.url)[1]
        assert older and newer and newer != older

        lagging = conditional(replica.url, newer)
        assert lagging.status_code == 503, lagging.text
        assert lagging.headers["Retry-After"].isdigit() and b"BEGIN:VCALENDAR" not in lagging.content
        # A tag the replica has replayed is answered as before: unchanged, 304.
        assert conditional(replica.url, older).status_code == 304
        # The primary answers the newer tag: it holds that revision.
        assert conditional(primary.url, newer).status_code == 304

        resume_replay(replicated.replica_url)
        wait_for_replay(replicated.primary_url, replicated.replica_url)
        caught_up = conditional(replica.url, newer)
        assert caught_up.status_code == 304, replica.log[-2000:]
        assert caught_up.headers["ETag"] == newer
