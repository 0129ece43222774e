"""Bundles between agencies: partners, export, import, deltas, relays, stock tools."""

from __future__ import annotations

import io
import shutil
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from app.core.errors import KnownError
from app.models.records import Target
from app.models.sync_records import ChangesetRecord, Delivery, LocalKey
from app.services import exchange, operations, targets
from app.services.context import AppContext
from app.sync import identity
from tests.sync.exchange_helpers import make_store, partner_from_file, roster_bytes


def fingerprint_of(ctx: AppContext) -> str:
    return exchange.identity_info(ctx).root_fingerprint


@pytest.fixture
def three(tmp_path: Path) -> Iterator[tuple[AppContext, AppContext, AppContext]]:
    ke = make_store(tmp_path / "ke", "Kenya DCI", "KE")
    ao = make_store(tmp_path / "ao", "Angola SIC", "AO")
    zm = make_store(tmp_path / "zm", "Zambia DEC", "ZM")
    for a, b in [(ke, ao), (ao, ke), (ke, zm), (zm, ke)]:
        partner_from_file(a, b, tmp_path)
    yield ke, ao, zm
    for ctx in (ke, ao, zm):
        ctx.close()


def target_names(ctx: AppContext) -> set[str]:
    with ctx.store.session() as session:
        return set(session.scalars(select(Target.name).where(Target.deleted.is_(False))))


def operation_with_targets(ke: AppContext, *partners_: AppContext) -> str:
    op, _ = operations.create_operation(ke, "TIDE")
    for p in partners_:
        operations.add_participant(ke, op, p.agency_id)
    targets.add_record(ke, "target", op, targets.target_values("person", "Shared", "KE"))
    targets.add_record(ke, "target", op, targets.target_values("person", "Red one", "KE",
                                                               "RED"))
    return op


def test_identity_and_fingerprint_check(three: tuple[AppContext, ...], tmp_path: Path) -> None:
    ke, _ao, _zm = three
    info = exchange.identity_info(ke)
    assert info.name == "Kenya DCI" and len(info.root_fingerprint.split()) == 8
    path = tmp_path / "ke.roster"
    exchange.export_identity(ke, path)
    fresh = make_store(tmp_path / "fresh", "Fresh Agency", "FR")
    try:
        with pytest.raises(KnownError, match="does not match"):
            exchange.add_partner_from_file(fresh, path, "AAAA BBBB CCCC DDDD EEEE FFFF GGGG HHHH")
        assert exchange.list_partners(fresh) == []
        added = exchange.add_partner_from_file(fresh, path, info.root_fingerprint.lower())
        assert added.trust == "trusted" and added.name == "Kenya DCI"
    finally:
        fresh.close()


def test_export_shows_what_is_withheld_and_why(three: tuple[AppContext, ...]) -> None:
    ke, ao, _zm = three
    operation_with_targets(ke, ao)
    shares, _rows = exchange.plan_export(ke, "TIDE", ["Angola SIC"])
    assert shares[0].by_kind.get("target") == 1
    assert any("RED" in reason for reason in shares[0].withheld)
    zm_shares, zm_rows = exchange.plan_export(ke, "TIDE", ["Zambia DEC"])
    assert any("not a participant" in reason for reason in zm_shares[0].withheld)
    assert all(r.operation_id is None for r in zm_rows)  # only agency records


def test_bundle_round_trip_then_only_deltas(three: tuple[AppContext, ...],
                                            tmp_path: Path) -> None:
    ke, ao, _zm = three
    op = operation_with_targets(ke, ao)
    first = exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "1.jopb")
    report = exchange.import_bundle(ao, tmp_path / "1.jopb")
    assert report.merge.refused == [] and report.merge.created["target"] == 1
    assert target_names(ao) == {"Shared"}
    again = exchange.import_bundle(ao, tmp_path / "1.jopb")
    assert again.duplicate_bundle
    # AO acknowledges by sending its own bundle; then KE's next bundle holds only news.
    targets.add_record(ke, "target", op, targets.target_values("person", "Later", "KE"))
    reply = exchange.export_bundle(ao, "TIDE", ["Kenya DCI"], tmp_path / "r.jopb")
    assert reply.changesets == 1  # only its own agency record: it wrote nothing else yet
    exchange.import_bundle(ke, tmp_path / "r.jopb")
    second = exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "2.jopb")
    assert 0 < second.changesets < first.changesets
    exchange.import_bundle(ao, tmp_path / "2.jopb")
    assert target_names(ao) == {"Shared", "Later"}


