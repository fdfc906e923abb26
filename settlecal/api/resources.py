"""The JSON API's answers as types: each class is one JSON object, its fields in this order.

The OpenAPI document's schemas are generated from these classes (settlecal/api/schema.py) and the
answers are encoded from them (settlecal/api/encode.py), so the document and the answers cannot drift.
A field's `Doc` is its description in the document. Every field is always present; `None` is `null`.
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Annotated, Literal

from settlecal.changes import Action
from settlecal.domain import Frequency, Kind, System


@dataclasses.dataclass(frozen=True, slots=True)
class Doc:
    """The description of a field in the OpenAPI document."""

    text: str


Revision = Annotated[int, Doc("The global revision this answer was read at: it rises by one with each import "
                              "or rollback. Also in the `X-Settlecal-Revision` header.")]
NextCursor = Annotated[str | None, Doc("Pass as `cursor` to get the next page; null on the last page.")]
NextUrl = Annotated[str | None, Doc("The URL of the next page (also in the `Link` header); null on the last page.")]
CalendarId = Annotated[str, Doc("The calendar's path on the server: `bsp/es-eur-monthly`.")]
ProblemCode = Literal["invalid_parameter", "unknown_parameter", "invalid_cursor", "cursor_stale", "since_in_future",
                      "not_found", "method_not_allowed", "query_too_long"]


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarRef:
    """The four things that identify a calendar, and its id."""

    id: CalendarId
    system: System
    country: Annotated[str, Doc("ISO 3166-1 alpha-2 code.")]
    currency: Annotated[str, Doc("ISO 4217 code.")]
    frequency: Frequency


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarLinks:
    """Where to get a calendar: subscribe, sync over CalDAV, look at it, or read its key dates here."""

    caldav: Annotated[str, Doc("The CalDAV collection (log in as its system, e.g. `bsp`, to discover it).")]
    ics: Annotated[str, Doc("The whole calendar as one iCalendar file, for \"subscribe from web\".")]
    webcal: Annotated[str, Doc("The same with the `webcal:` scheme, so calendar apps subscribe to it.")]
    page: Annotated[str, Doc("The calendar on the web page.")]
    key_dates: Annotated[str, Doc("Its key dates in this API.")]


@dataclasses.dataclass(frozen=True, slots=True)
class Calendar:
    """A settlement calendar (one CalDAV collection)."""

    id: CalendarId
    system: System
    country: Annotated[str, Doc("ISO 3166-1 alpha-2 code.")]
    currency: Annotated[str, Doc("ISO 4217 code.")]
    frequency: Frequency
    name: Annotated[str, Doc("How people name it: `BSP ES EUR monthly`.")]
    timezone: Annotated[str | None, Doc("The IANA time zone of its cut-off times (the operation's, e.g. "
                                        "`Europe/Madrid`): the release's `timezone`, else the country's principal zone.")]
    revision: Annotated[int, Doc("The last revision that changed any of its key dates.")]
    modified_at: Annotated[datetime.datetime, Doc("When that revision was made (UTC).")]
    periods: Annotated[int, Doc("How many periods have key dates in force.")]
    key_dates: Annotated[int, Doc("How many key dates are in force.")]
    first_date: Annotated[datetime.date | None, Doc("Its earliest key date; null when it has none in force.")]
    last_date: Annotated[datetime.date | None, Doc("The last day of its latest key date; null when it has none.")]
    links: CalendarLinks


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarList:
    """The calendars that match the filters, by system, country, currency and frequency."""

    revision: Revision
    calendars: tuple[Calendar, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Period:
    """The reporting or billing period a key date belongs to."""

    code: Annotated[str, Doc("The operator's label, unique within its calendar: `2026-03-4`, `2606`, `2026-W40`.")]
    start: datetime.date
    end: Annotated[datetime.date, Doc("Its last day (inclusive).")]
    remarks: Annotated[str | None, Doc("The operator's remarks on the period.")]


@dataclasses.dataclass(frozen=True, slots=True)
class SettledPeriods:
    """The reporting periods one remittance settles, when more than its own (a period without a
    remittance of its own is settled by the next remittance of its calendar)."""

    first: Annotated[str, Doc("The first period's code: `2026-03-1`.")]
    last: Annotated[str, Doc("The last period's code, the remittance's own: `2026-03-4`.")]
    start: Annotated[datetime.date, Doc("The first period's first day.")]
    end: Annotated[datetime.date, Doc("The last period's last day (inclusive).")]
    count: Annotated[int, Doc("How many periods it settles.")]


@dataclasses.dataclass(frozen=True, slots=True)
class KeyDate:
    """One key date in force: an all-day event of its calendar."""

    calendar: CalendarRef
    kind: Kind
    date: Annotated[datetime.date, Doc("Its (first) day, a local calendar date of the operation.")]
    end: Annotated[datetime.date, Doc("Its last day (inclusive): the period's end for `period`, else `date`.")]
    cutoff: Annotated[str | None, Doc("The cut-off time (`HH:MM`, local to the operation), if the release gives one.")]
    timezone: Annotated[str, Doc("The operation's IANA time zone, in which `cutoff` is local time: `Europe/Madrid`.")]
    period: Period
    settles: Annotated[SettledPeriods | None, Doc("For a remittance that settles several reporting periods: which. "
                                                  "Null for other key dates and for a remittance of its own period only.")]
    sequence: Annotated[int, Doc("The event's iCalendar SEQUENCE: rises each time it changes.")]
    revision: Annotated[int, Doc("The revision that last changed it (or how it renders).")]
    modified_at: Annotated[datetime.datetime, Doc("When that revision was made (UTC): the event's LAST-MODIFIED.")]
    uid: Annotated[str, Doc("The event's UID, stable for ever (calendar + period + kind).")]
    href: Annotated[str, Doc("The event's URL in its CalDAV collection.")]


@dataclasses.dataclass(frozen=True, slots=True)
class KeyDatePage:
    """One page of key dates in force, by date, then calendar, period code and kind."""

    revision: Revision
    key_dates: tuple[KeyDate, ...]
    next_cursor: NextCursor
    next: NextUrl


@dataclasses.dataclass(frozen=True, slots=True)
class KeyDateState:
    """What a release said of one key date."""

    date: datetime.date
    end: Annotated[datetime.date, Doc("Its last day (inclusive).")]
    cutoff: Annotated[str | None, Doc("The cut-off time (`HH:MM`, local to the operation).")]
    remarks: Annotated[str | None, Doc("The period's remarks: kept with the period's own key date (kind "
                                       "`period`), null for the other kinds.")]


@dataclasses.dataclass(frozen=True, slots=True)
class Change:
    """One change of one key date, made by one release (an import or a rollback)."""

    revision: Annotated[int, Doc("The revision (release id) that made it.")]
    changed_at: Annotated[datetime.datetime, Doc("When that release was made (UTC).")]
    action: Annotated[Action, Doc("`added`, `removed`, `moved` (its dates changed) or `changed` (only its "
                                  "cut-off or the period's remarks changed).")]
    calendar: CalendarRef
    period: Annotated[str, Doc("The period's code.")]
    kind: Kind
    uid: Annotated[str, Doc("The key date's event UID: with `calendar`, `period` and `kind`, its identity.")]
    href: Annotated[str, Doc("The key date's event URL in its CalDAV collection.")]
    old: Annotated[KeyDateState | None, Doc("Its state before; null when `added`.")]
    new: Annotated[KeyDateState | None, Doc("Its state after; null when `removed`.")]


@dataclasses.dataclass(frozen=True, slots=True)
class ChangePage:
    """One page of the change log after revision `since`, oldest first: applied in order, it brings a copy
    taken at `since` to the state of the last change's revision."""

    revision: Revision
    since: Annotated[int, Doc("The revision the changes are counted from (exclusive).")]
    changes: tuple[Change, ...]
    next_cursor: NextCursor
    next: NextUrl


