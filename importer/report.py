"""How outcomes are shown: aligned text for people, JSON for scripts. Deterministic either way."""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from importer.terminal import json_safe
from settlecal.db.queries import CalendarSummary, ReleaseSummary
from settlecal.changes import Action, CalendarReport, KeyDateChange, KeyDateState, Removal
from settlecal.errors import ReleaseInvalid
from settlecal.releases.service import Outcome


def to_json(value: Any) -> str:
    return json_safe(json.dumps(value, indent=2, sort_keys=True, default=_json_default, ensure_ascii=False))


def _json_default(value: Any) -> Any:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {
        "dry_run": outcome.dry_run,
        "changed": outcome.changed,
        "file": None if outcome.file is None else {
            "name": outcome.file.name, "sha256": outcome.file.sha256, "rows": len(outcome.file.rows),
        },
        "release": outcome.release and release_json(outcome.release),
        "totals": {action.value: outcome.total(action) for action in Action},
        "notifications": outcome.notifications,
        "calendars": [_calendar_report_json(report) for report in outcome.calendars],
        "removals": [_removal_json(removal, removal in outcome.refused) for removal in outcome.removals],
        "refused": bool(outcome.refused),
        "settings": [{"calendar": change.calendar.path, "timezone": [change.old.timezone, change.new.timezone],
                      "members": [change.old.members, change.new.members]} for change in outcome.settings],
    }


def refusal_json(refused: Iterable[Removal]) -> dict[str, Any]:
    """An import refused over its removals: nothing was written."""
    return {"ok": False, "refused": True, "removals": [_removal_json(removal, True) for removal in refused]}


def _removal_json(removal: Removal, refused: bool) -> dict[str, Any]:
    return {"calendar": f"/{removal.calendar.path}/", "year": removal.year, "removed": removal.removed,
            "in_force": removal.in_force, "refused": refused}


def release_json(release: ReleaseSummary) -> dict[str, Any]:
    return {**dataclasses.asdict(release), "in_force": release.in_force}


def calendar_json(summary: CalendarSummary) -> dict[str, Any]:
    key = summary.key
    return {
        "path": f"/{key.path}/", "system": key.system.value, "country": key.country,
        "currency": key.currency, "frequency": key.frequency.value, "revision": summary.revision,
        "periods": summary.periods, "key_dates": summary.key_dates,
        "first": summary.first, "last": summary.last,
    }


def problems_json(error: ReleaseInvalid) -> dict[str, Any]:
    """The first problems in full, the others counted by kind and column (`omitted`); `total` counts all."""
    return {"ok": False, "file": error.file, "total": error.total,
            "problems": [dataclasses.asdict(p) for p in error.problems],
            "omitted": [dataclasses.asdict(each) for each in error.omitted]}


def _calendar_report_json(report: CalendarReport) -> dict[str, Any]:
    return {
        "calendar": f"/{report.calendar.path}/",
        "created": report.created,
        "counts": {action.value: report.counts[action] for action in Action},
        "changes": [
            {"period": c.period, "kind": c.kind.value, "action": c.action.value,
             "old": _state_json(c.old), "new": _state_json(c.new)}
            for c in report.changes
        ],
    }


def _state_json(state: KeyDateState | None) -> dict[str, str | None] | None:
    # Explicitly, not through dataclasses.asdict: an amendment's output holds thousands of these.
    if state is None:
        return None
    return {"date": state.date.isoformat(), "end": state.end.isoformat(), "cutoff": state.cutoff,
            "remarks": state.remarks}


def outcome_lines(outcome: Outcome) -> Iterator[str]:
    """The change, calendar by calendar, then one closing line."""
    for report in outcome.calendars:
        yield f"{report.calendar.label}  /{report.calendar.path}/"
        if report.created:
            yield f"  new calendar: {report.counts[Action.ADDED]} key dates"
        for change in report.changes:
            yield "  " + change_line(change)
        for removal in report.removals:
            yield "  " + _removal_line(removal, removal in outcome.refused)
    for setting in outcome.settings:
        old, new = setting.old, setting.new
        if old.timezone != new.timezone:
            yield f"{setting.calendar.label}: time zone {old.timezone} -> {new.timezone}"
        if old.members != new.members:
            yield f"{setting.calendar.label}: member countries {old.members or '-'} -> {new.members or '-'}"
    yield _closing_line(outcome)


def _removal_line(removal: Removal, refused: bool) -> str:
    line = f"year {removal.year}: removes {removal.share}"
    if not removal.mass:
        return line
    return f"{line}: refused without --allow-removals" if refused else f"{line}, allowed by --allow-removals"


def change_line(change: KeyDateChange) -> str:
    what = f"{change.action.value:<8} {change.period} {change.kind.value}"
    if change.action is Action.ADDED:
        return f"{what}  {_state(change.new)}"
    if change.action is Action.REMOVED:
        return f"{what}  {_state(change.old)}"
    return f"{what}  {_state(change.old)} → {_state(change.new)}"


def _state(state: KeyDateState | None) -> str:
    assert state is not None
    text = state.date.isoformat() if state.end == state.date else f"{state.date}…{state.end}"
    if state.cutoff:
        text += f" {state.cutoff}"
    if state.remarks:
        text += f" ({state.remarks})"
    return text


def _closing_line(outcome: Outcome) -> str:
    counts = ", ".join(f"{outcome.total(action)} {action.value}" for action in Action)
    calendars = f"{len(outcome.calendars)} calendar{'s' if len(outcome.calendars) != 1 else ''}"
    if not outcome.changed and outcome.settings:
        settings = "would change only" if outcome.dry_run else "changed only"
        return f"No key date changed; the release {settings} the settings above (no new release)."
    if not outcome.changed:
        return "No change: the database already holds this release."
    if outcome.dry_run:
        return f"Dry run: would change {calendars} ({counts}); nothing written."
    assert outcome.release is not None
    verb = "Rolled back" if outcome.release.action == "rollback" else "Imported"
    return f"{verb} as release {outcome.release.id}: {calendars} changed ({counts})."


def release_lines(releases: Iterable[ReleaseSummary]) -> Iterator[str]:
    yield f"{'id':>4}  {'when (UTC)':<19}  {'action':<8}  {'file':<28}  {'cal':>4} {'added':>7} {'moved':>6} {'changed':>7} {'removed':>7}  status"
    for r in releases:
        status = "in force" if r.in_force else (
            f"undone by {r.undone_by_id}" if r.undone_by_id else f"undoes {r.undoes_id}")
        when = r.created_at.strftime("%Y-%m-%d %H:%M:%S")
        yield (f"{r.id:>4}  {when:<19}  {r.action:<8}  {(r.file_name or ''):<28.28}  {r.calendars:>4} "
               f"{r.added:>7} {r.moved:>6} {r.changed:>7} {r.removed:>7}  {status}")


def calendar_lines(summaries: Iterable[CalendarSummary]) -> Iterator[str]:
    yield f"{'path':<34}  {'system':<6} {'country':<7} {'currency':<8} {'frequency':<18} {'periods':>7} {'key dates':>9}  span"
    for s in summaries:
        key = s.key
        span = f"{s.first}…{s.last}" if s.first else "-"
        yield (f"{'/' + key.path + '/':<34}  {key.system.value:<6} {key.country:<7} {key.currency:<8} "
               f"{key.frequency.value:<18} {s.periods:>7} {s.key_dates:>9}  {span}")
