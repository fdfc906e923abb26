"""Alembic environment: the connection (or engine) comes from the caller, else the project's database URL.

`settlecal.db.schema.upgrade` passes a connection already inside its locked transaction: the
migrations run in that transaction and commit with it.
"""

from alembic import context
from sqlalchemy import Connection

from settlecal.db.engine import database_url, make_engine
from settlecal.db.models import Base

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


given = config.attributes.get("connection")
if given is not None:
    run(given)
else:
    engine = config.attributes.get("engine") or make_engine(database_url())
    with engine.connect() as connection:
        run(connection)
        connection.commit()