@dataclasses.dataclass(frozen=True, slots=True)
class Release:
    """An import of a release file, or a rollback of one. Its id is the revision it made."""

    id: Annotated[int, Doc("The release id: the revision it made.")]
    action: Literal["import", "rollback"]
    file_name: Annotated[str | None, Doc("The release file's name (for a rollback, the undone import's).")]
    sha256: Annotated[str | None, Doc("The release file's SHA-256 (hex); null for a rollback.")]
    created_at: Annotated[datetime.datetime, Doc("When it was made (UTC).")]
    note: Annotated[str | None, Doc("The operator's note.")]
    rows: Annotated[int, Doc("Rows (periods) in the release file.")]
    calendars: Annotated[int, Doc("Calendars it changed.")]
    added: Annotated[int, Doc("Key dates it added.")]
    moved: Annotated[int, Doc("Key dates whose dates it changed.")]
    changed: Annotated[int, Doc("Key dates whose cut-off or period remarks only it changed.")]
    removed: Annotated[int, Doc("Key dates it removed.")]
    undoes: Annotated[int | None, Doc("For a rollback: the import it undid.")]
    undone_by: Annotated[int | None, Doc("For an import: the rollback that undid it, if one did.")]
    in_force: Annotated[bool, Doc("An import no rollback has undone.")]


@dataclasses.dataclass(frozen=True, slots=True)
class ReleasePage:
    """One page of releases, newest first."""

    revision: Revision
    releases: tuple[Release, ...]
    next_cursor: NextCursor
    next: NextUrl


@dataclasses.dataclass(frozen=True, slots=True)
class CalendarCounts:
    """What one release did to one calendar."""

    calendar: CalendarRef
    added: int
    moved: int
    changed: int
    removed: int


@dataclasses.dataclass(frozen=True, slots=True)
class ReleaseDetail:
    """One release, what it did to each calendar, and one page of its changes in the order it made them
    (calendar by calendar)."""

    revision: Revision
    release: Release
    calendars: Annotated[tuple[CalendarCounts, ...], Doc("Every calendar it changed, by system, country, "
                                                          "currency and frequency.")]
    changes: tuple[Change, ...]
    next_cursor: NextCursor
    next: NextUrl


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """An error (RFC 9457 problem details, with a stable `code`)."""

    type: Annotated[Literal["about:blank"], Doc("Always `about:blank`: `code` says what went wrong.")]
    title: Annotated[str, Doc("The HTTP status's reason phrase.")]
    status: Annotated[int, Doc("The HTTP status code.")]
    code: Annotated[ProblemCode, Doc("What went wrong, for programs; stable across versions.")]
    detail: Annotated[str, Doc("What went wrong, for people.")]
    parameter: Annotated[str | None, Doc("The query parameter at fault, if one is.")]
    revision: Revision
