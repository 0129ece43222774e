"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

import app.models.sync_records  # noqa: F401  (registers the exchange tables)
from app.models.base import Base
from app.models.migrations.runner import upgrade_to_head
from app.models.store import make_engine


def test_no_difference_after_all_migrations(tmp_path: Path) -> None:
    engine = make_engine(tmp_path / "plain.db", key=None)
    upgrade_to_head(engine)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    # A server default in a migration is fine where the model has a Python default.
    assert [d for d in diff if d[0] != "modify_default"] == []
