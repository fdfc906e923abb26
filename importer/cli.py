"""`settlecal`: the admin command. Each command resolves its options, calls one library function and
prints the result; errors of the importer become click errors here and nowhere else."""

from __future__ import annotations

import contextlib
import datetime
import getpass
import pathlib
import sys
from collections.abc import Iterator
from typing import Any

import click
from sqlalchemy import Engine

from settlecal.db import queries
from settlecal.db.engine import DATABASE_URL_ENV, shown
from settlecal.db.snapshot import reading
from settlecal.domain import Kind
from importer import notify_report
from settlecal.notify import delivery as outbox_delivery
from settlecal.notify.transports import notifier_for
from settlecal.notify import outbox
from settlecal.releases import service as releases_lib
from importer import operate, publishing, report
from settlecal.notify import subscriptions as subscribers_lib
from settlecal.errors import SettlecalError
from settlecal.formats.query import Query
from settlecal.formats.registry import FORMATS
from settlecal.formats.registry import export as export_format
from settlecal.i18n.languages import LANGUAGES
from settlecal.notify.config import load_config
from importer.invocation import EXIT_DEFERRED, SettlecalGroup, global_options, invocation, translated_errors
from importer.options import calendar_filter, calendar_filter_options, json_option
from importer.terminal import visible
from settlecal.release_format.file import ReleaseFormat, read_release
from settlecal.release_format.limits import Limits
from settlecal.releases.removals import RemovalsRefused


@click.group(cls=SettlecalGroup)
@click.option("--config", "config_path", metavar="FILE",
              type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path),
              help="The settlecal.conf to read [default: $SETTLECAL_CONFIG, else /etc/settlecal/settlecal.conf, "
                   "else the user's config directory].")
@click.option("--database", metavar="URL", envvar=DATABASE_URL_ENV, show_envvar=True,
              help="SQLAlchemy URL of the database [default: [database] url of the config file, else a SQLite "
                   "file in the user's data directory].")
@click.version_option(package_name="settlecal")
@click.pass_context
def cli(ctx: click.Context, config_path: pathlib.Path | None, database: str | None) -> None:
    """Settlement calendars: load IATA BSP and CASS calendar releases and serve them over CalDAV."""
    global_options(ctx, config_path, database)


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=pathlib.Path))
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--note", help="A note kept with the release, e.g. why it was published.")
@click.option("--format", "file_format", type=click.Choice([f.value for f in ReleaseFormat]),
              help="The file's format [default: from its name, else from its content].")
@click.option("--allow-extra-columns", is_flag=True, help="Ignore columns the release format does not define.")
@click.option("--operator", default=getpass.getuser, show_default="the login name", help="Who imports it.")
@click.option("--no-notify", is_flag=True, help="Queue no e-mail to subscribers for this release.")
@click.option("--allow-removals", is_flag=True,
              help="Import even if it removes all, or more than a quarter, of a calendar year's key dates.")
@click.option("--publish", "publish_to", metavar="DIRECTORY", type=click.Path(file_okay=False, path_type=pathlib.Path),
              help="Then publish the calendars into DIRECTORY, as `settlecal publish DIRECTORY`.")
