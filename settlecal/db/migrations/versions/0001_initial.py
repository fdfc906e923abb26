"""calendars, periods, key dates, releases and the change log

Revision ID: 0001
Revises: 
Create Date: 2026-11-24
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calendar',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('system', sa.String(length=4), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('frequency', sa.String(length=20), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar')),
    sa.UniqueConstraint('system', 'country', 'currency', 'frequency', name=op.f('uq_calendar_system'))
    )
    op.create_table('release',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('operator', sa.String(length=100), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('calendars', sa.Integer(), nullable=False),
    sa.Column('added', sa.Integer(), nullable=False),
    sa.Column('moved', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Integer(), nullable=False),
    sa.Column('undoes_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['undoes_id'], ['release.id'], name=op.f('fk_release_undoes_id_release')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_release')),
    sa.UniqueConstraint('undoes_id', name=op.f('uq_release_undoes_id'))
    )
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_release_sha256'), ['sha256'], unique=False)

    op.create_table('period',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('start', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=True),
    sa.Column('fingerprint', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['calendar_id'], ['calendar.id'], name=op.f('fk_period_calendar_id_calendar')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_period')),
    sa.UniqueConstraint('calendar_id', 'code', name=op.f('uq_period_calendar_id'))
    )
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.create_index('ix_period_calendar_year', ['calendar_id', 'year'], unique=False)

    op.create_table('key_date',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('calendar_id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('date', sa.Date(), nullable=False),
    sa.Column('end', sa.Date(), nullable=False),
    sa.Column('cutoff', sa.String(length=5), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['period_id'], ['period.id'], name=op.f('fk_key_date_period_id_period')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_key_date')),
    sa.UniqueConstraint('period_id', 'kind', name=op.f('uq_key_date_period_id'))
    )
    with op.batch_alter_table('key_date', schema=None) as batch_op:
        batch_op.create_index('ix_key_date_calendar_date', ['calendar_id', 'date'], unique=False)
        batch_op.create_index('ix_key_date_calendar_revision', ['calendar_id', 'revision'], unique=False)

    op.create_table('change',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('release_id', sa.Integer(), nullable=False),
    sa.Column('key_date_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=10), nullable=False),
    sa.Column('old_date', sa.Date(), nullable=True),
    sa.Column('old_end', sa.Date(), nullable=True),
    sa.Column('old_cutoff', sa.String(length=5), nullable=True),
    sa.Column('old_remarks', sa.Text(), nullable=True),
    sa.Column('new_date', sa.Date(), nullable=True),
    sa.Column('new_end', sa.Date(), nullable=True),
    sa.Column('new_cutoff', sa.String(length=5), nullable=True),
    sa.Column('new_remarks', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['key_date_id'], ['key_date.id'], name=op.f('fk_change_key_date_id_key_date')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change'))
    )
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_change_key_date_id'), ['key_date_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_change_release_id'), ['release_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_change_release_id'))
        batch_op.drop_index(batch_op.f('ix_change_key_date_id'))

    op.drop_table('change')
    with op.batch_alter_table('key_date', schema=None) as batch_op:
        batch_op.drop_index('ix_key_date_calendar_revision')
        batch_op.drop_index('ix_key_date_calendar_date')

    op.drop_table('key_date')
    with op.batch_alter_table('period', schema=None) as batch_op:
        batch_op.drop_index('ix_period_calendar_year')

    op.drop_table('period')
    with op.batch_alter_table('release', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_release_sha256'))

    op.drop_table('release')
    op.drop_table('calendar')
