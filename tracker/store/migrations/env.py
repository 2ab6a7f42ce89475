"""Alembic environment: the engine comes from tracker.store.db (config.attributes["engine"])."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import tracker.store.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from tracker.store.db import get_engine

config = context.config
engine = config.attributes.get("engine") or get_engine()

with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=SQLModel.metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
