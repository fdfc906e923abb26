"""Alembic environment: the engine comes from the caller, or from the project's database URL."""

from alembic import context

from settlecal.db.engine import database_url, make_engine
from settlecal.db.models import Base

config = context.config
engine = config.attributes.get("engine") or make_engine(database_url())

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
