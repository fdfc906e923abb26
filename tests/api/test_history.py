"""`/releases`, `/releases/{id}` and `/changes` against the change log they read: the shared database
holds an import, an amendment, its rollback and the amendment again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, text

from settlecal.api.encode import utc_text
from settlecal.db import queries
from settlecal.db.snapshot import reading
from tests.api.conftest import get, walk
from tests.protocol.client import WsgiClient


def change_count(engine: Engine, where: str = "", **values: Any) -> int:
    query = ("SELECT count(*) FROM change JOIN key_date k ON k.id = change.key_date_id "
             f"JOIN calendar c ON c.id = k.calendar_id WHERE 1 = 1 {where}")
    with engine.connect() as connection:
        return int(connection.execute(text(query), values).scalar_one())


def test_releases_newest_first(api: WsgiClient, api_engine: Engine) -> None:
    listed = list(walk(api, "/releases?limit=1", "releases"))

    with reading(api_engine) as session:
        stored = queries.releases(session)
    assert [release["id"] for release in listed] == [summary.id for summary in stored] == [4, 3, 2, 1]
    for release, summary in zip(listed, stored, strict=True):
        assert release == {
            "id": summary.id, "action": summary.action, "file_name": summary.file_name, "sha256": summary.sha256,
            "created_at": utc_text(summary.created_at), "note": summary.note, "rows": summary.rows,
            "calendars": summary.calendars, "added": summary.added, "moved": summary.moved,
            "changed": summary.changed, "removed": summary.removed, "undoes": summary.undoes_id,
            "undone_by": summary.undone_by_id, "in_force": summary.in_force,
        }


def test_a_rollback_is_a_release(api: WsgiClient) -> None:
    _, undone = get(api, "/releases/2")
    _, rollback = get(api, "/releases/3")

    assert (undone["release"]["undone_by"], undone["release"]["in_force"]) == (3, False)
    assert (rollback["release"]["action"], rollback["release"]["undoes"], rollback["release"]["sha256"]) == (
        "rollback", 2, None)
    undo = {(c["uid"], c["action"], str(c["old"]), str(c["new"])) for c in rollback["changes"]}
    inverse = {"added": "removed", "removed": "added"}
    assert undo == {(c["uid"], inverse.get(c["action"], c["action"]), str(c["new"]), str(c["old"]))
                    for c in undone["changes"]}


def test_a_releases_counts_and_changes(api: WsgiClient, api_engine: Engine) -> None:
    _, first = get(api, "/releases/4?limit=3")
    changes = list(walk(api, "/releases/4?limit=3", "changes"))

    totals = {action: sum(calendar[action] for calendar in first["calendars"])
              for action in ("added", "moved", "changed", "removed")}
    assert totals == {action: first["release"][action] for action in totals}
    assert [calendar["calendar"]["id"] for calendar in first["calendars"]] == [
        "bsp/es-eur-monthly", "cass/es-eur-twice-monthly"]
    assert len(changes) == change_count(api_engine, "AND change.release_id = 4") == sum(totals.values())
    assert {change["revision"] for change in changes} == {4}
    calendars = [change["calendar"]["id"] for change in changes]
    assert calendars == sorted(calendars), "calendar by calendar"


def test_the_first_page_of_a_release(api: WsgiClient, api_engine: Engine) -> None:
    _, body = get(api, "/releases/1")

    assert body["release"]["added"] == change_count(api_engine, "AND change.release_id = 1") > 5000
    assert len(body["changes"]) == 100 and body["next_cursor"] is not None
    assert all(change["old"] is None and change["action"] == "added" for change in body["changes"])


def test_the_whole_change_log_in_order(api: WsgiClient, api_engine: Engine) -> None:
    changes = list(walk(api, "/changes?limit=1000", "changes"))

    assert len(changes) == change_count(api_engine)
    assert [change["revision"] for change in changes] == sorted(change["revision"] for change in changes)


def test_changes_since_a_revision_of_some_calendars(api: WsgiClient, api_engine: Engine) -> None:
    changes = list(walk(api, "/changes?since=2&system=CASS&kind=billing,dispute-deadline&limit=2", "changes"))

    expected = change_count(api_engine, "AND change.release_id > 2 AND c.system = 'CASS' "
                                        "AND k.kind IN ('billing', 'dispute-deadline')")
    assert len(changes) == expected == 6
    assert {(change["calendar"]["system"], change["kind"]) for change in changes} == {
        ("CASS", "billing"), ("CASS", "dispute-deadline")}


def test_since_the_current_revision_nothing_changed(api: WsgiClient) -> None:
    answer, body = get(api, "/changes?since=4")

    assert answer.status == 200
    assert body == {"revision": 4, "since": 4, "changes": [], "next_cursor": None, "next": None}