@json_option
def import_(file: pathlib.Path, dry_run: bool, note: str | None, file_format: str | None, allow_extra_columns: bool,
            operator: str, no_notify: bool, allow_removals: bool, publish_to: pathlib.Path | None,
            as_json: bool) -> None:
    """Validate a release file (CSV or XLSX) whole, then make it the truth for the calendars and years it holds.

    Prints the change per calendar: key dates added, moved (old → new), changed and removed, and
    how many of each year's key dates in force it removes. A file with any problem is rejected,
    listing every problem, and nothing is written. So is a file that would remove all, or more than
    a quarter, of the key dates of a (calendar, year) (a truncated file?), unless --allow-removals
    is given; a dry run shows the change and exits non-zero too.

    Example:

        settlecal import releases/2026-amendment-3.csv --note "Bank holiday 8 Dec"
    """
    with translated_errors(as_json):
        release_file = read_release(
            file, format=ReleaseFormat(file_format) if file_format else None,
            allow_extra_columns=allow_extra_columns, limits=Limits(max_file_size=invocation().settings.max_file_size),
        )
        engine = _created_or_migrated()
        with _progress(len(release_file.rows), enabled=not as_json) as progress:
            outcome = releases_lib.import_release(
                engine, release_file, operator=operator, note=note, dry_run=dry_run,
                allow_removals=allow_removals, progress=progress, notify=not no_notify,
            )
    _echo_outcome(outcome, as_json)
    if outcome.refused:  # a dry run of an import that would be refused: it shows the change, then why
        if as_json:
            sys.exit(1)
        raise click.ClickException(str(RemovalsRefused(outcome.refused)))
    _deliver_notifications(outcome)
    if publish_to is not None and not dry_run:
        with translated_errors():
            publishing.run(publish_to, quiet=as_json)  # JSON mode prints the import's document only


@cli.command()
@click.argument("release_id", metavar="[RELEASE_ID]", type=int, required=False)
@click.option("--note", help="Why the release is undone.")
@click.option("--operator", default=getpass.getuser, show_default="the login name", help="Who rolls back.")
@click.option("--no-notify", is_flag=True, help="Queue no e-mail to subscribers for this rollback.")
@json_option
def rollback(release_id: int | None, note: str | None, operator: str, no_notify: bool, as_json: bool) -> None:
    """Undo the newest import still in force, as a new release: clients see the previous dates return.

    RELEASE_ID names the release to undo; it is refused unless it is the newest import in force.

    Without RELEASE_ID, says which release it undoes (the newest import in force) before undoing exactly
    that one: an import finishing meanwhile is refused, never undone in its place. Repeat it to step
    further back; re-import a file to redo it.

    Example:

        settlecal rollback 7 --note "Published by mistake"
    """
    engine = invocation().database_engine("rw")
    with translated_errors():
        if release_id is None:
            target = releases_lib.next_rollback(engine)
            if target is not None:
                click.echo(visible(f"Rolling back release {target.id} ({target.file_name or 'no file'}, imported "
                                   f"{target.created_at:%Y-%m-%d %H:%M:%S} UTC by {target.operator})."), err=True)
                release_id = target.id
        outcome = releases_lib.rollback(engine, operator=operator, note=note, notify=not no_notify,
                                        release_id=release_id)
    _echo_outcome(outcome, as_json)
    _deliver_notifications(outcome)


@cli.command("releases")
@json_option
def releases_(as_json: bool) -> None:
    """List every release, newest first, with its counts and whether it is still in force.

    Example:

        settlecal releases --json
    """
    with reading(invocation().database_engine("ro")) as session:
        found = queries.releases(session)
    if as_json:
        click.echo(report.to_json([report.release_json(r) for r in found]))
    else:
        _echo_lines(report.release_lines(found))


@cli.group("release")
def release_group() -> None:
    """Inspect one release: what it changed, calendar by calendar."""


@release_group.command("show")
@click.argument("release_id", metavar="ID", type=int)
@json_option
def release_show(release_id: int, as_json: bool) -> None:
    """Show what release ID changed, per calendar.

    Example:

        settlecal release show 3
    """
    engine = invocation().database_engine("ro")
    with translated_errors():
        outcome = releases_lib.release_report(engine, release_id)
    if as_json:
        click.echo(report.to_json(report.outcome_json(outcome)))
        return
    assert outcome.release is not None
    _echo_lines(report.release_lines([outcome.release]))
    if outcome.release.note:
        click.echo(visible(f"note: {outcome.release.note}"))
    _echo_lines(report.outcome_lines(outcome))


@cli.command()
@calendar_filter_options
@json_option
def calendars(as_json: bool, **filters: Any) -> None:
    """List the calendars, filtered like the portal: system, country, currency, frequency.

    Example:

        settlecal calendars --system BSP --country ES
    """
    with reading(invocation().database_engine("ro")) as session:
        found = queries.calendars(session, calendar_filter(**filters))
    if as_json:
        click.echo(report.to_json([report.calendar_json(s) for s in found]))
    else:
        _echo_lines(report.calendar_lines(found))


