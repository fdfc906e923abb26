"""Which reporting periods a remittance settles.

A reporting period without a remittance of its own is settled by the next remittance of its calendar
(Spain's BSP reports four times a month and remits once). Read when key dates are rendered, from
the periods in force, so it follows every release and rollback.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from settlecal.db.models import KeyDate, Period
from settlecal.domain import Kind


@dataclasses.dataclass(frozen=True, slots=True)
class Settles:
    """The periods one remittance settles, when more than its own: first to last, and their days."""

    first: str
    last: str
    start: datetime.date
    end: datetime.date
    count: int


def settled_periods(session: Session, calendar_ids: Collection[int]) -> dict[tuple[int, str], Settles]:
    """By (calendar id, period code of the remittance): the periods it settles, for each remittance
    that settles more than its own period."""
    if not calendar_ids:
        return {}
    remittance = select(KeyDate.period_id).where(KeyDate.kind == Kind.REMITTANCE.value,
                                                 KeyDate.removed.is_(False))
    in_force = select(KeyDate.period_id).where(KeyDate.removed.is_(False))
    query = (
        select(Period.calendar_id, Period.code, Period.start, Period.end, Period.id.in_(remittance))
        .where(Period.calendar_id.in_(sorted(calendar_ids)), Period.id.in_(in_force))
        .order_by(Period.calendar_id, Period.start, Period.code)
    )
    found: dict[tuple[int, str], Settles] = {}
    pending: list[tuple[str, datetime.date, datetime.date]] = []
    current = None
    for calendar_id, code, start, end, remits in session.execute(query).all():
        if calendar_id != current:
            current, pending = calendar_id, []
        pending.append((code, start, end))
        if remits:
            if len(pending) > 1:
                found[calendar_id, code] = Settles(pending[0][0], code, pending[0][1], end, len(pending))
            pending = []
    return found