def relay_ao_finding(ke: AppContext, ao: AppContext, tmp_path: Path,
                     *others: AppContext) -> None:
    """KE shares TIDE with AO (and ``others``); AO adds a target of its own and sends it to
    KE, which puts everything for Zambia DEC in c.jopb."""
    op = operation_with_targets(ke, ao, *others)
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "a.jopb")
    exchange.import_bundle(ao, tmp_path / "a.jopb")
    # AO reports on its own: a target it owns, in the shared operation.
    targets.add_record(ao, "target", op, targets.target_values("organisation", "AO finding",
                                                               "AO"))
    exchange.export_bundle(ao, "TIDE", ["Kenya DCI"], tmp_path / "b.jopb")
    exchange.import_bundle(ke, tmp_path / "b.jopb")
    exchange.export_bundle(ke, "TIDE", ["Zambia DEC"], tmp_path / "c.jopb")


def test_lead_relays_changesets_unchanged(three: tuple[AppContext, ...],
                                          tmp_path: Path) -> None:
    ke, ao, zm = three
    relay_ao_finding(ke, ao, tmp_path, zm)
    report = exchange.import_bundle(zm, tmp_path / "c.jopb")
    # ZM never met AO: AO's roster came in the bundle, pending until its fingerprint is
    # compared; then AO's changeset, still signed by AO's device, applies.
    assert report.rosters == {"Angola SIC": "pending", "Kenya DCI": "unchanged"}
    assert "AO finding" not in target_names(zm)
    exchange.trust_partner(zm, "Angola SIC", fingerprint_of(ao))
    exchange.export_bundle(ke, "TIDE", ["Zambia DEC"], tmp_path / "d.jopb")
    exchange.import_bundle(zm, tmp_path / "d.jopb")
    assert "AO finding" in target_names(zm)


def _counts(ctx: AppContext) -> int:
    with ctx.store.session() as session:
        return int(session.scalar(select(func.count(Target.id))) or 0)


@pytest.mark.parametrize("damage", ["flip", "truncate", "not_tar"])
def test_damaged_bundles_are_refused_and_change_nothing(three: tuple[AppContext, ...],
                                                        tmp_path: Path, damage: str) -> None:
    ke, ao, _zm = three
    operation_with_targets(ke, ao)
    path = tmp_path / "x.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 3] ^= 0x01
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray(b"this is not a bundle at all\n" * 10)
    path.write_bytes(bytes(data))
    before = _counts(ao)
    with pytest.raises(exchange.BundleRefusedError) as refused:
        exchange.import_bundle(ao, path)
    assert refused.value.exit_code == 4 and str(refused.value).startswith("The bundle was")
    assert _counts(ao) == before


def test_bundle_for_others_is_refused(three: tuple[AppContext, ...], tmp_path: Path) -> None:
    ke, ao, zm = three
    operation_with_targets(ke, ao, zm)
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "x.jopb")
    with pytest.raises(exchange.BundleRefusedError, match="not addressed to this agency"):
        exchange.import_bundle(zm, tmp_path / "x.jopb")


def test_unknown_sender_is_refused(three: tuple[AppContext, ...], tmp_path: Path) -> None:
    _ke, ao, _zm = three
    stranger = make_store(tmp_path / "st", "Stranger", "GB")
    try:
        partner_from_file(stranger, ao, tmp_path)
        operations.create_operation(stranger, "TIDE")
        exchange.export_bundle(stranger, "TIDE", ["Angola SIC"], tmp_path / "s.jopb")
        with pytest.raises(exchange.BundleRefusedError, match="no known partner"):
            exchange.import_bundle(ao, tmp_path / "s.jopb")
    finally:
        stranger.close()


def test_unsafe_member_names_refused_before_reading(three: tuple[AppContext, ...],
                                                    tmp_path: Path) -> None:
    _ke, ao, _zm = three
    path = tmp_path / "evil.jopb"
    with tarfile.open(path, "w") as tar:
        for name in ("../payload.age", "payload.age.sig"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tar.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(exchange.BundleRefusedError, match="unsafe member"):
        exchange.import_bundle(ao, path)


def test_size_and_member_limits(three: tuple[AppContext, ...], tmp_path: Path) -> None:
    from app.sync.bundle import Limits

    ke, ao, _zm = three
    operation_with_targets(ke, ao)
    path = tmp_path / "big.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    with pytest.raises(exchange.BundleRefusedError, match="over the limit"):
        exchange.import_bundle(ao, path, Limits(max_bytes=1000))
    with pytest.raises(exchange.BundleRefusedError, match="more than 1 members"):
        exchange.import_bundle(ao, path, Limits(max_members=1))


@pytest.mark.skipif(not (shutil.which("ssh-keygen") and shutil.which("age")),
                    reason="needs OpenSSH's ssh-keygen and the age CLI")
def test_stock_tools_verify_and_open_a_bundle(three: tuple[AppContext, ...],
                                              tmp_path: Path) -> None:
    ke, ao, _zm = three
    operation_with_targets(ke, ao)
    path = tmp_path / "x.jopb"
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], path)
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(["tar", "-xf", str(path), "-C", str(out)], check=True)
    roster = identity.SignedRoster.from_bytes(roster_bytes(ke)).roster
    device_key = roster.devices[0].sign
    (tmp_path / "allowed_signers").write_text(f"kenya-dci {device_key}\n")
    with open(out / "payload.age", "rb") as payload:
        verified = subprocess.run(
            ["ssh-keygen", "-Y", "verify", "-f", str(tmp_path / "allowed_signers"),
             "-I", "kenya-dci", "-n", "jointops-bundle-outer-v1",
             "-s", str(out / "payload.age.sig")], stdin=payload, capture_output=True)
    assert verified.returncode == 0, verified.stderr
    with ao.store.session() as session:
        secret = session.scalars(select(LocalKey.secret).where(
            LocalKey.kind == "device-age")).one()
    (tmp_path / "ao.key").write_text(secret + "\n")
    subprocess.run(["age", "-d", "-i", str(tmp_path / "ao.key"), "-o",
                    str(tmp_path / "payload.tar"), str(out / "payload.age")], check=True)
    with tarfile.open(tmp_path / "payload.tar") as tar:
        names = tar.getnames()
        manifest = tar.extractfile("manifest.json")
        assert manifest is not None and b"jointops-bundle" in manifest.read()
    assert {"manifest.json", "manifest.sig", "changesets.jsonl"} <= set(names)


