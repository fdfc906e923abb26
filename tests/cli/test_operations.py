"""Real operations through the CLI, on every backend: zones, submission cut-offs, CASS-IMPORT and a
multi-country operation import, are stored per calendar, export as the file they came from, and
re-import as no change."""

from __future__ import annotations

import pathlib

from sqlalchemy import select

from settlecal.db import queries
from settlecal.db.engine import make_engine
from settlecal.db.models import Calendar, KeyDate
from settlecal.db.snapshot import reading
from settlecal.domain import Kind
from settlecal.formats import ical
from settlecal.i18n.translator import translator
from tests.conftest import Settlecal

OPERATIONS = pathlib.Path(__file__).parents[1] / "data" / "releases" / "operations-2026.csv"


def calendars(database_url: str) -> dict[str, tuple[str, str | None, int]]:
    with reading(make_engine(database_url)) as session:
        return {f"{c.system} {c.country} {c.currency} {c.frequency}": (c.timezone, c.members, c.revision)
                for c in session.scalars(select(Calendar))}


def test_operations_import_export_byte_for_byte_and_reimport_as_no_change(
    settlecal: Settlecal, database_url: str, tmp_path: pathlib.Path
) -> None:
    imported = settlecal("import", OPERATIONS)
    assert imported.exit_code == 0, imported.output
    assert "CASS-IMPORT DE EUR twice-monthly  /cass-import/de-eur-twice-monthly/" in imported.output
    assert calendars(database_url) == {
        "BSP AE USD weekly": ("Asia/Dubai", "AE|BH|OM", 1),
        "BSP BH USD weekly": ("Asia/Dubai", "AE|BH|OM", 1),
        "BSP OM USD weekly": ("Asia/Dubai", "AE|BH|OM", 1),
        "BSP ES EUR monthly": ("Europe/Madrid", None, 1),
        "CASS-IMPORT DE EUR twice-monthly": ("Europe/Berlin", None, 1),
    }
    with reading(make_engine(database_url)) as session:
        assert set(session.execute(select(KeyDate.kind, KeyDate.cutoff).where(KeyDate.cutoff.is_not(None)))) == {
            ("submission", "10:00"), ("submission", "14:00"), ("remittance", "11:00"), ("remittance", "12:00"),
            ("remittance", "14:00")}

    exported = tmp_path / "exported.csv"
    assert settlecal("export", "-o", exported).exit_code == 0
    assert exported.read_bytes() == OPERATIONS.read_bytes()
    again = settlecal("import", exported)
    assert again.exit_code == 0, again.output
    assert "No change" in again.output
    # A member's own export is the operation's row: importing it changes no member.
    bahrain = tmp_path / "bh.csv"
    assert settlecal("export", "--country", "BH", "-o", bahrain).exit_code == 0
    assert bahrain.read_text().splitlines()[1].startswith("BSP,AE|BH|OM,USD,weekly,2026-W14,")
    assert "No change" in settlecal("import", bahrain, "--allow-removals").output


def test_an_operation_moves_for_every_member(settlecal: Settlecal, database_url: str, tmp_path: pathlib.Path) -> None:
    settlecal("import", OPERATIONS)
    moved = tmp_path / "moved.csv"
    moved.write_text(OPERATIONS.read_text().replace("2026-04-09,11:00", "2026-04-10,11:30"))

    result = settlecal("import", moved)

    assert result.exit_code == 0, result.output
    revisions = {name: revision for name, (_, _, revision) in calendars(database_url).items()}
    assert revisions == {"BSP AE USD weekly": 2, "BSP BH USD weekly": 2, "BSP OM USD weekly": 2,
                         "BSP ES EUR monthly": 1, "CASS-IMPORT DE EUR twice-monthly": 1}


def test_a_new_zone_is_stored_without_touching_key_dates(
    settlecal: Settlecal, database_url: str, tmp_path: pathlib.Path
) -> None:
    settlecal("import", OPERATIONS)
    canary = tmp_path / "canary.csv"
    canary.write_text("\n".join(line + ("Atlantic/Canary" if ",ES," in line else "")
                                for line in OPERATIONS.read_text().splitlines()) + "\n")

    dry = settlecal("import", canary, "--dry-run").output
    assert "BSP ES EUR monthly: time zone Europe/Madrid -> Atlantic/Canary" in dry
    assert calendars(database_url)["BSP ES EUR monthly"] == ("Europe/Madrid", None, 1)
    done = settlecal("import", canary).output
    assert done.rstrip().endswith("No key date changed; the release changed only the settings above (no new release).")

    assert calendars(database_url)["BSP ES EUR monthly"] == ("Atlantic/Canary", None, 1)
    assert "No change" in settlecal("import", canary).output
    exported = settlecal("export", "--country", "ES").output
    assert exported.splitlines()[1].endswith(",Atlantic/Canary")


def test_a_remittance_names_the_periods_it_settles(settlecal: Settlecal, database_url: str) -> None:
    settlecal("import", OPERATIONS)
    with reading(make_engine(database_url)) as session:
        described = {
            (state.key.country, row.period): ical.description(state.key, row)
            for state in queries.calendar_states(session) for row in queries.events(session, state.id)
            if row.kind is Kind.REMITTANCE
        }
        spanish = [ical.description(state.key, row, translator("es")) for state in queries.calendar_states(session)
                   if state.key.country == "ES" for row in queries.events(session, state.id)
                   if row.kind is Kind.REMITTANCE]
    assert "\nSettles periods 2026-03-1 to 2026-03-4 (Mar 1\u2009\u2013\u200931, 2026).\n" in described["ES", "2026-03-4"]
    assert "Settles periods 2026-10-1 to 2026-10-4" in described["ES", "2026-10-4"]
    # A remittance that settles only its own period says nothing more.
    assert not any("Settles" in text for (country, _), text in described.items() if country != "ES")
    assert "\nLiquida los periodos 2026-03-1 a 2026-03-4 (1\u201331 mar 2026).\n" in spanish[0]
