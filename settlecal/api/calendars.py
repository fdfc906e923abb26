"""`/calendars` and `/key-dates`: the calendars of a filter, and their key dates in force, page by page."""

from __future__ import annotations

import datetime
from typing import Final

from sqlalchemy.orm import Session

from settlecal import hrefs
from settlecal.api import cursor, resources
from settlecal.api.links import Links, calendar_ref
from settlecal.api.paging import Pager
from settlecal.api.parameters import Arguments
from settlecal.db import queries
from settlecal.db.queries import changelog
from settlecal.db.queries.selection import SelectedKeyDate

# A key date's position: date, system, country, currency, frequency, period code, kind.
KEY_DATE_POSITION: Final = (cursor.day, *(cursor.text,) * 6)


def calendar_list(session: Session, arguments: Arguments, links: Links) -> resources.CalendarList:
    where = arguments.selection.filter
    changed_at = {state.key: state.modified_at for state in queries.calendar_states(session)}
    return resources.CalendarList(
        revision=queries.current_revision(session),
        calendars=tuple(_calendar(summary, changed_at[summary.key], links)
                        for summary in queries.calendars(session, where)),
    )


def key_date_page(session: Session, pager: Pager, links: Links) -> resources.KeyDatePage:
    """One page of the selection's key dates. Its cursor holds the revision of the calendars it reads,
    so pages of one pagination all come from one state of them (else CursorStale)."""
    chosen = pager.arguments.selection
    made_at = changelog.selection_revision(session, chosen.filter)
    rows = queries.selected_key_dates(session, chosen.filter, kinds=chosen.kinds, first=chosen.first,
                                      last=chosen.last, after=pager.after(KEY_DATE_POSITION, made_at),
                                      limit=pager.fetch)
    page = pager.page(rows, lambda row: row.position, made_at)
    return resources.KeyDatePage(
        revision=queries.current_revision(session),
        key_dates=tuple(_key_date(row, links) for row in page.items),
        next_cursor=page.next_cursor,
        next=page.next,
    )


def _calendar(summary: queries.CalendarSummary, changed_at: datetime.datetime, links: Links) -> resources.Calendar:
    key = summary.key
    return resources.Calendar(
        id=hrefs.collection_path(key), system=key.system, country=key.country, currency=key.currency,
        frequency=key.frequency, name=key.label, timezone=summary.timezone, revision=summary.revision,
        modified_at=changed_at,
        periods=summary.periods, key_dates=summary.key_dates, first_date=summary.first,
        last_date=summary.last, links=links.calendar(key),
    )


def _key_date(row: SelectedKeyDate, links: Links) -> resources.KeyDate:
    key, event = row.calendar, row.event
    return resources.KeyDate(
        calendar=calendar_ref(key), kind=event.kind, date=event.date, end=event.end, cutoff=event.cutoff,
        timezone=row.timezone,
        period=resources.Period(event.period, event.period_start, event.period_end, event.remarks),
        settles=None if event.settles is None else resources.SettledPeriods(
            event.settles.first, event.settles.last, event.settles.start, event.settles.end, event.settles.count),
        sequence=event.sequence, revision=event.revision, modified_at=event.modified_at,
        uid=hrefs.event_uid(key, event.period, event.kind), href=links.event(key, event.period, event.kind),
    )
