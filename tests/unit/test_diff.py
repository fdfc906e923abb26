"""diff_calendar: the pure heart of an import."""

from __future__ import annotations

import dataclasses
import datetime

from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.changes import Action, KeyDateState
from settlecal.releases.diff import diff_calendar, fingerprint, incoming_states, row_fingerprint
from settlecal.release_format.rows import ReleaseRow, kind_cutoffs, kind_dates

ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)
D = datetime.date


def row(code: str, start: D, end: D, *, billing: D | None = None, remittance: D | None = None,
        cutoff: datetime.time | None = None, remarks: str | None = None) -> ReleaseRow:
    return ReleaseRow(2, ES, code, start, end, kind_dates({Kind.BILLING: billing, Kind.REMITTANCE: remittance}),
                      kind_cutoffs({Kind.REMITTANCE: cutoff}), remarks)


JAN = row("2026-01", D(2026, 1, 1), D(2026, 1, 31), billing=D(2026, 2, 5),
          remittance=D(2026, 2, 16), cutoff=datetime.time(12), remarks="note")
DEC_2025 = row("2025-12", D(2025, 12, 1), D(2025, 12, 31), billing=D(2026, 1, 5))


@dataclasses.dataclass(frozen=True)
class CurrentKeyDate:
    """A stored key date as the diff sees it (the `Current` protocol)."""

    year: int
    state: KeyDateState
    removed: bool = False


def current(*rows: ReleaseRow, removed: bool = False) -> dict[tuple[str, Kind], CurrentKeyDate]:
    return {
        key: CurrentKeyDate(next(r.year for r in rows if r.period == key[0]), state, removed)
        for key, state in incoming_states(rows).items()
    }


def test_everything_is_added_to_an_empty_calendar() -> None:
    diff = diff_calendar(ES, {}, [JAN])

    assert [(c.kind, c.action) for c in diff.changes] == [
        (Kind.PERIOD, Action.ADDED), (Kind.BILLING, Action.ADDED), (Kind.REMITTANCE, Action.ADDED),
    ]
    assert diff.changes[0].new == KeyDateState(D(2026, 1, 1), D(2026, 1, 31), None, "note")
    assert diff.changes[2].new == KeyDateState(D(2026, 2, 16), D(2026, 2, 16), "12:00", None)


def test_the_same_rows_make_no_change() -> None:
    assert diff_calendar(ES, current(JAN), [JAN]).changes == ()


def test_moved_changed_and_removed() -> None:
    amended = JAN.with_kinds({Kind.BILLING: D(2026, 2, 6), Kind.REMITTANCE: D(2026, 2, 16)}, {Kind.REMITTANCE: datetime.time(14)})
    without_billing = dataclasses.replace(amended.with_kinds({Kind.BILLING: None}), remarks="other")

    moved = diff_calendar(ES, current(JAN), [amended]).changes
    dropped = diff_calendar(ES, current(JAN), [without_billing]).changes

    assert [(c.kind, c.action, c.old and c.old.date, c.new and c.new.date) for c in moved] == [
        (Kind.BILLING, Action.MOVED, D(2026, 2, 5), D(2026, 2, 6)),
        (Kind.REMITTANCE, Action.CHANGED, D(2026, 2, 16), D(2026, 2, 16)),
    ]
    assert {(c.kind, c.action) for c in dropped} == {
        (Kind.PERIOD, Action.CHANGED), (Kind.BILLING, Action.REMOVED), (Kind.REMITTANCE, Action.CHANGED),
    }


def test_only_the_years_in_the_release_are_replaced() -> None:
    diff = diff_calendar(ES, current(JAN, DEC_2025), [JAN])

    assert diff.changes == ()


def test_a_removed_key_date_that_returns_is_added() -> None:
    diff = diff_calendar(ES, current(JAN, removed=True), [JAN])

    assert {c.action for c in diff.changes} == {Action.ADDED}
    assert all(c.old is None for c in diff.changes)


def test_changes_come_in_date_order() -> None:
    diff = diff_calendar(ES, {}, [JAN, DEC_2025])

    dates = [(c.new.date if c.new else None) for c in diff.changes]
    assert dates == sorted(dates)  # type: ignore[type-var]


def test_row_fingerprint_equals_the_fingerprint_of_its_key_dates() -> None:
    for release_row in (JAN, DEC_2025, dataclasses.replace(JAN, remarks=None)):
        states = incoming_states([release_row])

        assert row_fingerprint(release_row) == fingerprint((kind, state) for (_, kind), state in states.items())


def test_fingerprints_differ_when_anything_a_client_sees_differs() -> None:
    variants = [JAN, dataclasses.replace(JAN, remarks="other"), JAN.with_kinds(cutoffs={Kind.REMITTANCE: datetime.time(14)}),
                JAN.with_kinds({Kind.BILLING: None}), dataclasses.replace(JAN, period_end=D(2026, 1, 30))]

    assert len({row_fingerprint(v) for v in variants}) == len(variants)
    assert fingerprint([]) is None
