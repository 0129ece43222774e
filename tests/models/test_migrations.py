"""Migrations run from code: a new store is at head, and opening brings an old one there."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import inspect

from app.models.migrations.runner import (
    alembic_config,
    current_revision,
    head_revision,
    upgrade_to_head,
)
from app.models.records import Base
from app.models.store import Store, make_engine

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py


def test_a_new_store_is_at_head_with_every_table(store_dir: Path) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE)
    try:
        assert head_revision() is not None
        assert current_revision(store.engine) == head_revision()
        tables = set(inspect(store.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        assert "alembic_version" in tables
    finally:
        store.close()


def test_opening_upgrades_an_older_schema(store_dir: Path) -> None:
    store, _ = Store.create(store_dir, PASSPHRASE)
    config = alembic_config()
    with store.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
    assert current_revision(store.engine) is None
    store.close()

    store = Store.open(store_dir, passphrase=PASSPHRASE)
    try:
        assert current_revision(store.engine) == head_revision()
    finally:
        store.close()


def test_upgrade_at_head_writes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "plain.db"
    engine = make_engine(db, key=None)
    upgrade_to_head(engine)
    engine.dispose()
    before = db.read_bytes()
    engine = make_engine(db, key=None)
    upgrade_to_head(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()
    assert db.read_bytes() == before
