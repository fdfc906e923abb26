"""calendar.timezone and calendar.members; systems as wide as CASS-IMPORT

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28

Every existing calendar gets its country's principal zone (the first zone the tz database's zone.tab
lists for the country) and no members. Key dates, revisions, sequences and the change log are not
touched, and nothing a CalDAV client sees depends on the new columns (collections stay all-day), so
every path, UID, byte, ETag and sync token stays as it was.
"""

import importlib.resources

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

_calendar = sa.table(
    "calendar", sa.column("id", sa.Integer()), sa.column("country", sa.String()),
    sa.column("timezone", sa.String()),
)


def principal_zones() -> dict[str, str]:
    """settlecal.zones.country_zone as of this revision, copied: a migration keeps doing what it did
    when it was written (tests check the two agree)."""
    table = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    first: dict[str, str] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            country, _, zone, *_ = line.split("\t")
            first.setdefault(country, zone)
    return first


def _retype_sqlite_system(width_from: int, width_to: int) -> None:
    """SQLite: `calendar.system` declared wider or narrower in place. Rebuilding the table (Alembic's
    batch mode) would drop a table that periods reference by foreign key, which the locked transaction
    cannot allow; a VARCHAR's width is only a declaration in SQLite (no stored byte changes), so the
    declaration is rewritten, as SQLite's ALTER TABLE documentation describes for such changes."""
    connection = op.get_bind()
    sql = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'calendar'").scalar_one()
    old, new = f"system VARCHAR({width_from})", f"system VARCHAR({width_to})"
    if old not in sql:
        raise RuntimeError(f"calendar.system is not declared as {old}: {sql}")
    version = connection.exec_driver_sql("PRAGMA schema_version").scalar_one()
    connection.exec_driver_sql("PRAGMA writable_schema = ON")
    connection.exec_driver_sql(
        "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'calendar'", (sql.replace(old, new),))
    connection.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    connection.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade() -> None:
    connection = op.get_bind()
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        _retype_sqlite_system(4, 11)
        # Added in place (ALTER TABLE ADD COLUMN): a NOT NULL column needs a default for the rows there.
        connection.exec_driver_sql("ALTER TABLE calendar ADD COLUMN timezone VARCHAR(64) NOT NULL DEFAULT 'UTC'")
        connection.exec_driver_sql("ALTER TABLE calendar ADD COLUMN members VARCHAR(100)")
    else:
        op.alter_column('calendar', 'system', existing_type=sa.String(length=4), type_=sa.String(length=11),
                        existing_nullable=False)
        op.add_column('calendar', sa.Column('timezone', sa.String(length=64), nullable=False, server_default='UTC'))
        op.add_column('calendar', sa.Column('members', sa.String(length=100), nullable=True))
    with op.batch_alter_table('subscriber', schema=None) as batch_op:
        batch_op.alter_column('system', existing_type=sa.String(length=4), type_=sa.String(length=11),
                              existing_nullable=True)
    zones = principal_zones()
    filled = [{"cid": id_, "zone": zones.get(country, "UTC")}
              for id_, country in connection.execute(sa.select(_calendar.c.id, _calendar.c.country)).all()]
    if filled:
        connection.execute(
            sa.update(_calendar).where(_calendar.c.id == sa.bindparam("cid")).values(timezone=sa.bindparam("zone")),
            filled,
        )
    if not sqlite:
        op.alter_column('calendar', 'timezone', existing_type=sa.String(length=64), server_default=None)


def downgrade() -> None:
    # CASS-IMPORT calendars cannot exist before this revision: refuse rather than truncate them.
    connection = op.get_bind()
    if connection.execute(sa.text("SELECT count(*) FROM calendar WHERE length(system) > 4")).scalar():
        raise RuntimeError("CASS-IMPORT calendars exist: revision 0003 cannot hold them")
    with op.batch_alter_table('subscriber', schema=None) as batch_op:
        batch_op.alter_column('system', existing_type=sa.String(length=11), type_=sa.String(length=4),
                              existing_nullable=True)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("ALTER TABLE calendar DROP COLUMN members")
        connection.exec_driver_sql("ALTER TABLE calendar DROP COLUMN timezone")
        _retype_sqlite_system(11, 4)
    else:
        op.drop_column('calendar', 'members')
        op.drop_column('calendar', 'timezone')
        op.alter_column('calendar', 'system', existing_type=sa.String(length=11), type_=sa.String(length=4),
                        existing_nullable=False)
