"""What a release changes in one calendar: pure, no I/O.

A release is the truth for exactly the (calendar, year) pairs it holds, so a key date of such a pair
that the release no longer has is removed, and key dates of other years are left alone.
"""

from __future__ import annotations

import datetime
import operator
from typing import Protocol
from collections.abc import Iterable, Mapping, Sequence, Set

from settlecal.changes import Action, CalendarDiff, KeyDateChange, KeyDateId, KeyDateState
from settlecal.domain import CUTOFF_KINDS, SINGLE_DAY_KINDS, CalendarKey, Kind
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

    def day(kind: Kind) -> datetime.date | None:
        state = by_kind.get(kind)
        return None if state is None else state.date

    def cutoff(kind: Kind) -> datetime.time | None:  # stored as HH:MM; the row's time prints as HH:MM:SS
        state = by_kind.get(kind)
        return datetime.time.fromisoformat(state.cutoff) if state and state.cutoff else None

    return _fingerprint_text(
        period and period.date, period and period.end,
        tuple(day(facts.kind) for facts in SINGLE_DAY_KINDS) + tuple(cutoff(facts.kind) for facts in CUTOFF_KINDS),
        period and period.remarks,
    )


def row_fingerprint(row: ReleaseRow) -> str:
    """`fingerprint` of the key dates a release row gives, straight from its columns (it is hot)."""
    return _fingerprint_text(row.period_start, row.period_end, row.dates + row.cutoffs, row.remarks)


def _fingerprint_plan() -> tuple[tuple[int, ...], tuple[tuple[int, str], ...]]:
    """Where each value of a row's dates + cutoffs goes in the fingerprint, resolved once from KINDS:
    the indices of the values written inline (the format's first version: each kind's date, then its
    cut-off, in KINDS order), and the (index, tag) of those appended as `|<tag><value>` when given
    (KindFacts.date_tag, cutoff_tag). So today's text is
    start|end|submission|billing|remittance|remittance cut-off|settlement|correction|dispute|remarks
    with `|s<submission cut-off>` after it only when there is one: fingerprints stored before
    submission cut-offs existed stay valid (a stale one would only cost a full diff of its period).
    """
    inline: list[int] = []
    tagged: list[tuple[int, str]] = []
    cutoffs = {facts.kind: len(SINGLE_DAY_KINDS) + index for index, facts in enumerate(CUTOFF_KINDS)}
    for index, facts in enumerate(SINGLE_DAY_KINDS):
        for at, tag in ((index, facts.date_tag), (cutoffs.get(facts.kind), facts.cutoff_tag)):
            if at is None:
                continue
            if tag is None:
                inline.append(at)
            else:
                tagged.append((at, tag))
    return tuple(inline), tuple(tagged)


_INLINE, _TAGGED = _fingerprint_plan()
_PICK_INLINE = operator.itemgetter(*_INLINE)


def _fingerprint_text(start: object, end: object, values: tuple[object, ...], remarks: object) -> str:
    # str() of a date is ISO, of a time HH:MM:SS, of None "None": what the one f-string printed before.
    text = "|".join(map(str, (start, end, *_PICK_INLINE(values), remarks)))
    for index, tag in _TAGGED:
        if values[index] is not None:
            text = f"{text}|{tag}{values[index]}"
    return text


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
