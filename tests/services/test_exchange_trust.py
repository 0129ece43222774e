"""Key rotation and revocation travelling in bundles; expiry, future stamps, old rosters;
conflicts reviewed and resolved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from app.core.errors import KnownError
from app.models.records import Action, Target
from app.models.sync_records import ChangesetRecord
from app.services import conflicts, exchange, operations, targets
from app.services.context import AppContext, init_store
from app.sync import bundle as bundle_module
from app.sync import changeset as cs
from app.sync.keys import current_roster
from app.sync.trust import TrustError, receive_roster
from tests.sync.exchange_helpers import PASSPHRASE, kenya_and_angola, make_store, partner_from_file


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext]]:
    ke, ao = kenya_and_angola(tmp_path)
    operations.create_operation(ke, "TIDE")
    operations.add_participant(ke, operations.overview(ke, "TIDE").summary.id, ao.agency_id)
    yield ke, ao
    ke.close()
    ao.close()


def send(a: AppContext, b: AppContext, to: str, path: Path) -> exchange.BundleImportReport:
    exchange.export_bundle(a, "TIDE", [to], path)
    return exchange.import_bundle(b, path)


def test_root_rotation_is_followed_by_partners(pair: tuple[AppContext, AppContext],
                                               tmp_path: Path) -> None:
    ke, ao = pair
    old = exchange.identity_info(ke).root_fingerprint
    new = exchange.rotate_root(ke)
    assert new != old and exchange.identity_info(ke).root_fingerprint == new
    report = send(ke, ao, "Angola SIC", tmp_path / "1.jopb")
    assert report.rosters["Kenya DCI"] == "updated"
    assert next(p for p in exchange.list_partners(ao) if p.name == "Kenya DCI").fingerprint \
        == new


def test_revoked_device_is_refused_after_the_roster_arrives(tmp_path: Path) -> None:
    hq = make_store(tmp_path / "hq", "Kenya DCI", "KE")
    ao = make_store(tmp_path / "ao", "Angola SIC", "AO")
    exchange.enrolment_offer(hq, tmp_path / "offer")
    laptop, _ = init_store(tmp_path / "laptop", PASSPHRASE, "", "",
                           offer=exchange.read_offer(tmp_path / "offer"))
    try:
        exchange.enrolment_request(laptop, tmp_path / "req")
        exchange.enrol_device(hq, tmp_path / "req")
        for a, b in [(hq, ao), (ao, hq), (laptop, ao)]:
            partner_from_file(a, b, tmp_path)
        op, _ = operations.create_operation(hq, "TIDE")
        operations.add_participant(hq, op, ao.agency_id)
        send(hq, laptop, "Kenya DCI", tmp_path / "0.jopb")
        send(hq, ao, "Angola SIC", tmp_path / "1.jopb")
        # The laptop is lost; HQ revokes it and tells the partner.
        assert laptop.identity is not None
        exchange.revoke_device(hq, laptop.identity.device_id)
        send(hq, ao, "Angola SIC", tmp_path / "2.jopb")
        targets.add_record(laptop, "target", op, targets.target_values("person", "X", "KE"))
        exchange.export_bundle(laptop, "TIDE", ["Angola SIC"], tmp_path / "3.jopb")
        with pytest.raises(exchange.BundleRefusedError, match="no known partner"):
            exchange.import_bundle(ao, tmp_path / "3.jopb")
        with pytest.raises(KnownError, match="cannot revoke itself"):
            exchange.revoke_device(hq, hq.identity.device_id if hq.identity else "")
    finally:
        laptop.close()
        hq.close()
        ao.close()


def test_lower_roster_version_is_refused(pair: tuple[AppContext, AppContext]) -> None:
    ke, ao = pair
    with ke.store.session() as session:
        first = current_roster(session, ke.agency_id)
    assert first is not None
    exchange.rotate_root(ke)  # version 2, held by AO after the next line
    with ke.store.session() as session:
        second = current_roster(session, ke.agency_id)
    assert second is not None
    with ao.store.session() as session:
        receive_roster(session, second)
    with ao.store.session() as session, pytest.raises(TrustError, match="not newer"):
        receive_roster(session, first)
    with ao.store.session() as session:
        held = current_roster(session, ke.agency_id)
        assert held is not None and held.roster.version == 2


def test_expired_bundle_is_refused(pair: tuple[AppContext, AppContext], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import timedelta

    ke, ao = pair
    monkeypatch.setattr(bundle_module, "VALIDITY", timedelta(seconds=-1))
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "old.jopb")
    with pytest.raises(exchange.BundleRefusedError, match="expired"):
        exchange.import_bundle(ao, tmp_path / "old.jopb")


def test_future_stamps_are_quarantined(pair: tuple[AppContext, AppContext], tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    ke, ao = pair
    op = operations.overview(ke, "TIDE").summary.id
    ahead = int(time.time() * 1000) + 3_600_000
    monkeypatch.setattr(ke.clock, "_now_ms", lambda: ahead)
    targets.add_record(ke, "target", op, targets.target_values("person", "Future", "KE"))
    report = send(ke, ao, "Angola SIC", tmp_path / "f.jopb")
    assert report.merge.quarantined == 1
    with ao.store.session() as session:
        assert session.scalars(select(Target).where(Target.name == "Future")).first() is None
        held = session.scalars(select(ChangesetRecord).where(
            ChangesetRecord.status == "quarantined")).all()
        assert len(held) == 1 and "ahead" in held[0].reason


def test_conflict_reviewed_and_loser_chosen(pair: tuple[AppContext, AppContext],
                                            tmp_path: Path) -> None:
    ke, ao = pair
    op = operations.overview(ke, "TIDE").summary.id
    tid, _ = targets.add_record(ke, "target", op, targets.target_values("person", "A", "AO"))
    aid, _ = targets.add_record(ke, "action", op, targets.action_values(
        "arrest", tid, None, ao.agency_id))
    send(ke, ao, "Angola SIC", tmp_path / "1.jopb")
    targets.update_record(ke, "action", aid, {"status": "aborted"})
    targets.update_record(ao, "action", aid, {"status": "done"})
    send(ao, ke, "Kenya DCI", tmp_path / "2.jopb")
    found = conflicts.list_conflicts(ke)
    assert len(found) == 1 and found[0].can_choose
    assert {found[0].winner, found[0].loser} == {"aborted", "done"}
    conflicts.resolve_conflict(ke, found[0].id, "loser")
    assert conflicts.list_conflicts(ke) == []
    with ke.store.session() as session:
        action = session.get(Action, aid)
        assert action is not None and action.status == found[0].loser
    # The choice travels: AO ends with the same value.
    send(ke, ao, "Angola SIC", tmp_path / "3.jopb")
    with ao.store.session() as session:
        action = session.get(Action, aid)
        assert action is not None and action.status == found[0].loser
    with pytest.raises(KnownError):
        conflicts.resolve_conflict(ke, found[0].id, "neither")


def test_changeset_lines_survive_byte_for_byte(pair: tuple[AppContext, AppContext]) -> None:
    ke, _ao = pair
    with ke.store.session() as session:
        row = session.scalars(select(ChangesetRecord)).first()
        assert row is not None
        line = cs.SignedChangeset(row.id, row.body, row.signature).line()
    again = cs.SignedChangeset.from_line(line)
    assert again.body == row.body and again.id == row.id
