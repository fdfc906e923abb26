"""calendar_render: each calendar revision's bytes, gzip and event index, rendered once per deployment

Revision ID: 0005
Revises: 0003
Create Date: 2026-11-28

A new table of derived data only: no calendar, key date, revision or release changes, so every
path, UID, rendered byte, ETag and sync token stays as it was. Servers fill it on first request (or
`settlecal import` and `settlecal publish` do); an empty table only costs renders.
"""

from alembic import op
import sqlalchemy as sa


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar_render',
    sa.Column('calendar_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('variant', sa.String(length=40), nullable=False),
    sa.Column('revision', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('gzipped', sa.LargeBinary(), nullable=False),
    sa.Column('events', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('calendar_id', 'variant', 'revision', name=op.f('pk_calendar_render'))
    )


def downgrade() -> None:
    op.drop_table('calendar_render')
