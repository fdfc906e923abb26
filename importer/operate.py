"""The commands that run and look after a deployment: `serve`, `migrate` and `config`."""

from __future__ import annotations

import json
import pathlib
import sys

import click

from importer.invocation import invocation
from settlecal import checks
from settlecal import config as settings_file
from settlecal.db.engine import shown
from settlecal.db.schema import SchemaChange

_MARKS = {"ok": "ok     ", "warning": "warning", "error": "ERROR  "}


def schema_change_line(change: SchemaChange) -> str:
    steps = ", ".join(change.applied)
    return f"schema {change.before or 'none'} → {change.after} (applied {steps})"


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=5232, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port, printed at start).")
@click.option("--config", "config_path", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
              help="The settlecal.conf to read (the same as `settlecal --config FILE serve`).")
def serve(host: str, port: int, config_path: pathlib.Path | None) -> None:
    """Serve the calendars over CalDAV and HTTP (Radicale with the plugin and the web page) until Ctrl-C.

    Clients log in as bsp, cass or cass-import (any password) at http://HOST:PORT/, or subscribe to
    http://HOST:PORT/bsp/es-eur-monthly.ics. Refuses to start on a database that does not exist or
    is at another schema; answers 503 while the database cannot be reached. For several processes
    run caldav_plugin.wsgi:application under gunicorn (docs/deployment.md).

    Example:

        settlecal serve --host 0.0.0.0 --port 5232
    """
    from caldav_plugin.serve import serve as serve_calendars  # imports Radicale: only when serving

    if config_path is not None:
        invocation().use_config(config_path)
    serve_calendars(invocation().settings, host, port, announce=lambda line: click.echo(line, err=True))


@click.command()
def migrate() -> None:
    """Create the database, or bring its schema up to the newest migration; says what it did.

    Run it against the primary when upgrading settlecal, before restarting the servers (they refuse
    to start on an older schema). Safe to run twice, or from several hosts at once.

    Example:

        settlecal --database postgresql://settlecal@db-primary/settlecal migrate
    """
    engine, change, created = invocation().created_or_migrated()
    where = shown(invocation().settings.database_url)
    if created:
        click.echo(f"Created the database at {where}.")
    if change.applied:
        click.echo(f"Migrated the database at {where}: {schema_change_line(change)}.")
    else:
        click.echo(f"The database at {where} is at schema {change.after}, the newest: nothing to do.")
    engine.dispose()


@click.group("config")
def config_group() -> None:
    """The configuration file, settlecal.conf: an example to start from, and a check of the one in use."""


@config_group.command("example")
def config_example() -> None:
    """Print a commented settlecal.conf with every option, its environment variable and its default.

    Example:

        settlecal config example > /etc/settlecal/settlecal.conf
    """
    click.echo(settings_file.example(), nl=False)


@config_group.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def config_check(as_json: bool) -> None:
    """Check the configuration in use: the database answers at the newest schema (and the primary takes
    writes), the public URL is set, the SMTP server accepts a login. Exit status 1 on any error.

    Example:

        settlecal --config /etc/settlecal/settlecal.conf config check
    """
    found = checks.check(invocation().settings)
    if as_json:
        click.echo(json.dumps([{"name": c.name, "level": c.level, "message": c.message} for c in found], indent=2))
    else:
        for each in found:
            click.echo(f"{_MARKS[each.level]}  {each.name}: {each.message}")
    if any(each.level == "error" for each in found):
        sys.exit(1)
