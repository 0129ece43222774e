"""Alembic environment: the connection comes from the store, never from a URL with a key."""

from __future__ import annotations

from alembic import context

import app.models.money_records
import app.models.records
import app.models.sync_records  # noqa: F401
from app.models.base import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("JointOps migrations run from app.models.migrations.runner only")
context.configure(connection=connection, target_metadata=Base.metadata,
                  render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
