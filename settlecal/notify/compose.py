"""Composing notifications: what a release changed in the calendars one subscriber follows, in their
language, as plain text and HTML, with the headers that let them leave in one click (RFC 8058).

Pure: no database, no network. The outbox stores what this returns.
"""

from __future__ import annotations

import dataclasses
import datetime
import email.utils
import functools
from collections.abc import Iterable, Sequence
from typing import Any

import jinja2

from settlecal.db.queries.notifications import SubscriberRow
from settlecal.db.queries import CalendarSummary, ReleaseSummary
from settlecal.domain import CalendarKey
from settlecal.changes import Action, KeyDateChange
from settlecal.db.queries.calendars import utc
from settlecal.notify.wording import Wording
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
    t = Wording(subscriber.lang)
    links = config.links
    names = [t.calendar(notice.calendar) for notice in notices]
    subject = t.phrase("subject", calendars=names[0]) if len(names) == 1 else t.phrase("subject_many", count=len(names))
    if release.action == "rollback":
        intro = t.phrase("intro_rollback", release=release.id, when=t.moment(release.created_at),
                         undone=release.undoes_id)
    else:
        intro = t.phrase("intro_import", release=release.id, file=release.file_name, when=t.moment(release.created_at),
                         count=len(notices))
    context = {
        "t": t, "subject": subject, "intro": intro, "note": release.note,
        "calendars": [_calendar_context(notice, t, config) for notice in notices],
        "because": t.phrase("because", filter=t.filter(subscriber.where, subscriber.kinds)),
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
    t = Wording(subscriber.lang)
    links = config.links
    context = {
        "t": t, "subject": t.confirm_subject,
        "intro": t.phrase("confirm_intro", filter=t.filter(subscriber.where, subscriber.kinds)),
        "confirm": links.confirm(subscriber.token), "unsubscribe": links.unsubscribe(subscriber.token),
    }
    stamp = utc(subscriber.created_at).strftime("%Y%m%d%H%M%S")
    return _message(
        f"<settlecal.confirm.s{subscriber.id}.{number}.{stamp}@{config.message_domain}>",
        subscriber, t.confirm_subject, "confirm", context, now, config,
    )


def _message(message_id: str, subscriber: SubscriberRow, subject: str, template: str, context: dict[str, Any],
             date: datetime.datetime, config: NotifyConfig) -> ComposedMessage:
    headers = {
        "Date": email.utils.format_datetime(utc(date)),
        "Content-Language": Wording(subscriber.lang).lang,
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


def _calendar_context(notice: CalendarNotice, t: Wording, config: NotifyConfig) -> dict[str, Any]:
    links = config.links
    created = notice.created
    return {
        "name": t.calendar(notice.calendar),
        "created": created and t.phrase(
            "new_calendar", periods=created.periods, key_dates=created.key_dates,
            first=created.first and t.day(created.first), last=created.last and t.day(created.last)),
        "groups": [] if created else list(_groups(notice.changes, t)),
        "page": links.calendar_page(notice.calendar, t.lang),
        "https": links.calendar_https(notice.calendar),
        "webcal": links.calendar_webcal(notice.calendar),
    }


def _groups(changes: Iterable[KeyDateChange], t: Wording) -> Iterable[dict[str, Any]]:
    by_action: dict[Action, list[KeyDateChange]] = {}
    for change in changes:
        by_action.setdefault(change.action, []).append(change)
    for action in ACTION_ORDER:
        if action in by_action:
            yield {"label": t.phrase(action), "lines": [_line(change, t) for change in by_action[action]]}


def _line(change: KeyDateChange, t: Wording) -> dict[str, str]:
    if change.action is Action.CHANGED:
        text = t.changed(change)
        return {"period": change.period, "kind": t.kind(change.kind), "old": "", "new": text, "text": text}
    old = t.state(change.old) if change.old is not None else ""
    new = t.state(change.new) if change.new is not None else ""
    text = f"{old} → {new}" if old and new else old or new
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
