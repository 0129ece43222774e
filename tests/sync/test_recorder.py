"""Every write to shared records becomes a signed changeset in the same transaction."""

from __future__ import annotations

from sqlalchemy import select

from app.models.records import Target
from app.models.sync_records import ChangesetRecord
from app.services import operations, targets
from app.services.context import AppContext
from app.sync import changeset as cs
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
