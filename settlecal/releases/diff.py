"""What a release changes in one calendar: pure, no I/O.

A release is the truth for exactly the (calendar, year) pairs it holds, so a key date of such a pair
that the release no longer has is removed, and key dates of other years are left alone.
"""

from __future__ import annotations

import datetime
from typing import Protocol
from collections.abc import Iterable, Mapping, Sequence, Set

from settlecal.changes import Action, CalendarDiff, KeyDateChange, KeyDateId, KeyDateState
from settlecal.domain import CalendarKey, Kind
from settlecal.release_format.rows import ReleaseRow


_KIND_ORDER = {kind: index for index, kind in enumerate(Kind)}


class Current(Protocol):
    """What the diff needs of a key date the database holds (settlecal.releases.apply.StoredKeyDate)."""

    @property
    def year(self) -> int: ...
    @property
    def state(self) -> KeyDateState: ...
    @property
    def removed(self) -> bool: ...


def fingerprint(states: Iterable[tuple[Kind, KeyDateState]]) -> str | None:
    """The canonical text of a period's key dates in force; None when it has none.

    Equal fingerprints mean equal key dates, so a re-import skips a period whose stored fingerprint
    equals `row_fingerprint` of its row without reading its key dates.
    """
    by_kind = dict(states)
    if not by_kind:
        return None
    period = by_kind.get(Kind.PERIOD)
    remittance = by_kind.get(Kind.REMITTANCE)
    submission = by_kind.get(Kind.SUBMISSION)

    def day(kind: Kind) -> datetime.date | None:
        state = by_kind.get(kind)
        return None if state is None else state.date

    return _fingerprint_text(
        period and period.date, period and period.end, day(Kind.SUBMISSION), day(Kind.BILLING),
        day(Kind.REMITTANCE),
        # Stored as HH:MM; the row's time prints as HH:MM:SS.
        datetime.time.fromisoformat(remittance.cutoff) if remittance and remittance.cutoff else None,
        day(Kind.SETTLEMENT), day(Kind.CORRECTION_CUTOFF), day(Kind.DISPUTE_DEADLINE),
        period and period.remarks,
        datetime.time.fromisoformat(submission.cutoff) if submission and submission.cutoff else None,
    )


def row_fingerprint(row: ReleaseRow) -> str:
    """`fingerprint` of the key dates a release row gives, straight from its columns (it is hot)."""
    return _fingerprint_text(
        row.period_start, row.period_end, row.submission, row.billing, row.remittance,
        row.remittance_cutoff, row.settlement, row.correction_cutoff, row.dispute_deadline, row.remarks,
        row.submission_cutoff,
    )


def _fingerprint_text(
    start: object, end: object, submission: object, billing: object, remittance: object, cutoff: object,
    settlement: object, correction: object, dispute: object, remarks: object, submission_cutoff: object,
) -> str:
    # One f-string: the cheapest way to print ten values in Python, run once per row of a release.
    text = (f"{start}|{end}|{submission}|{billing}|{remittance}|{cutoff}|{settlement}|{correction}|"
            f"{dispute}|{remarks}")
    # Appended only when there is one, so that fingerprints stored before submission cut-offs existed
    # stay valid (a stale one would only cost a full diff of its period).
    return text if submission_cutoff is None else f"{text}|s{submission_cutoff}"


def incoming_states(rows: Iterable[ReleaseRow]) -> dict[KeyDateId, KeyDateState]:
    """The key dates a release gives for one calendar, keyed by (period code, kind)."""
    states: dict[KeyDateId, KeyDateState] = {}
    period = Kind.PERIOD  # looked up once: this loop runs for every key date of a release
    for row in rows:
        for kind, first, last, cutoff in row.key_dates():
            remarks = row.remarks if kind is period else None
            text = None if cutoff is None else cutoff.strftime("%H:%M")
            states[(row.period, kind)] = KeyDateState(first, last, text, remarks)
    return states


def diff_calendar(
    calendar: CalendarKey,
    current: Mapping[KeyDateId, Current],
    rows: Sequence[ReleaseRow],
    years: Set[int] | None = None,
) -> CalendarDiff:
    """The changes that make `current` match `rows` for `years` (by default the rows' years).

    `current` and `rows` may both be limited to the periods that differ (see `fingerprint`).
    """
    incoming = incoming_states(rows)
    if years is None:
        years = {row.year for row in rows}
    changes: list[KeyDateChange] = []
    added = Action.ADDED  # looked up once: this loop runs for every key date of a release
    for key, new in incoming.items():
        existing = current.get(key)
        if existing is None or existing.removed:
            changes.append(KeyDateChange(*key, added, None, new))
        elif existing.state != new:
            changes.append(KeyDateChange(*key, _action(existing.state, new), existing.state, new))
    for key, existing in current.items():
        if not existing.removed and existing.year in years and key not in incoming:
            changes.append(KeyDateChange(*key, Action.REMOVED, existing.state, None))
    changes.sort(key=_order)
    return CalendarDiff(calendar, tuple(changes))


def _action(old: KeyDateState, new: KeyDateState) -> Action:
    return Action.MOVED if (old.date, old.end) != (new.date, new.end) else Action.CHANGED



def _order(change: KeyDateChange) -> tuple[datetime.date, str, int]:
    state = change.new or change.old
    assert state is not None
    return (state.date, change.period, _KIND_ORDER[change.kind])
