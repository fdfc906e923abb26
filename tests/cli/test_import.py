"""`settlecal import`, `releases`, `release show`, `rollback`: the release lifecycle through the CLI,
checked through the library and the database."""

from __future__ import annotations

import datetime
import json
import pathlib

import pytest
from sqlalchemy import Engine, select

from settlecal.db.engine import make_engine

from settlecal.db.snapshot import reading
from settlecal.db.models import Change, KeyDate, Period, Release
from tests.cli.releases import BILLING_MOVED, ES_2026, ES_2027, write_release
from tests.conftest import Settlecal


def key_dates(database_url: str) -> dict[tuple[str, str], tuple[str, str, str | None, int, int, bool]]:
    """(period, kind) → (date, end, cutoff, sequence, revision, removed) of every key date."""
    with reading(make_engine(database_url)) as session:
        rows = session.execute(
            select(Period.code, KeyDate.kind, KeyDate.date, KeyDate.end, KeyDate.cutoff,
                   KeyDate.sequence, KeyDate.revision, KeyDate.removed)
            .join(Period, KeyDate.period_id == Period.id)
        )
        return {(r[0], r[1]): (r[2].isoformat(), r[3].isoformat(), *r[4:]) for r in rows}


def test_first_import_creates_calendars_and_a_release(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    path = write_release(tmp_path / "first.csv", ES_2026)

    result = settlecal("import", path, "--note", "first", "--operator", "ana")

    assert result.exit_code == 0, result.output
    assert "BSP ES EUR monthly  /bsp/es-eur-monthly/" in result.output
    assert "new calendar: 10 key dates" in result.output
    assert result.output.rstrip().endswith(
        "Imported as release 1: 1 calendar changed (10 added, 0 moved, 0 changed, 0 removed)."
    )
    stored = key_dates(settlecal.database_url)
    assert stored[("2026-01", "period")] == ("2026-01-01", "2026-01-31", None, 0, 1, False)
    assert stored[("2026-01", "remittance")] == ("2026-02-16", "2026-02-16", "12:00", 0, 1, False)
    releases = json.loads(settlecal("releases", "--json").output)
    assert [(r["id"], r["action"], r["file_name"], r["operator"], r["note"], r["added"], r["in_force"])
            for r in releases] == [(1, "import", "first.csv", "ana", "first", 10, True)]
    assert len(releases[0]["sha256"]) == 64


def test_reimporting_the_same_file_changes_nothing_and_says_so(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    path = write_release(tmp_path / "first.csv", ES_2026)
    settlecal("import", path)
    before = key_dates(settlecal.database_url)

    result = settlecal("import", path)

    assert result.exit_code == 0
    assert result.output.strip() == "No change: the database already holds this release."
    assert key_dates(settlecal.database_url) == before
    assert len(json.loads(settlecal("releases", "--json").output)) == 1


def test_amendment_reports_moved_changed_and_removed(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    amended = [row for row in BILLING_MOVED if not row.split(",")[4] == "2026-02"]

    # One of this calendar's two periods is half its year: a mass removal, which must be allowed.
    result = settlecal("import", write_release(tmp_path / "amendment.csv", amended), "--json", "--allow-removals")

    assert result.exit_code == 0, result.output
    outcome = json.loads(result.output)
    assert outcome["release"]["id"] == 2
    assert outcome["totals"] == {"added": 0, "moved": 1, "changed": 1, "removed": 5}
    changes = {(c["period"], c["kind"], c["action"]): c for c in outcome["calendars"][0]["changes"]}
    moved = changes[("2026-01", "billing", "moved")]
    assert (moved["old"]["date"], moved["new"]["date"]) == ("2026-02-05", "2026-02-06")
    cutoff = changes[("2026-01", "remittance", "changed")]
    assert (cutoff["old"]["cutoff"], cutoff["new"]["cutoff"]) == ("12:00", "14:00")
    assert {k for k in changes if k[2] == "removed"} == {
        ("2026-02", kind, "removed") for kind in ("period", "submission", "billing", "remittance", "settlement")
    }
    stored = key_dates(settlecal.database_url)
    assert stored[("2026-01", "billing")] == ("2026-02-06", "2026-02-06", None, 1, 2, False)
    assert stored[("2026-02", "billing")][3:] == (1, 2, True)
    # Untouched key dates keep their revision: their ETags must not change.
    assert stored[("2026-01", "settlement")][3:5] == (0, 1)


def test_release_show_lists_what_a_release_changed(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    settlecal("import", write_release(tmp_path / "amendment.csv", BILLING_MOVED), "--note", "bank holiday")

    result = settlecal("release", "show", "2")

    assert result.exit_code == 0, result.output
    assert "note: bank holiday" in result.output
    assert "moved    2026-01 billing  2026-02-05 → 2026-02-06" in result.output
    assert "changed  2026-01 remittance  2026-02-16 12:00 → 2026-02-16 14:00" in result.output
    missing = settlecal("release", "show", "9")
    assert missing.exit_code == 1
    assert "Error: no release 9" in missing.output


def test_dry_run_shows_the_change_and_writes_nothing(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    before = key_dates(settlecal.database_url)

    result = settlecal("import", write_release(tmp_path / "amendment.csv", BILLING_MOVED), "--dry-run")

    assert result.exit_code == 0, result.output
    assert "moved    2026-01 billing  2026-02-05 → 2026-02-06" in result.output
    assert "Dry run: would change 1 calendar (0 added, 1 moved, 1 changed, 0 removed); nothing written." in result.output
    assert key_dates(settlecal.database_url) == before
    assert len(json.loads(settlecal("releases", "--json").output)) == 1


def test_a_release_speaks_only_for_its_calendar_years(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "2026.csv", ES_2026))

    result = settlecal("import", write_release(tmp_path / "2027.csv", ES_2027), "--json")

    assert json.loads(result.output)["totals"]["removed"] == 0
    stored = key_dates(settlecal.database_url)
    assert not stored[("2026-01", "billing")][5]
    assert ("2027-01", "billing") in stored


def test_rollback_restores_the_previous_state_as_a_new_revision(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    exported_before = settlecal("export").output
    settlecal("import", write_release(tmp_path / "amendment.csv", BILLING_MOVED[:-1]), "--allow-removals")
    assert settlecal("export").output != exported_before

    result = settlecal("rollback", "--note", "published by mistake")

    assert result.exit_code == 0, result.output
    assert "Rolled back as release 3" in result.output
    assert settlecal("export").output == exported_before
    stored = key_dates(settlecal.database_url)
    # Moved back, with a higher SEQUENCE and the rollback's revision, so clients take the update.
    assert stored[("2026-02", "billing")] == ("2026-03-05", "2026-03-05", None, 2, 3, False)
    releases = {r["id"]: r for r in json.loads(settlecal("releases", "--json").output)}
    assert releases[3]["undoes_id"] == 2 and releases[2]["undone_by_id"] == 3
    assert releases[2]["in_force"] is False and releases[1]["in_force"] is True
    assert releases[3]["note"] == "published by mistake"


def test_rollback_steps_back_release_by_release(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    settlecal("import", write_release(tmp_path / "amendment.csv", BILLING_MOVED))

    assert settlecal("rollback").exit_code == 0
    assert settlecal("rollback").exit_code == 0

    stored = key_dates(settlecal.database_url)
    assert all(removed for *_, removed in stored.values())
    assert settlecal("export").output.count("\n") == 1  # the header alone
    nothing = settlecal("rollback")
    assert nothing.exit_code == 1
    assert "Error: no release in force to roll back" in nothing.output


def test_period_bounds_change_renews_every_key_date_of_the_period(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    shifted = [row.replace("2026-01-01,2026-01-31", "2026-01-02,2026-01-31") for row in ES_2026]

    result = settlecal("import", write_release(tmp_path / "shifted.csv", shifted), "--json")

    assert json.loads(result.output)["totals"] == {"added": 0, "moved": 1, "changed": 0, "removed": 0}
    stored = key_dates(settlecal.database_url)
    # The billing date did not move, but its description (which names the period) did.
    assert stored[("2026-01", "billing")][3:5] == (1, 2)
    assert stored[("2026-02", "billing")][3:5] == (0, 1)


def test_export_then_import_is_a_no_op(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026 + ES_2027))
    exported = tmp_path / "exported.csv"
    assert settlecal("export", "-o", exported).exit_code == 0

    result = settlecal("import", exported)

    assert result.exit_code == 0, result.output
    assert "No change" in result.output
    filtered = settlecal("export", "--country", "fr").output
    assert filtered.count("\n") == 1


def test_calendars_lists_with_filters(settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026 + ES_2027))

    found = json.loads(settlecal("calendars", "--system", "bsp", "--country", "es", "--json").output)

    assert found == [{
        "path": "/bsp/es-eur-monthly/", "system": "BSP", "country": "ES", "currency": "EUR",
        "frequency": "monthly", "revision": 1, "periods": 3, "key_dates": 15,
        "first": "2026-01-01", "last": datetime.date(2027, 2, 17).isoformat(),
    }]
    assert json.loads(settlecal("calendars", "--system", "cass", "--json").output) == []
    by_currency = settlecal("calendars", "--currency", "eur", "--frequency", "MONTHLY", "--json")
    assert [c["path"] for c in json.loads(by_currency.output)] == ["/bsp/es-eur-monthly/"]
    assert json.loads(settlecal("calendars", "--currency", "USD", "--json").output) == []
    bad = settlecal("calendars", "--country", "XX")
    assert bad.exit_code == 2
    assert "'XX' is not an ISO 3166-1 alpha-2 country code" in bad.output


def test_a_rejected_file_writes_nothing_and_lists_every_problem(
    settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    before = key_dates(settlecal.database_url)
    broken = [ES_2026[0].replace("2026-02-05", "2026-02-31"), ES_2026[1].replace(",EUR,", ",EUX,")]

    result = settlecal("import", write_release(tmp_path / "broken.csv", broken))

    assert result.exit_code == 1
    assert "broken.csv: 2 problems" in result.output
    assert "broken.csv:2:9:" in result.output and "2026-02-31" in result.output
    assert "broken.csv:3:3:" in result.output and "EUX" in result.output
    assert key_dates(settlecal.database_url) == before
    as_json = json.loads(settlecal("import", tmp_path / "broken.csv", "--json").output)
    assert as_json["ok"] is False
    assert [(p["line"], p["column"], p["column_name"]) for p in as_json["problems"]] == [
        (2, 9, "billing"), (3, 3, "currency")
    ]


def test_change_log_holds_exactly_the_changes(database_url: str, settlecal: Settlecal, tmp_path: pathlib.Path) -> None:
    settlecal("import", write_release(tmp_path / "first.csv", ES_2026))
    settlecal("import", write_release(tmp_path / "amendment.csv", BILLING_MOVED))

    with reading(make_engine(database_url)) as session:
        per_release = {
            release_id: sorted(action for (action,) in session.execute(
                select(Change.action).where(Change.release_id == release_id)))
            for release_id in session.scalars(select(Release.id))
        }

    assert per_release == {1: ["added"] * 10, 2: ["changed", "moved"]}


@pytest.mark.parametrize("command", ["releases", "calendars"])
def test_listings_on_an_empty_database(engine: Engine, settlecal: Settlecal, command: str) -> None:
    result = settlecal(command, "--json")

    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == []


def test_a_stale_fingerprint_is_repaired_by_the_next_import(
    database_url: str, settlecal: Settlecal, tmp_path: pathlib.Path
) -> None:
    path = write_release(tmp_path / "first.csv", ES_2026)
    settlecal("import", path)
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(Period.__table__.update().values(fingerprint="written by an older format"))

    result = settlecal("import", path)

    assert "No change" in result.output
    with reading(engine) as session:
        assert "written by an older format" not in session.scalars(select(Period.fingerprint)).all()
