"""Every write to shared records becomes a signed changeset in the same transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models.records import Target
from app.models.sync_records import ChangesetRecord
from app.services import operations, targets
from app.services.context import AppContext
from app.sync import changeset as cs
from app.sync import recorder
from app.sync.identity import load_private


def _changesets(ctx: AppContext) -> list[cs.Changeset]:
    with ctx.store.session() as session:
        rows = session.scalars(select(ChangesetRecord).order_by(ChangesetRecord.seq)).all()
        return [cs.Changeset.from_body(r.body) for r in rows]


def test_creating_and_editing_records_makes_signed_changesets(ctx: AppContext) -> None:
    before = len(_changesets(ctx))
    op, _ = operations.create_operation(ctx, "TIDE")
    tid, _ = targets.add_record(ctx, "target", op, targets.target_values("person", "A", "KE"))
    targets.update_record(ctx, "target", tid, {"name": "B"})
    after = _changesets(ctx)[before:]
    # The operation (AMBER) and its lead participant (GREEN) differ in marking: two.
    assert [sorted({op.kind for op in c.ops}) for c in after] == [
        ["operation"], ["participant"], ["target"], ["target"]]
    last = after[-1]
    assert last.operation_id == op and last.tlp == "AMBER"
    assert last.ops == (cs.Op("target", tid, {"name": "B"}),)
    created = after[2].ops[0]
    assert created.values["kind"] == "person" and created.values["operation_id"] == op
    assert created.values["owner_agency_id"] == ctx.agency_id
    assert ctx.identity is not None and last.device_id == ctx.identity.device_id
    with ctx.store.session() as session:
        target = session.get(Target, tid)
        assert target is not None
        assert target.stamps["name"] == last.stamp
        assert target.stamps["kind"] == after[2].stamp
        row = session.scalars(select(ChangesetRecord).order_by(
            ChangesetRecord.seq.desc())).first()
        assert row is not None
        signed = cs.SignedChangeset(row.id, row.body, row.signature)
    assert ctx.identity is not None
    cs.verify_signature(signed, ctx.identity.sign_key.public_key())
    assert load_private  # the key round-trips through PEM in the store (see keys.py)


def test_one_changeset_per_marking(ctx: AppContext) -> None:
    op, _ = operations.create_operation(ctx, "TIDE")
    before = len(_changesets(ctx))
    with ctx.session() as session:
        for level in ("GREEN", "RED", "GREEN"):
            targets.add_record_in(session, ctx, "target", op,
                                  targets.target_values("person", f"T {level}", "KE", level))
    made = _changesets(ctx)[before:]
    assert sorted(c.tlp for c in made) == ["GREEN", "RED"]
    assert sorted(len(c.ops) for c in made) == [1, 2]


def test_a_write_that_changes_nothing_records_nothing(ctx: AppContext) -> None:
    op, _ = operations.create_operation(ctx, "TIDE")
    tid, _ = targets.add_record(ctx, "target", op, targets.target_values("person", "A", "KE"))
    before = len(_changesets(ctx))
    targets.update_record(ctx, "target", tid, {"name": "A"})
    assert len(_changesets(ctx)) == before


def test_new_store_publishes_its_agency(ctx: AppContext) -> None:
    made = _changesets(ctx)
    agency_ops = [op for c in made for op in c.ops if op.kind == "agency"]
    assert agency_ops and agency_ops[0].values["name"] == "Kenya DCI"
    assert agency_ops[0].values["country"] == "KE"


def test_direct_attribute_writes_are_recorded_too(ctx: AppContext) -> None:
    op, _ = operations.create_operation(ctx, "TIDE")
    tid, _ = targets.add_record(ctx, "target", op, targets.target_values("person", "A", "KE"))
    before = len(_changesets(ctx))
    with ctx.session() as session:
        target = session.get(Target, tid)
        assert target is not None
        target.notes = "seen at the port"  # not through a service helper
    made = _changesets(ctx)[before:]
    assert [c.ops for c in made] == [(cs.Op("target", tid, {"notes": "seen at the port"}),)]


def test_large_saves_are_chunked(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    op, _ = operations.create_operation(ctx, "TIDE")
    before = len(_changesets(ctx))
    monkeypatch.setattr(recorder, "CHUNK", 10)
    with ctx.session() as session:
        for i in range(25):
            targets.add_record_in(session, ctx, "target", op,
                                  targets.target_values("person", f"T{i}", "KE"))
    made = _changesets(ctx)[before:]
    assert sorted(len(c.ops) for c in made) == [5, 10, 10]
    assert len({c.hlc for c in made}) == 3


def test_bulk_inserts_are_recorded_through_bulk_rows(ctx: AppContext) -> None:
    from sqlalchemy import insert

    from app.models.base import new_id

    op, _ = operations.create_operation(ctx, "TIDE")
    before = len(_changesets(ctx))
    rows = [{"id": new_id(), "operation_id": op, "owner_agency_id": ctx.agency_id,
             "kind": "person", "name": f"Bulk {i}", "tlp": "GREEN"} for i in range(3)]
    with ctx.session() as session:
        session.info[recorder.RECORDER].bulk_rows(Target, rows)
        session.execute(insert(Target), rows)
    made = _changesets(ctx)[before:]
    assert len(made) == 1 and len(made[0].ops) == 3
    assert made[0].ops[0].values["country"] == ""  # defaults filled in
    with ctx.store.session() as session:
        stored = session.get(Target, rows[0]["id"])
        assert stored is not None and stored.stamps["name"] == made[0].stamp
