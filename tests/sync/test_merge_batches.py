"""A merge writes its changeset rows in batches while it goes on: whatever the batch, the
store ends up exactly the same, refused, pending and repeated changesets and updates of
records made earlier in the same pass included."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.models.sync_records import ChangesetRecord
from app.services import operations, targets
from app.services.context import AppContext, open_store
from app.sync import merge
from app.sync.merge import Merger
from app.sync.trust import key_lookup
from tests.sync.exchange_helpers import PASSPHRASE, changesets, forge, make_store
from tests.sync.exchange_helpers import trust_each_other as trust
from tests.sync.test_convergence import dump


def _changeset_rows(ctx: AppContext) -> dict[str, tuple[Any, ...]]:
    with ctx.store.session() as session:
        return {r.id: (r.status, r.reason, r.kinds, r.received_from) for r in
                session.scalars(select(ChangesetRecord))}


def _merge_all(ctx: AppContext, items: list[Any]) -> merge.MergeReport:
    with ctx.store.session() as session:
        merger = Merger(session, ctx.agency_id, ctx.clock,
                        key_lookup(session, ctx.agency_id), int(time.time() * 1000),
                        received_from="someone")
        merger.apply_all(items)
        merger.retry_pending()
        return merger.report


def test_batches_of_any_size_give_the_same_store(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    ke = make_store(tmp_path / "ke", "Kenya DCI", "KE")
    ao = make_store(tmp_path / "ao", "Angola SIC", "AO")
    trust(ke, ao)
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    made = [targets.add_record(ke, "target", op, targets.target_values("person", f"T{n}"))[0]
            for n in range(6)]
    for n, record_id in enumerate(made):
        targets.update_record(ke, "target", record_id, {"name": f"T{n} renamed"})
    ke_items = changesets(ke)  # records made, then changed, in one pass
    forged = forge(ao, "target", made[1], {"name": "not AO's"}, op)  # refused
    waiting = forge(ke, "target", "not-yet", {"name": "x"}, op)  # pending: no such record
    items = [*ke_items, forged, waiting, *ke_items[:3]]  # and duplicates
    ao.close()
    for copy in ("batch-1", "batch-3", "whole"):
        shutil.copytree(tmp_path / "ao", tmp_path / copy)
    results = {}
    for copy, every in (("batch-1", 1), ("batch-3", 3), ("whole", 10_000)):
        monkeypatch.setattr(merge, "WRITE_EVERY", every)
        ctx = open_store(tmp_path / copy, PASSPHRASE)
        try:
            report = _merge_all(ctx, items)
            results[copy] = (dump(ctx), _changeset_rows(ctx), report.applied,
                             report.duplicates, len(report.refused), report.pending,
                             report.conflicts, report.created, report.updated)
        finally:
            ctx.close()
    assert results["batch-1"] == results["whole"] == results["batch-3"]
    rows = results["whole"][1]
    assert rows[forged.id][0] == "refused" and rows[waiting.id][0] == "pending"
    assert results["whole"][2] > 0 and results["whole"][8].get("target") == 6
    ke.close()
