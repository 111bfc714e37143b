"""Alembic environment: runs migrations on the engine handed over by storage.db."""

from alembic import context
from sqlalchemy import create_engine

from storage import conversations  # noqa: F401 - its tables belong to the metadata
from storage.models import Base

config = context.config
engine = config.attributes.get("engine") or create_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
