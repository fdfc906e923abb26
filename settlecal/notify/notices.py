"""Telling subscribers what a release changed: one message per subscriber whose filter matches a
changed calendar, queued in the release's own transaction, so a release and its notifications are
committed together or not at all. `delivery.deliver` hands them to the notifier after the commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from sqlalchemy.orm import Session

from settlecal.changes import CalendarReport
from settlecal.db import queries
from settlecal.db.queries import notifications as notifications_db
from settlecal.db.queries.settles import settled_periods
from settlecal.domain import CalendarFilter
from settlecal.notify import outbox
from settlecal.notify.compose import CalendarNotice, release_message
from settlecal.notify.config import NotifyConfig, load_config

def enqueue(
    session: Session,
    release: queries.ReleaseSummary,
    reports: Sequence[CalendarReport],
    *,
    config: NotifyConfig | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Queues the messages of a release just written in `session`; returns how many."""
    subscribers = notifications_db.subscribers(session, confirmed=True)
    if not subscribers or not reports:
        return 0
    config = config or load_config()
    now = now or datetime.datetime.now(datetime.UTC)
    notices = [_notice(session, report) for report in reports]
    queued = 0
    for subscriber in subscribers:
        theirs = [n for notice in notices if (n := notice.for_subscriber(subscriber)) is not None]
        if theirs:
            message = release_message(release, theirs, subscriber, config)
            outbox.queue(session, message, release_id=release.id, subscriber_id=subscriber.id, now=now)
            queued += 1
    return queued


def _notice(session: Session, report: CalendarReport) -> CalendarNotice:
    if not report.created:
        # Remittances that settle several periods say which (as the calendar's events do).
        state = queries.calendar_state(session, report.calendar)
        settles = {} if state is None else {
            code: found for (_, code), found in settled_periods(session, [state.id]).items()}
        return CalendarNotice(report.calendar, report.changes, settles=settles)
    key = report.calendar
    # A new calendar's report lists no key dates; its counts and span come from what was just written.
    summary = queries.calendars(session, CalendarFilter(key.system, key.country, key.currency, key.frequency))
    return CalendarNotice(key, (), summary[0])
