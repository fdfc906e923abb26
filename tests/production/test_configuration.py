"""settlecal.conf: one file for the server and every command, the example it prints, the check it runs,
and the short errors and exit statuses of the commands around it."""

from __future__ import annotations

import configparser
import dataclasses
import pathlib

import pytest
from alembic import command
from click.testing import CliRunner, Result
from sqlalchemy import Engine

from importer.cli import cli
from importer.invocation import EXIT_DEFERRED
from settlecal import config
from settlecal.db.engine import make_engine
from settlecal.db.schema import alembic_config, head
from settlecal.notify import subscriptions as subscribers_lib
from importer.reference import configuration
from tests.conftest import ROOT, SAMPLES

CLOSED_PORT = "127.0.0.1:9"  # discard: nothing listens on it here


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env={"SETTLECAL_CONFIG": "/dev/null", **(env or {})})


def test_the_example_lists_every_option_and_reads_back_as_the_defaults(tmp_path: pathlib.Path) -> None:
    text = config.example()
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    for option in config.OPTIONS:
        assert f"{option.name} =" in text and option.section in parser.sections()
        if option.env:
            assert f"# Environment: {option.env}" in text
    path = tmp_path / "settlecal.conf"
    path.write_text(text)

    defaults = config.load(environ={"SETTLECAL_CONFIG": "/dev/null"})
    assert config.load(path, environ={}) == dataclasses.replace(defaults, file=path)
    assert run("config", "example").output == text


def test_each_setting_from_the_command_line_the_environment_the_file_then_radicale(tmp_path: pathlib.Path) -> None:
    radicale = tmp_path / "radicale.conf"
    radicale.write_text("[storage]\ndatabase_url = sqlite:////from/radicale.sqlite3\n"
                        "[web]\npublic_url = https://radicale.example.org\n")
    path = tmp_path / "settlecal.conf"
    path.write_text("[server]\nradicale_config = radicale.conf\n[notify]\nfrom = File <f@example.org>\n")

    from_radicale = config.load(path, environ={})
    assert (from_radicale.database_url, from_radicale.public_url) == (
        "sqlite:////from/radicale.sqlite3", "https://radicale.example.org")
    assert from_radicale.radicale_config == radicale  # relative to settlecal.conf
    path.write_text(path.read_text() + "[database]\nurl = sqlite:////from/file.sqlite3\n")
    assert config.load(path, environ={}).database_url == "sqlite:////from/file.sqlite3"
    from_env = config.load(path, environ={"SETTLECAL_DATABASE_URL": "sqlite:////from/env.sqlite3",
                                          "SETTLECAL_MAIL_FROM": "Env <e@example.org>"})
    assert (from_env.database_url, from_env.mail_from) == ("sqlite:////from/env.sqlite3", "Env <e@example.org>")
    assert config.load(path, database_url="sqlite:////cli.sqlite3", environ={}).database_url == "sqlite:////cli.sqlite3"


def test_the_default_database_is_in_the_users_data_directory(monkeypatch: pytest.MonkeyPatch,
                                                             tmp_path: pathlib.Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    settings = config.load(environ={"SETTLECAL_CONFIG": "/dev/null"})

    assert settings.database_url == f"sqlite:///{tmp_path / 'data' / 'settlecal' / 'settlecal.sqlite3'}"
    assert not settings.database_configured


def test_bad_settings_are_one_line_errors(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "settlecal.conf"
    path.write_text("[database]\npool_size = many\n")

    assert run("--config", str(path), "releases").output == "Error: [database] pool_size: 'many' is not a whole number\n"
    missing = run("releases", env={"SETTLECAL_CONFIG": str(tmp_path / "nowhere.conf")})
    assert (missing.exit_code, missing.output) == (1, f"Error: SETTLECAL_CONFIG: no such file '{tmp_path / 'nowhere.conf'}'\n")


def test_migrate_says_what_it_did(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(make_engine(url)), "0001")

    first, second = run("--database", url, "migrate"), run("--database", url, "migrate")

    steps = ", ".join(f"{number:04d}" for number in range(2, int(head()) + 1))
    assert first.output == (f"Migrated the database at {tmp_path / 'old.sqlite3'}: schema 0001 → {head()} "
                            f"(applied {steps}).\n")
    assert second.output == f"The database at {tmp_path / 'old.sqlite3'} is at schema {head()}, the newest: nothing to do.\n"
    assert run("--database", url, "releases").exit_code == 0


def test_an_older_schema_is_refused_by_readers(tmp_path: pathlib.Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    command.upgrade(alembic_config(make_engine(url)), "0001")

    result = run("--database", url, "calendars")

    assert result.exit_code == 1
    assert result.output == (f"Error: the database at {tmp_path / 'old.sqlite3'} is at schema 0001, this settlecal "
                             f"needs {head()}: run `settlecal migrate` against the primary, then start the server again\n")


def test_an_unreachable_database_is_one_line() -> None:
    result = run("--database", f"postgresql://settlecal:s3cret@{CLOSED_PORT}/settlecal", "releases")

    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot reach the database at postgresql://settlecal:***@{CLOSED_PORT}/settlecal: ")
    assert result.output.count("\n") == 1 and "s3cret" not in result.output


def test_config_check(engine: Engine, database_url: str, tmp_path: pathlib.Path) -> None:
    production = database_url.startswith("postgresql")
    result = run("--database", database_url, "config", "check",
                 env={"SETTLECAL_SMTP_URL": f"smtp://{CLOSED_PORT}?timeout=5"})
    lines = result.output.splitlines()

    assert any(line.startswith("ok") and "database:" in line for line in lines), lines
    assert any(line.startswith("ok") and f"schema: at {head()}" in line for line in lines), lines
    assert any(line.startswith("ERROR") and "mail: cannot reach the SMTP server" in line for line in lines), lines
    assert any(line.startswith("ERROR" if production else "warning") and "public URL: not set" in line
               for line in lines), lines
    assert result.exit_code == 1

    healthy = run("--database", database_url, "config", "check", env={"SETTLECAL_PUBLIC_URL": "https://c.example.org"})
    assert healthy.exit_code == 0, healthy.output
    assert "ok       public URL: https://c.example.org" in healthy.output


def test_notify_with_the_smtp_server_down_exits_75_and_keeps_the_messages(engine: Engine, database_url: str) -> None:
    subscribers_lib.add(engine, subscribers_lib.Subscription("ana@example.com"))
    imported = run("--database", database_url, "import", str(SAMPLES / "sample-release.csv"))
    assert "Warning: the messages link to http://127.0.0.1:5232, because no public URL is configured" in imported.output

    result = run("--database", database_url, "notify", env={"SETTLECAL_SMTP_URL": f"smtp://{CLOSED_PORT}?timeout=5"})

    assert result.exit_code == EXIT_DEFERRED
    assert result.output.startswith("Sent 0, deferred 1, failed 0; 1 still queued.\nLast error: cannot reach the SMTP server")


def test_the_configuration_reference_is_current() -> None:
    assert (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8") == configuration(), (
        "docs/configuration.md is stale: run `python -m importer.reference configuration > docs/configuration.md`"
    )
