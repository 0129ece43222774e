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


def test_opening_upgrades_an_old_store_holding_data(store_dir: Path) -> None:
    """Batch migrations rebuild tables that other rows point at; the data must survive."""
    from app.services.context import init_store, open_store
    from app.services.operations import create_operation, list_operations
    from app.services.targets import action_values, add_record, site_values, target_values

    ctx, _ = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")
    op_id, _ = create_operation(ctx, "OLD")
    target_id, _ = add_record(ctx, "target", op_id, target_values("person", "A"))
    site_id, _ = add_record(ctx, "site", op_id, site_values("Flat", "KE"))
    add_record(ctx, "action", op_id, action_values("arrest", target_id, site_id, ctx.agency_id))
    engine = ctx.store.engine
    with engine.connect() as conn:
        driver = conn.connection.driver_connection
        assert driver is not None
        driver.execute("PRAGMA foreign_keys = OFF")
        with conn.begin():
            config = alembic_config()
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
        driver.execute("PRAGMA foreign_keys = ON")
    assert current_revision(engine) == "0001"
    ctx.close()

    ctx = open_store(store_dir, passphrase=PASSPHRASE)
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        summary = list_operations(ctx)[0]
        assert (summary.codename, summary.targets, summary.sites, summary.actions) == (
            "OLD", 1, 1, 1)
        with ctx.store.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        ctx.close()


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


def test_the_file_names_say_the_revisions_in_order() -> None:
    """Opening a store compares its revision with the newest file name, without Alembic:
    each script is revision NNNN of its file name, after the one before."""
    from alembic.script import ScriptDirectory

    from app.models.migrations.runner import newest_script

    scripts = ScriptDirectory.from_config(alembic_config())
    assert newest_script() == head_revision()
    chain = [s for s in scripts.walk_revisions()][::-1]
    for number, script in enumerate(chain, start=1):
        assert script.revision == f"{number:04d}"
        assert script.path is not None and Path(script.path).name.startswith(script.revision)
        assert script.down_revision == (None if number == 1 else f"{number - 1:04d}")