@cli.command()
@calendar_filter_options
@click.option("--format", "format_name", type=click.Choice(sorted(FORMATS)), default="csv", show_default=True,
              help="; ".join(f"{name}: {FORMATS[name].description}" for name in sorted(FORMATS)))
@click.option("--kind", "kinds", multiple=True, type=click.Choice([kind.value for kind in Kind]),
              help="Only these kinds of key date (repeatable) [default: all].")
@click.option("--from", "first", type=click.DateTime(["%Y-%m-%d"]), help="From this day (YYYY-MM-DD).")
@click.option("--to", "last", type=click.DateTime(["%Y-%m-%d"]), help="Until this day (YYYY-MM-DD).")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default="en", show_default=True,
              help="Language of ics, pdf and atom.")
@click.option("-o", "--output", type=click.File("wb", lazy=True), default="-",
              help="Where to write [default: standard output].")
def export(format_name: str, kinds: tuple[str, ...], first: Any, last: Any, lang: str, output: Any,
           **filters: Any) -> None:
    """Write calendars out: as a CSV release (importing it again changes nothing), iCalendar, PDF or Atom.

    Example:

        settlecal export --system BSP --country ES -o es.csv
        settlecal export --country ES --kind remittance --format ics -o es-remittances.ics
    """
    engine = invocation().database_engine("ro")
    query = Query(calendar_filter(**filters), tuple(Kind(kind) for kind in kinds),
                  first and first.date(), last and last.date(), lang=lang, origin=load_config().public_url)
    output.write(export_format(engine, format_name, query))


def _created_or_migrated() -> Engine:
    """The database for an import: created or migrated first, and said so on standard error."""
    engine, change, created = invocation().created_or_migrated()
    where = shown(invocation().settings.database_url)
    if created:
        click.echo(f"Created the database at {where}.", err=True)
    elif change.applied:
        click.echo(f"Migrated the database at {where}: {operate.schema_change_line(change)}.", err=True)
    return engine


@contextlib.contextmanager
def _progress(rows: int, *, enabled: bool) -> Iterator[releases_lib.Progress | None]:
    if not (enabled and sys.stderr.isatty()):
        yield None
        return
    with click.progressbar(length=rows, label="Importing", file=sys.stderr) as bar:
        yield bar.update


def _echo_outcome(outcome: releases_lib.Outcome, as_json: bool) -> None:
    if as_json:
        click.echo(report.to_json(report.outcome_json(outcome)))
    else:
        _echo_lines(report.outcome_lines(outcome))


def _echo_lines(lines: Any) -> None:
    for line in lines:
        click.echo(visible(line))


# ---------------------------------------------------------------------------------------------
# Change notifications: subscribers, and delivery of the outbox (docs/notifications.md).


