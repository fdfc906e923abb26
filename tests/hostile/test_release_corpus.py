"""Every kind of malformed release is rejected with a precise message, and nothing changes."""

from __future__ import annotations

import pathlib

import pytest

from tests.cli.releases import ES_2026, write_release
from tests.cli.test_import import key_dates
from tests.conftest import Settlecal
from tests.hostile.corpus import CASES


def test_the_corpus_holds_at_least_thirty_kinds() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", list(CASES))
def test_a_malformed_release_is_rejected_precisely(settlecal: Settlecal, tmp_path: pathlib.Path, name: str) -> None:
    settlecal("import", write_release(tmp_path / "in-force.csv", [row.replace("2026-01", "2026-01") for row in ES_2026]))
    before = key_dates(settlecal.database_url)
    content, line, column, fragment = CASES[name]
    path = tmp_path / "release.csv"
    path.write_bytes(content)

    result = settlecal("import", path)

    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert result.output.startswith("Error: "), result.output
    location = str(path) + (f":{line}" if line is not None else "") + (f":{column}:" if column is not None else "")
    assert location in result.output, result.output
    assert fragment.lower() in result.output.lower(), result.output
    assert key_dates(settlecal.database_url) == before
