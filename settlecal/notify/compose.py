"""Composing notifications: what a release changed in the calendars one subscriber follows, in their
language, as plain text and HTML, with the headers that let them leave in one click (RFC 8058).

Pure: no database, no network. The outbox stores what this returns.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jinja2

from settlecal.db.queries.notifications import SubscriberRow
from settlecal.db.queries import CalendarSummary, ReleaseSummary
from settlecal.db.queries.settles import Settles
from settlecal.domain import CalendarKey, Kind
from settlecal.formats.ical import settles_text
from settlecal.changes import Action, KeyDateChange
from settlecal.db.queries.calendars import utc
from settlecal.i18n.translator import Translator, translator
from settlecal.notify import wording
from settlecal.notify.config import NotifyConfig

# The order sections appear in: what moved first, since that is what people must act on.
ACTION_ORDER = (Action.MOVED, Action.ADDED, Action.REMOVED, Action.CHANGED)


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarNotice:
    """What one release did to one calendar. `created` holds the counts of a calendar the release
    created (its key dates are not listed one by one)."""

    calendar: CalendarKey
    changes: tuple[KeyDateChange, ...]
    created: CalendarSummary | None = None
    settles: Mapping[str, Settles] = dataclasses.field(default_factory=dict)  # by remittance period code

    def for_subscriber(self, subscriber: SubscriberRow) -> CalendarNotice | None:
        """The part this subscriber follows, or None."""
        if not subscriber.where.matches(self.calendar):
            return None
        if subscriber.kinds is None or self.created is not None:
            return self
        changes = tuple(c for c in self.changes if c.kind in subscriber.kinds)
        return dataclasses.replace(self, changes=changes) if changes else None


@dataclasses.dataclass(frozen=True, slots=True)
class ComposedMessage:
    """A message ready for the outbox; From and To are added when it is sent."""

    message_id: str
    recipient: str
    subject: str
    text: str
    html: str
    headers: dict[str, str]


def release_message(
    release: ReleaseSummary,
    notices: Sequence[CalendarNotice],
    subscriber: SubscriberRow,
    config: NotifyConfig,
) -> ComposedMessage:
    """The message telling `subscriber` what `release` changed in `notices` (already theirs)."""
    t = translator(subscriber.lang)
    links = config.links
    names = [t.calendar(notice.calendar) for notice in notices]
    if len(names) == 1:
        subject = t("Settlement calendar change: {calendar}").format(calendar=names[0])
    else:
        subject = t.ngettext("Settlement calendar changes: {n} calendar", "Settlement calendar changes: {n} calendars",
                             len(names))
    when = wording.moment(t, release.created_at)
    if release.action == "rollback":
        intro = t("Release {release} ({when}) undid release {undone}: the dates it changed are back to what they "
                  "were.").format(release=release.id, when=when, undone=release.undoes_id)
    else:
        intro = t.ngettext("Release {release} ({file}, {when}) changed {n} calendar you follow.",
                           "Release {release} ({file}, {when}) changed {n} calendars you follow.",
                           len(notices), release=release.id, file=release.file_name, when=when)
    context = {
        "t": t, "subject": subject, "intro": intro, "note": release.note,
        "calendars": [_calendar_context(notice, t, config) for notice in notices],
        "because": t("You receive this because you follow: {filter}.").format(
            filter=wording.following(t, subscriber.where, subscriber.kinds)),
        "feed": links.changes_feed(_filter_query(subscriber)),
        "unsubscribe": links.unsubscribe(subscriber.token),
    }
    stamp = utc(release.created_at).strftime("%Y%m%d%H%M%S")
    return _message(
        f"<settlecal.r{release.id}.s{subscriber.id}.{stamp}@{config.message_domain}>",
        subscriber, subject, "release", context, release.created_at, config,
    )


def confirmation_message(
    subscriber: SubscriberRow, number: int, now: datetime.datetime, config: NotifyConfig,
) -> ComposedMessage:
    """The message with the link that confirms a subscription made on the web page (double opt-in).

    `number` counts the confirmation requests of this subscriber, so each has its own Message-ID.
    """
    t = translator(subscriber.lang)
    links = config.links
    subject = t("Confirm your subscription to settlement calendar changes")
    intro = t("Someone, hopefully you, asked to be told by e-mail when these settlement calendars change: "
              "{filter}.").format(filter=wording.following(t, subscriber.where, subscriber.kinds))
    context = {
        "t": t, "subject": subject, "intro": intro,
        "confirm": links.confirm(subscriber.token), "unsubscribe": links.unsubscribe(subscriber.token),
    }
    stamp = utc(subscriber.created_at).strftime("%Y%m%d%H%M%S")
    return _message(
        f"<settlecal.confirm.s{subscriber.id}.{number}.{stamp}@{config.message_domain}>",
        subscriber, subject, "confirm", context, now, config,
    )


def _message(message_id: str, subscriber: SubscriberRow, subject: str, template: str, context: dict[str, Any],
             date: datetime.datetime, config: NotifyConfig) -> ComposedMessage:
    headers = {
        "Date": email.utils.format_datetime(utc(date)),
        "Content-Language": translator(subscriber.lang).tag,
        "Auto-Submitted": "auto-generated",
        "List-Id": f"Settlement calendar changes <changes.{config.message_domain}>",
        "List-Unsubscribe": f"<{config.links.unsubscribe(subscriber.token)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return ComposedMessage(
        message_id, subscriber.email, subject,
        _templates().get_template(f"{template}.txt.j2").render(context),
        _templates().get_template(f"{template}.html.j2").render(context),
        headers,
    )


def _calendar_context(notice: CalendarNotice, t: Translator, config: NotifyConfig) -> dict[str, Any]:
    links = config.links
    return {
        "name": t.calendar(notice.calendar),
        "created": notice.created and _created(notice.created, t),
        "groups": [] if notice.created else list(_groups(notice.changes, t, notice.settles)),
        "page": links.calendar_page(notice.calendar, t.lang),
        "https": links.calendar_https(notice.calendar),
        "webcal": links.calendar_webcal(notice.calendar),
    }


def _created(created: CalendarSummary, t: Translator) -> str:
    """`New calendar: 12 periods, 48 key dates, 2026-01-01 (Thu) … 2026-12-31 (Thu).`"""
    periods = t.ngettext("{n} period", "{n} periods", created.periods)
    key_dates = t.ngettext("{n} key date", "{n} key dates", created.key_dates)
    first = created.first and wording.day(t, created.first)
    last = created.last and wording.day(t, created.last)
    return t("New calendar: {periods}, {key_dates}, {first} … {last}.").format(
        periods=periods, key_dates=key_dates, first=first, last=last)


def _groups(changes: Iterable[KeyDateChange], t: Translator,
            settles: Mapping[str, Settles]) -> Iterable[dict[str, Any]]:
    by_action: dict[Action, list[KeyDateChange]] = {}
    for change in changes:
        by_action.setdefault(change.action, []).append(change)
    for action in ACTION_ORDER:
        if action in by_action:
            yield {"label": wording.action_heading(t, action),
                   "lines": [_line(change, t, settles) for change in by_action[action]]}


def _line(change: KeyDateChange, t: Translator, settles: Mapping[str, Settles]) -> dict[str, str]:
    if change.action is Action.CHANGED:
        text = wording.changed(t, change)
        return {"period": change.period, "kind": t.kind(change.kind), "old": "", "new": text, "text": text}
    old = wording.state(t, change.old) if change.old is not None else ""
    new = wording.state(t, change.new) if change.new is not None else ""
    settled = settles.get(change.period) if change.kind is Kind.REMITTANCE and change.new is not None else None
    if settled is not None:
        new = f"{new} {settles_text(settled, t)}"
    text = f"{old} {t.arrow} {new}" if old and new else old or new
    return {"period": change.period, "kind": t.kind(change.kind), "old": old, "new": new, "text": text}


def _filter_query(subscriber: SubscriberRow) -> dict[str, str]:
    where = subscriber.where
    query = {name: str(value) for name, value in (
        ("system", where.system), ("country", where.country), ("currency", where.currency),
        ("frequency", where.frequency)) if value is not None}
    if subscriber.kinds:
        query["kind"] = ",".join(sorted(kind.value for kind in subscriber.kinds))
    query["lang"] = subscriber.lang
    return query


@functools.cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("settlecal.notify", "templates"),
        autoescape=lambda name: name is not None and name.endswith(".html.j2"),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
