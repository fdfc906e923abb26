"""`settlecal rollback [RELEASE_ID]` undoes exactly the release it names or announces, never another."""

from __future__ import annotations

import json
import pathlib

import pytest

from settlecal.db.engine import make_engine
from settlecal.release_format.file import read_release
from settlecal.releases import service
from tests.cli.releases import BILLING_MOVED, ES_2026, ES_2027, write_release
from tests.cli.test_import import key_dates
from tests.conftest import Settlecal


@pytest.fixture
def two_imports(settlecal: Settlecal, tmp_path: pathlib.Path) -> Settlecal:
    assert settlecal("import", write_release(tmp_path / "first.csv", ES_2026)).exit_code == 0
    assert settlecal("import", write_release(tmp_path / "amendment.csv", BILLING_MOVED), "--note", "x").exit_code == 0
    return settlecal


def test_rollback_with_the_newest_release_undoes_it(two_imports: Settlecal) -> None:
    result = two_imports("rollback", "2")
    assert result.exit_code == 0, result.output
    assert "Rolled back as release 3" in result.output
    assert json.loads(two_imports("release", "show", "3", "--json").output)["release"]["undoes_id"] == 2


def test_rollback_without_an_id_says_which_release_it_undoes_first(two_imports: Settlecal) -> None:
    result = two_imports("rollback")
    assert result.exit_code == 0, result.output
    said, *_ = result.output.splitlines()
    assert said.startswith("Rolling back release 2 (amendment.csv, imported 20")
    assert "Rolled back as release 3" in result.output


def test_rollback_of_an_older_release_is_refused_and_changes_nothing(two_imports: Settlecal) -> None:
    before = key_dates(two_imports.database_url)
    result = two_imports("rollback", "1")
    assert result.exit_code == 1
    assert result.output == ("Error: refused to roll back: release 1 is not the newest import in force: "
                             "release 2 is; roll back 2 first\n")
    assert key_dates(two_imports.database_url) == before


@pytest.mark.parametrize(("release_id", "message"), [
    ("2", "refused to roll back: release 2 is already undone (by release 3)"),
    ("3", "refused to roll back: release 3 is a rollback (of release 2); re-import the file to redo it"),
    ("9", "no release 9"),
])  # fmt: skip
def test_rollback_of_a_release_not_in_force_is_refused(two_imports: Settlecal, release_id: str, message: str) -> None:
    assert two_imports("rollback", "2").exit_code == 0
    result = two_imports("rollback", release_id)
    assert result.exit_code == 1
    assert result.output == f"Error: {message}\n"


def test_an_import_landing_after_the_choice_is_never_undone_in_its_place(
    two_imports: Settlecal, tmp_path: pathlib.Path
) -> None:
    engine = make_engine(two_imports.database_url)
    try:
        chosen = service.next_rollback(engine)
        assert chosen is not None and chosen.id == 2
        service.import_release(engine, read_release(write_release(tmp_path / "2027.csv", ES_2027)), operator="other")
        with pytest.raises(service.RollbackRefused, match="release 2 is not the newest import in force: release 3 is"):
            service.rollback(engine, operator="me", release_id=chosen.id)
        assert service.next_rollback(engine).id == 3  # type: ignore[union-attr]
    finally:
        engine.dispose()