def _kinds(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> frozenset[Kind] | None:
    kinds = set()
    for value in values:
        for name in filter(None, (part.strip().lower() for part in value.split(","))):
            try:
                kinds.add(Kind(name))
            except ValueError:
                raise click.BadParameter(
                    f"{name!r} is not one of {', '.join(kind.value for kind in Kind)}", ctx, param) from None
    return frozenset(kinds) or None


def _deliver_notifications(outcome: releases_lib.Outcome) -> None:
    """Best effort, right after the commit: what cannot go out now stays queued for `notify`."""
    if not outcome.notifications:
        return
    if invocation().settings.public_url is None:
        click.echo(f"Warning: the messages link to {invocation().settings.links_base}, because no public URL is "
                   "configured: set [server] public_url in settlecal.conf (see `settlecal config check`).", err=True)
    try:
        config = load_config()
        notifier = notifier_for(config)
        if notifier is None:
            click.echo(f"{outcome.notifications} notification(s) queued; no SMTP server is configured: "
                       "run `settlecal notify` once it is.", err=True)
            return
        delivery = outbox_delivery.deliver(invocation().database_engine("rw"), notifier)
    except SettlecalError as error:
        click.echo(f"{outcome.notifications} notification(s) queued, not sent: {error}", err=True)
        return
    for line in notify_report.delivery_lines(delivery):
        click.echo(f"Notifications: {line}", err=True)


@cli.group("subscribers")
def subscribers_group() -> None:
    """Who is told by e-mail what a release changed."""


@subscribers_group.command("add")
@click.argument("email")
@calendar_filter_options
@click.option("--kind", "kinds", multiple=True, callback=_kinds, metavar="KIND",
              help="Only these key-date kinds (repeat, or comma-separated) [default: all].")
@click.option("--lang", type=click.Choice(list(LANGUAGES)), default="en", show_default=True,
              help="Language of the messages.")
def subscribers_add(email: str, kinds: frozenset[Kind] | None, lang: str, **filters: Any) -> None:
    """Subscribe EMAIL, confirmed, to the changes of the calendars that match the filters.

    Example:

        settlecal subscribers add treasury@example.com --system BSP --country ES --kind remittance --lang es
    """
    with translated_errors():
        row = subscribers_lib.add(invocation().database_engine("rw"), subscribers_lib.Subscription(email, calendar_filter(**filters), kinds, lang))
    click.echo(f"Subscribed {notify_report.subscriber_line(row)}.")


@subscribers_group.command("remove")
@click.argument("email")
def subscribers_remove(email: str) -> None:
    """End every subscription of EMAIL, and drop the messages still queued for it.

    Example:

        settlecal subscribers remove treasury@example.com
    """
    with translated_errors():
        removed = subscribers_lib.remove(invocation().database_engine("rw"), email)
    click.echo(f"Removed {len(removed)} subscription(s) of {email}.")


@subscribers_group.command("list")
@json_option
def subscribers_list(as_json: bool) -> None:
    """List the subscribers, confirmed and pending, by e-mail address.

    Example:

        settlecal subscribers list --json
    """
    found = subscribers_lib.listed(invocation().database_engine("ro"))
    if as_json:
        click.echo(report.to_json([notify_report.subscriber_json(row) for row in found]))
    else:
        _echo_lines(notify_report.subscriber_lines(found))


@cli.command()
@click.option("--retry-now", is_flag=True, help="Try every queued message now, ignoring the back-off.")
@click.option("--requeue-failed", is_flag=True, help="Queue messages refused for good (5xx) again first.")
@click.option("--requeue-uncertain", is_flag=True,
              help="Queue again, with the same Message-ID, messages a stopped sender may have delivered.")
@json_option
def notify(retry_now: bool, requeue_failed: bool, requeue_uncertain: bool, as_json: bool) -> None:
    """Deliver the notifications that are due over SMTP ($SETTLECAL_SMTP_URL); run it every minute or so.

    Messages the server cannot take now stay queued and are retried later (1 minute, doubling, at
    most 6 hours apart); none is sent twice.

    Example:

        SETTLECAL_SMTP_URL='smtp://mailer:secret@smtp.example.com:587?starttls=1' settlecal notify
    """
    engine = invocation().database_engine("rw")
    with translated_errors():
        config = load_config()
        if requeue_failed or requeue_uncertain:
            outbox.requeue(engine, failed=requeue_failed, uncertain=requeue_uncertain,
                           now=datetime.datetime.now(datetime.UTC))
        delivery = outbox_delivery.deliver(engine, notifier_for(config), retry_now=retry_now)
    if as_json:
        click.echo(report.to_json(notify_report.delivery_json(delivery)))
    else:
        _echo_lines(notify_report.delivery_lines(delivery))
    if delivery.error is not None and delivery.queued:
        sys.exit(EXIT_DEFERRED)


cli.add_command(operate.serve)
cli.add_command(operate.migrate)
cli.add_command(operate.config_group)
cli.add_command(publishing.publish)
