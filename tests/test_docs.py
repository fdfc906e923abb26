"""The docs are generated from the code and stay current; every command explains itself."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from importer.cli import cli
from importer.reference import commands, render
from tests.conftest import ROOT

COMMANDS = list(commands())


def test_cli_reference_is_current() -> None:
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == render(), (
        "docs/cli.md is stale: run `python -m importer.reference > docs/cli.md`"
    )


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[path for path, _ in COMMANDS])
def test_every_command_has_help(path: str, command: object) -> None:
    result = CliRunner().invoke(cli, [*path.split(" ")[1:], "--help"])

    assert result.exit_code == 0
    assert f"Usage: {path.split(' ')[0]} " in result.output or "Usage: cli " in result.output
    assert len((command.help or "").strip()) > 20, f"{path} needs a real description"  # type: ignore[attr-defined]


def test_the_readme_gives_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")

    assert "make run" in readme and "make test" in readme
