"""`settlecal publish DIR`: the calendars as static files for nginx or a CDN (settlecal/publish.py)."""

from __future__ import annotations

import json
import pathlib

import click

from importer.invocation import invocation
from settlecal import publish as publishing
from settlecal import renders


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=pathlib.Path))
@click.option("--public-url", metavar="URL",
              help="The server's public base URL, for the change feed's links [default: [server] public_url; "
                   "without one the change feed is not published].")
@click.option("--refresh-interval", default=renders.DEFAULT_REFRESH_MINUTES, show_default=True,
              type=click.IntRange(1), metavar="MINUTES",
              help="The servers' [storage] refresh_interval: it is part of every calendar's bytes.")
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def publish(directory: pathlib.Path, public_url: str | None, refresh_interval: int, as_json: bool) -> None:
    """Write every calendar as DIRECTORY/bsp/es-eur-monthly.ics and .ics.gz, and the page's feeds
    without parameters (.web/feed.ics, .web/changes.atom), each replaced atomically.

    The bytes are the ones the server answers with; a file whose bytes did not change is left as it
    is, and each calendar file's modification time is its revision's, so nginx's ETag and
    Last-Modified change only when the calendar does. Run it after each import (or use
    `settlecal import --publish DIRECTORY`) and serve DIRECTORY with config/nginx-static.conf.

    Example:

        settlecal publish /var/www/settlecal
    """
    run(directory, public_url=public_url, refresh_interval=refresh_interval, as_json=as_json)


def run(directory: pathlib.Path, *, public_url: str | None = None,
        refresh_interval: int = renders.DEFAULT_REFRESH_MINUTES, as_json: bool = False, quiet: bool = False) -> None:
    origin = public_url if public_url is not None else (invocation().settings.public_url or "")
    done = publishing.publish(invocation().database_engine("rw"), directory, refresh_minutes=refresh_interval,
                              origin=origin)
    if quiet:
        return
    if as_json:
        click.echo(json.dumps({"revision": done.revision, "written": done.written, "unchanged": done.unchanged,
                               "rendered": done.rendered}, indent=2))
        return
    click.echo(f"Published revision {done.revision} to {directory}: {len(done.written)} files written, "
               f"{done.unchanged} unchanged.")
