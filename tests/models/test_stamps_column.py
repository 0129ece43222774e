"""Per-field stamps are held inverted ({stamp: [fields]}); rows in the earlier form
({field: stamp}) read the same, and migration 0008 keeps them readable."""

from __future__ import annotations

import json
from pathlib import Path

from alembic import command
from sqlalchemy import select, text

from app.models.migrations.runner import alembic_config, current_revision, head_revision
from app.models.records import Target
from app.services.context import AppContext, init_store, open_store
from app.services.operations import create_operation
from app.services.targets import add_record, target_values, update_record

PASSPHRASE = "correct horse battery staple"  # as in tests/conftest.py


def _raw_stamps(ctx: AppContext, target_id: str) -> object:
    with ctx.store.engine.connect() as conn:
        raw = conn.execute(text("SELECT stamps FROM target WHERE id = :id"),
                           {"id": target_id}).scalar()
    return json.loads(raw)


def _stamps(ctx: AppContext, target_id: str) -> dict[str, str]:
    with ctx.session() as session:
        return dict(session.scalars(select(Target.stamps).where(Target.id == target_id)).one())


def test_a_new_record_holds_one_stamp_for_all_its_fields(ctx: AppContext) -> None:
    op_id, _ = create_operation(ctx, "HELD")
    target_id, _ = add_record(ctx, "target", op_id, target_values("person", "A", "KE"))
    stamps = _stamps(ctx, target_id)
    assert {"name", "kind", "country", "tlp", "owner_agency_id"} <= set(stamps)
    assert len(set(stamps.values())) == 1
    stamp = next(iter(stamps.values()))
    assert _raw_stamps(ctx, target_id) == {stamp: list(stamps)}

    update_record(ctx, "target", target_id, {"name": "B"})
    after = _stamps(ctx, target_id)
    assert after["name"] > stamp
    assert {name: s for name, s in after.items() if name != "name"} == {
        name: s for name, s in stamps.items() if name != "name"}
    assert _raw_stamps(ctx, target_id) == {
        stamp: [n for n in stamps if n != "name"], after["name"]: ["name"]}


def test_rows_in_the_earlier_form_read_the_same_and_survive_0008(store_dir: Path) -> None:
    ctx, _ = init_store(store_dir, PASSPHRASE, "Kenya DCI", "KE")
    op_id, _ = create_operation(ctx, "OLD")
    target_id, _ = add_record(ctx, "target", op_id, target_values("person", "A", "KE"))
    stamps = _stamps(ctx, target_id)
    engine = ctx.store.engine
    with engine.begin() as conn:
        config = alembic_config()
        config.attributes["connection"] = conn
        command.downgrade(config, "0007")
        conn.execute(text("UPDATE target SET stamps = :s WHERE id = :id"),
                     {"s": json.dumps(stamps), "id": target_id})
        indexes = {row[0] for row in conn.execute(text(
            "SELECT name FROM sqlite_master WHERE type = 'index'"))}
    assert {"ix_target_updated", "ix_transfer_tx_hash", "ix_delivery_agency_id"} <= indexes
    ctx.close()

    ctx = open_store(store_dir, passphrase=PASSPHRASE)
    try:
        assert current_revision(ctx.store.engine) == head_revision()
        assert _raw_stamps(ctx, target_id) == stamps  # untouched by the upgrade
        assert _stamps(ctx, target_id) == stamps
        update_record(ctx, "target", target_id, {"name": "B"})
        after = _stamps(ctx, target_id)
        assert after["kind"] == stamps["kind"] and after["name"] > stamps["name"]
        with ctx.store.engine.connect() as conn:
            indexes = {row[0] for row in conn.execute(text(
                "SELECT name FROM sqlite_master WHERE type = 'index'"))}
        assert not indexes & {"ix_target_updated", "ix_target_owner_agency_id", "ix_target_country",
                              "ix_target_operation_id", "ix_transfer_tx_hash",
                              "ix_changeset_agency_id", "ix_delivery_agency_id"}
        assert {"ix_target_op_live", "ix_transfer_from_address"} <= indexes
    finally:
        ctx.close()
