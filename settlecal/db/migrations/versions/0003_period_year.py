"""period.year: the calendar year holding most of the period's days, no longer the year of its end

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28

Only periods that cross a new year can change (ISO week 2026-W53, 28 December 2026 to 3 January
2027, goes from 2027 to 2026). Nothing a client sees depends on the year, so no revision, sequence,
release or change-log row is touched: every ETag and sync token stays as it was, and stored
fingerprints (which do not include the year) stay valid.
"""

import datetime

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

_period = sa.table(
    "period", sa.column("id", sa.Integer()), sa.column("start", sa.Date()), sa.column("end", sa.Date()),
    sa.column("year", sa.Integer()),
)


def period_year(start: datetime.date, end: datetime.date) -> int:
    """settlecal.domain.period_year as of this revision, copied: a migration must keep doing
    what it did when it was written, whatever the code becomes (tests check the two agree)."""
    if start.year == end.year:
        return start.year

    def days_in(year: int) -> int:
        return (min(end, datetime.date(year, 12, 31)) - max(start, datetime.date(year, 1, 1))).days + 1

    return max(range(start.year, end.year + 1), key=lambda year: (days_in(year), -year))


def upgrade() -> None:
    connection = op.get_bind()
    crossing = sa.select(_period.c.id, _period.c.start, _period.c.end, _period.c.year).where(
        sa.extract("year", _period.c.start) != sa.extract("year", _period.c.end)
    )
    moved = [
        {"pid": id_, "new_year": period_year(start, end)}
        for id_, start, end, year in connection.execute(crossing).all()
        if period_year(start, end) != year
    ]
    if moved:
        connection.execute(
            sa.update(_period).where(_period.c.id == sa.bindparam("pid")).values(year=sa.bindparam("new_year")),
            moved,
        )


def downgrade() -> None:
    end_year = sa.cast(sa.extract("year", _period.c.end), sa.Integer())
    op.get_bind().execute(sa.update(_period).where(_period.c.year != end_year).values(year=end_year))
