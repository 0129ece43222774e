"""Merging changesets between stores: authority, last writer wins, conflicts, order."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import select

from app.models.records import Conflict, Target
from app.services import operations, targets
from app.services.context import AppContext
from app.sync.recorder import NotOwnedError
from tests.sync.exchange_helpers import changesets, forge, ship


@pytest.fixture
def pair(trusting_pair: tuple[AppContext, AppContext]) -> tuple[AppContext, AppContext]:
    return trusting_pair


def _target(ctx: AppContext, tid: str) -> Target:
    with ctx.store.session() as session:
        record = session.get(Target, tid)
        assert record is not None
        session.expunge(record)
        return record


def test_records_arrive_with_their_stamps(pair: tuple[AppContext, AppContext]) -> None:
    ke, ao = pair
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    tid, _ = targets.add_record(ke, "target", op, targets.target_values("person", "A", "KE"))
    report = ship(ke, ao)
    assert report.refused == [] and report.applied >= 4
    assert report.created["target"] == 1
    mine, theirs = _target(ke, tid), _target(ao, tid)
    assert (theirs.name, theirs.stamps, theirs.owner_agency_id) == (
        mine.name, mine.stamps, ke.agency_id)
    again = ship(ke, ao)
    assert again.applied == 0 and again.duplicates == report.applied


def test_only_the_owner_changes_a_record(pair: tuple[AppContext, AppContext]) -> None:
    ke, ao = pair
    op, _ = operations.create_operation(ke, "TIDE")
    tid, _ = targets.add_record(ke, "target", op, targets.target_values("person", "A", "KE"))
    ship(ke, ao)
    before = len(changesets(ao))
    with pytest.raises(NotOwnedError, match="belongs to another agency"):
        targets.update_record(ao, "target", tid, {"name": "Changed by AO"})
    assert _target(ao, tid).name == "A" and len(changesets(ao)) == before
    forged = forge(ao, "target", tid, {"name": "Changed by AO"}, op)
    report = ship(ao, ke, [forged])
    assert len(report.refused) == 1 and "no authority" in report.refused[0][1]
    assert _target(ke, tid).name == "A"


def test_concurrent_edits_keep_winner_and_record_loser(
        pair: tuple[AppContext, AppContext]) -> None:
    ke, ao = pair
    op, _ = operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, op, ao.agency_id)
    tid, _ = targets.add_record(ke, "target", op, targets.target_values("person", "A", "AO"))
    aid, _ = targets.add_record(ke, "action", op, targets.action_values(
        "arrest", tid, None, ao.agency_id))
    ship(ke, ao)
    ke_before, ao_before = len(changesets(ke)), len(changesets(ao))
    # Neither has seen the other's edit: the lead aborts, the assigned agency reports done.
    targets.update_record(ke, "action", aid, {"status": "aborted"})
    targets.update_record(ao, "action", aid, {"status": "done"})
    ke_edit, ao_edit = changesets(ke)[ke_before:], changesets(ao)[ao_before:]
    to_ao, to_ke = ship(ke, ao, ke_edit), ship(ao, ke, ao_edit)
    assert to_ao.refused == [] and to_ke.refused == []
    assert to_ao.conflicts == 1 and to_ke.conflicts == 1
    with ke.store.session() as s1, ao.store.session() as s2:
        from app.models.records import Action

        a1, a2 = s1.get(Action, aid), s2.get(Action, aid)
        assert a1 is not None and a2 is not None
        assert a1.status == a2.status  # the same deterministic winner in both stores
        c1 = s1.scalars(select(Conflict)).one()
        c2 = s2.scalars(select(Conflict)).one()
        assert {c1.winner["value"], c1.loser["value"]} == {"aborted", "done"}
        assert c1.winner == c2.winner and c1.loser == c2.loser
        assert c1.winner["value"] == a1.status


def test_any_order_same_result(pair: tuple[AppContext, AppContext], tmp_path: Path) -> None:
    ke, ao = pair
    op, _ = operations.create_operation(ke, "TIDE")
    tids = []
    for i in range(5):
        tid, _ = targets.add_record(ke, "target", op, targets.target_values("person", f"P{i}",
                                                                             "KE"))
        tids.append(tid)
    for i, tid in enumerate(tids):
        targets.update_record(ke, "target", tid, {"notes": f"rev {i}"})
    targets.set_deleted(ke, "target", tids[0], True)
    items = changesets(ke)
    random.Random(7).shuffle(items)
    report = ship(ke, ao, items)
    assert report.refused == [] and report.pending == 0
    for tid in tids:
        mine, theirs = _target(ke, tid), _target(ao, tid)
        assert (mine.name, mine.notes, mine.deleted, mine.stamps) == (
            theirs.name, theirs.notes, theirs.deleted, theirs.stamps)
    with ao.store.session() as session:
        assert session.scalars(select(Conflict)).all() == []
