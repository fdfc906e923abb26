"""Every read of the database that the server, the page and the admin command share, by concern.

Functions take the session first and return plain values, never ORM objects that could lazy-load
after their session is gone. Writes live elsewhere: releases in settlecal/releases/apply.py, the
outbox in settlecal/notify/outbox.py.
"""

from settlecal.db.queries.calendars import (
    CalendarState, CalendarSummary, EventRow, calendar_key, calendar_state, calendar_states, calendars, events,
    filter_calendars, key_date_count, utc,
)
from settlecal.db.queries.releases import (
    FeedChange, PeriodInForce, ReleaseSummary, StoredChange, by_calendar, changes_of_releases, current_revision,
    latest_release_in_force, periods_in_force, recent_release_ids, release, release_changes, releases,
)
from settlecal.db.queries.selection import SelectedKeyDate, selected_key_dates

__all__ = [
    "CalendarState", "CalendarSummary", "EventRow", "FeedChange", "PeriodInForce", "ReleaseSummary",
    "SelectedKeyDate", "StoredChange", "by_calendar", "calendar_key", "calendar_state", "calendar_states", "calendars",
    "changes_of_releases", "current_revision", "events", "filter_calendars", "key_date_count",
    "latest_release_in_force", "periods_in_force", "recent_release_ids", "release", "release_changes", "releases", "selected_key_dates",
    "utc",
]
