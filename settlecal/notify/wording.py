"""How changes read in notifications and change feeds: key dates, what changed, what a subscriber follows.

The words come from the one Translator (settlecal.i18n); this module only puts them together. Dates
are ISO with the weekday people plan by, so a message is never ambiguous whatever its language.
"""

from __future__ import annotations

import datetime

from settlecal.changes import Action, KeyDateChange, KeyDateState
from settlecal.db.queries.calendars import utc
from settlecal.domain import CalendarFilter, Kind
from settlecal.i18n.translator import Translator


def action_heading(t: Translator, action: Action) -> str:
    """The heading of a group of changes: `Moved`, `Changed (cut-off time or remarks)`."""
    headings = {
        Action.ADDED: t("Added"),
        Action.MOVED: t("Moved"),
        Action.CHANGED: t("Changed (cut-off time or remarks)"),
        Action.REMOVED: t("Removed"),
    }
    return headings[action]


def day(t: Translator, date: datetime.date) -> str:
    """`2026-12-08 (Tue)`: ISO, so never ambiguous, with the weekday in the reader's language."""
    return f"{t.ltr(date.isoformat())} ({t.weekday(date)})"


def moment(t: Translator, moment: datetime.datetime) -> str:
    """`2026-01-05 10:00 UTC`."""
    return t.ltr(utc(moment).strftime("%Y-%m-%d %H:%M UTC"))


def state(t: Translator, state: KeyDateState | None, *, remarks: bool = False) -> str:
    """A key date's dates and cut-off time, and its remarks when asked."""
    if state is None:
        return "–"
    text = day(t, state.date) if state.end == state.date else f"{day(t, state.date)} … {day(t, state.end)}"
    if state.cutoff:
        text += f" {state.cutoff}"
    if remarks and state.remarks:
        text += " " + t("(remarks: {remarks})").format(remarks=state.remarks)
    return text


def changed(t: Translator, change: KeyDateChange) -> str:
    """A change of cut-off time or remarks only: the dates, then what changed."""
    old, new = change.old, change.new
    assert old is not None and new is not None
    what = []
    if old.cutoff != new.cutoff:
        what.append(t("cut-off: {change}").format(change=f"{old.cutoff or '–'} {t.arrow} {new.cutoff or '–'}"))
    if old.remarks != new.remarks:
        what.append(t("remarks: {remarks}").format(remarks=new.remarks or "–"))
    return f"{state(t, new)} — {'; '.join(what)}" if what else state(t, new)


def following(t: Translator, where: CalendarFilter, kinds: frozenset[Kind] | None) -> str:
    """What a subscriber follows, in one line: `BSP · ES · Remittance, Settlement`."""
    parts = [str(value) for value in (where.system, where.country, where.currency) if value is not None]
    if where.frequency is not None:
        parts.append(t.frequency(where.frequency))
    text = " · ".join(parts) or t("all calendars")
    chosen = t.join(t.kind(kind) for kind in Kind if kind in kinds) if kinds else t("all key dates")
    return f"{text} ({chosen})"