def _deliveries_from(ctx: AppContext, agency_id: str) -> set[str]:
    with ctx.store.session() as session:
        return set(session.scalars(select(Delivery.changeset_id).where(
            Delivery.agency_id == agency_id, Delivery.bundle_sequence == 0)))


def _received_from(ctx: AppContext, agency_id: str) -> set[str]:
    with ctx.store.session() as session:
        return set(session.scalars(select(ChangesetRecord.id).where(
            ChangesetRecord.received_from == agency_id)))


def test_what_came_from_a_partner_is_never_sent_back(three: tuple[AppContext, ...],
                                                    tmp_path: Path) -> None:
    """A changeset new to the store remembers its sender on its own row (no delivery row);
    a copy that comes again from another partner is recorded as a delivery from it. Neither
    partner is sent back what it sent."""
    ke, ao, zm = three
    partner_from_file(ao, zm, tmp_path)
    partner_from_file(zm, ao, tmp_path)
    relay_ao_finding(ke, ao, tmp_path, zm)
    exchange.trust_partner(zm, "Angola SIC", fingerprint_of(ao))
    exchange.import_bundle(zm, tmp_path / "c.jopb")
    assert "AO finding" in target_names(zm)
    from_ke = _received_from(zm, ke.agency_id)
    assert from_ke and _deliveries_from(zm, ke.agency_id) == set()
    _shares, back = exchange.plan_export(zm, "TIDE", ["Kenya DCI"])
    assert not {r.id for r in back} & from_ke  # AO's finding included: KE relayed it

    # AO now sends ZM what it holds, KE's changesets among them: ZM had those from KE.
    sent = exchange.export_bundle(ao, "TIDE", ["Zambia DEC"], tmp_path / "d.jopb")
    report = exchange.import_bundle(zm, tmp_path / "d.jopb")
    assert report.merge.duplicates > 0 and report.merge.refused == []
    again = _deliveries_from(zm, ao.agency_id)
    assert again and again <= from_ke and len(again) <= sent.changesets
    assert _received_from(zm, ke.agency_id) == from_ke  # the first sender stays
    _shares, to_ao = exchange.plan_export(zm, "TIDE", ["Angola SIC"])
    assert not {r.id for r in to_ao} & (again | _received_from(zm, ao.agency_id))


def test_changeset_rows_name_their_kinds_and_older_rows_are_read(
        three: tuple[AppContext, ...], tmp_path: Path) -> None:
    ke, ao, _zm = three
    op = operation_with_targets(ke, ao)
    targets.add_record(ke, "site", op, targets.site_values("Flat", "KE"))
    shares, _rows = exchange.plan_export(ke, "TIDE", ["Angola SIC"])
    with ke.store.session() as session:
        kinds = set(session.scalars(select(ChangesetRecord.kinds)))
    assert {"agency", "target", "site"} <= kinds and None not in kinds
    with ke.store.session() as session:  # rows written before migration 0008
        session.execute(update(ChangesetRecord).values(kinds=None))
    again, _rows = exchange.plan_export(ke, "TIDE", ["Angola SIC"])
    assert again[0].by_kind == shares[0].by_kind and shares[0].by_kind["site"] == 1
    exchange.export_bundle(ke, "TIDE", ["Angola SIC"], tmp_path / "a.jopb")
    exchange.import_bundle(ao, tmp_path / "a.jopb")
    with ao.store.session() as session:
        received = dict(session.execute(select(ChangesetRecord.id, ChangesetRecord.kinds)
                                        .where(ChangesetRecord.received_from == ke.agency_id)
                                        ).all())
    assert "site" in received.values() and None not in received.values()
