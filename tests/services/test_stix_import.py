"""STIX 2.1 import: MISP- and OpenCTI-shaped bundles, the round trip from an export, the
preview, and every bad input leaving the operation as it was."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.errors import KnownError
from app.core.stix_objects import TLP_MARKING_IDS
from app.models.records import Site, Target, Wallet
from app.models.sync_records import ChangesetRecord
from app.services.context import AppContext
from app.services.demo import DEMO_CODENAME, bitcoin_address, create_demo
from app.services.operations import create_operation
from app.services.stix_export import export_stix
from app.services.stix_import import import_stix, plan_import

DATA = Path(__file__).resolve().parents[1] / "data"
MISP = DATA / "stix_misp_event.json"
OPENCTI = DATA / "stix_opencti_bundle.json"
T = "2026-03-02T10:15:00.000Z"
AMBER = TLP_MARKING_IDS["AMBER"]


def state(ctx: AppContext) -> tuple[int, ...]:
    """What an import could change: the records it makes and the changesets."""
    with ctx.session() as session:
        return tuple(int(session.scalar(select(func.count()).select_from(m)) or 0)
                     for m in (Target, Site, Wallet, ChangesetRecord))


@pytest.fixture
def op(ctx: AppContext) -> str:
    create_operation(ctx, "HARBOUR")
    return "HARBOUR"


def bundle_file(tmp_path: Path, *objects: dict[str, Any], name: str = "b.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "bundle", "id": "bundle--0f8f4c4e-6a57-4c35-9d52-"
                                "7f3c2e8b9a41", "objects": list(objects)}), encoding="utf-8")
    return path


def actor(uid: str, name: str | None = "Sample Actor", **extra: Any) -> dict[str, Any]:
    obj = {"type": "threat-actor", "spec_version": "2.1",
           "id": f"threat-actor--{uid}", "created": T, "modified": T,
           "object_marking_refs": [AMBER], **extra}
    if name is not None:
        obj["name"] = name
    return obj


def targets(ctx: AppContext, codename: str = "HARBOUR") -> dict[str, Target]:
    with ctx.session() as session:
        rows = session.scalars(select(Target).join(
            Target.__table__.metadata.tables["operation"],
            Target.operation_id == Target.__table__.metadata.tables["operation"].c.id)
            .where(Target.__table__.metadata.tables["operation"].c.codename == codename))
        found = {t.name: t for t in rows}
        session.expunge_all()
        return found


def wallets(ctx: AppContext) -> list[Wallet]:
    with ctx.session() as session:
        found = list(session.scalars(select(Wallet)))
        session.expunge_all()
        return found


def test_a_misp_event_gives_its_actor_and_wallet(ctx: AppContext, op: str) -> None:
    plan = plan_import(ctx, op, MISP)
    assert plan.counts() == {"target": 1, "site": 0, "wallet": 1}
    skipped = {s.type: s.reason for s in plan.skipped}
    assert skipped["x-misp-object"] == "unknown or unsupported object type 'x-misp-object'"
    assert "only wallet indicators are imported" in skipped["indicator"]
    assert "container" in skipped["grouping"] and "roster" in skipped["identity"]
    report = import_stix(ctx, op, MISP, plan=plan)
    assert report.created == {"target": 1, "site": 0, "wallet": 1}
    crew = targets(ctx)["Fictional Fraud Crew"]
    assert (crew.kind, crew.aliases, crew.tlp) == ("organisation", ["FFC"], "GREEN")
    [wallet] = wallets(ctx)
    assert (wallet.chain, wallet.address, wallet.target_id, wallet.tlp) == (
        "bitcoin", "bc1qaj3geyzlmhp8n76g3g8ntgsdxtty283qvu9qyu", crew.id, "GREEN")


def test_an_opencti_bundle_gives_actors_places_and_wallets(ctx: AppContext, op: str) -> None:
    report = import_stix(ctx, op, OPENCTI)
    assert report.created == {"target": 3, "site": 1, "wallet": 2}
    found = targets(ctx)
    network = found["Fictional Yield Network"]
    assert (network.kind, network.country, network.aliases) == (
        "organisation", "NG", ["FYN", "Yield Club"])
    recruiter = found["Imaginary Recruiter"]
    assert (recruiter.kind, recruiter.location) == ("person", "Lagos")
    by_chain = {w.chain: w for w in wallets(ctx)}
    assert by_chain["ethereum"].target_id == network.id
    assert by_chain["ethereum"].address == "0x4d0745c2068dcf5b2b7ae7defab6ef735318e3b4"
    own = found[by_chain["tron"].label]  # a wallet target of its own
    assert own.kind == "wallet" and by_chain["tron"].target_id == own.id
    with ctx.session() as session:
        lagos = session.scalars(select(Site)).one()
        assert (lagos.country, lagos.zone, lagos.lat) == ("NG", "Africa/Lagos", 6.4541)
    skipped = {s.type: s.reason for s in report.plan.skipped if s.type != "identity"}
    assert skipped == {
        "relationship": "attributed-to: the operation has no place for this link between "
                        "intrusion-set and threat-actor",
        "report": "a report is a container: the objects it refers to are imported, not the "
                  "container"}
    assert report.plan.relationships == 3


def test_every_record_is_a_signed_changeset(ctx: AppContext, op: str) -> None:
    before = state(ctx)
    report = import_stix(ctx, op, OPENCTI)
    with ctx.session() as session:
        bodies = b"".join(session.scalars(select(ChangesetRecord.body)))
    for ids in report.change.created.values():
        for record_id in ids:
            assert record_id.encode() in bodies
    assert state(ctx)[3] > before[3]


def test_round_trip_keeps_actors_wallets_and_places(ctx: AppContext, tmp_path: Path) -> None:
    create_demo(ctx)
    export_stix(ctx, DEMO_CODENAME, tmp_path / "demo.json", "Kenya DCI")
    create_operation(ctx, "COPY")
    report = import_stix(ctx, "COPY", tmp_path / "demo.json")
    assert not report.cancelled
    copied = targets(ctx, "COPY")
    original = targets(ctx, DEMO_CODENAME)
    for name, t in original.items():
        if t.kind in ("person", "organisation", "server") and t.tlp != "RED":
            assert copied[name].kind == t.kind
            assert copied[name].country == t.country
            assert copied[name].aliases == t.aliases
            assert copied[name].nationality == t.nationality
    # The RED ringleaders stay out: RED is never imported.
    assert "Brian Otieno Kamau" not in copied
    assert any("TLP:RED" in s.reason for s in report.plan.skipped)
    for name, t in original.items():
        if t.kind == "premises":
            assert (copied[name].kind, copied[name].country) == ("premises", t.country)
    with ctx.session() as session:
        wallet_rows = session.execute(select(Wallet.operation_id, Wallet.chain,
                                             Wallet.address, Wallet.category)).all()
        site_rows = session.execute(select(Site.operation_id, Site.name, Site.country,
                                           Site.lat, Site.lon)).all()
    demo_id = original["Grace Achieng Mutua"].operation_id
    suspects = {(c, a.lower()) for o, c, a, cat in wallet_rows if o == demo_id
                and cat == "suspect"}
    copies = {(c, a.lower()) for o, c, a, _cat in wallet_rows if o != demo_id}
    assert suspects == copies and len(copies) == 4
    places = {(n, c, la, lo) for o, n, c, la, lo in site_rows if o == demo_id}
    copied_places = {(n, c, la, lo) for o, n, c, la, lo in site_rows if o != demo_id}
    assert copied_places == places
    assert copied["Grace Achieng Mutua"].location == "Westlands call centre"


def test_a_second_import_of_the_same_file_adds_nothing(ctx: AppContext, op: str) -> None:
    import_stix(ctx, op, OPENCTI)
    before = state(ctx)
    again = import_stix(ctx, op, OPENCTI)
    assert again.created == {"target": 0, "site": 0, "wallet": 0}
    assert any("already in the operation" in s.reason for s in again.plan.skipped)
    assert state(ctx)[:3] == before[:3]


# ---- bad input: each leaves the operation as it was ------------------------------------


def test_a_file_that_is_not_json(ctx: AppContext, op: str, tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text('{"type": "bundle", "objects": [', encoding="utf-8")
    before = state(ctx)
    with pytest.raises(KnownError, match=r"feed.json is not a STIX file: it is not JSON "
                       r"\(Expecting value at line 1"):
        import_stix(ctx, op, path)
    path.write_text('{"type": "report"}', encoding="utf-8")
    with pytest.raises(KnownError, match="JSON but not a STIX bundle"):
        import_stix(ctx, op, path)
    assert state(ctx) == before


def test_unknown_types_are_skipped_and_listed(ctx: AppContext, op: str,
                                              tmp_path: Path) -> None:
    path = bundle_file(tmp_path,
                       {"type": "x-acme-case", "id": "x-acme-case--1b0c5f0e-6a57-4c35-9d52-"
                        "7f3c2e8b9a41", "spec_version": "2.1"},
                       {"type": "malware", "id": "malware--2b0c5f0e-6a57-4c35-9d52-"
                        "7f3c2e8b9a41", "spec_version": "2.1", "name": "Stealer",
                        "is_family": True, "created": T, "modified": T})
    before = state(ctx)
    report = import_stix(ctx, op, path)
    assert [(s.type, s.reason) for s in report.plan.skipped] == [
        ("x-acme-case", "unknown or unsupported object type 'x-acme-case'"),
        ("malware", "unknown or unsupported object type 'malware'")]
    assert report.summary() == "Imported into HARBOUR: nothing; 2 objects skipped."
    assert state(ctx) == before


def test_objects_missing_required_properties_are_skipped(ctx: AppContext, op: str,
                                                         tmp_path: Path) -> None:
    no_pattern = {"type": "indicator", "spec_version": "2.1",
                  "id": "indicator--3b0c5f0e-6a57-4c35-9d52-7f3c2e8b9a41", "created": T,
                  "modified": T, "pattern_type": "stix", "valid_from": T}
    path = bundle_file(tmp_path, actor("4b0c5f0e-6a57-4c35-9d52-7f3c2e8b9a41", name=None),
                       no_pattern, {"spec_version": "2.1", "name": "no type nor id"})
    before = state(ctx)
    report = import_stix(ctx, op, path)
    reasons = [s.reason for s in report.plan.skipped]
    assert reasons == ["not valid STIX 2.1: 'name' is a required property",
                       "not valid STIX 2.1: 'pattern' is a required property",
                       "not a STIX object (no type or id)"]
    assert state(ctx) == before


def test_a_wallet_with_a_bad_address_is_skipped(ctx: AppContext, op: str,
                                                tmp_path: Path) -> None:
    good = bitcoin_address("x")
    bad = good[:-1] + ("q" if good[-1] != "q" else "p")
    wallet = {"type": "indicator", "spec_version": "2.1", "name": "broken",
              "id": "indicator--5b0c5f0e-6a57-4c35-9d52-7f3c2e8b9a41", "created": T,
              "modified": T, "pattern_type": "stix", "valid_from": T,
              "pattern": f"[cryptocurrency-wallet:address = '{bad}']",
              "x_jointops_chain": "bitcoin"}
    before = state(ctx)
    report = import_stix(ctx, op, bundle_file(tmp_path, wallet))
    [skipped] = report.plan.skipped
    assert skipped.reason.startswith(f"wallet {bad}: not a valid bitcoin address")
    assert state(ctx) == before


def test_markings_above_what_the_operation_allows(ctx: AppContext, op: str,
                                                  tmp_path: Path) -> None:
    red = actor("6b0c5f0e-6a57-4c35-9d52-7f3c2e8b9a41", "Red Actor",
                object_marking_refs=[TLP_MARKING_IDS["RED"]])
    strict = actor("7b0c5f0e-6a57-4c35-9d52-7f3c2e8b9a41", "Strict Actor",
                   object_marking_refs=[TLP_MARKING_IDS["AMBER+STRICT"]])
    before = state(ctx)
    report = import_stix(ctx, op, bundle_file(tmp_path, red, strict))
    assert report.plan.allowed == "AMBER"
    assert [s.reason for s in report.plan.skipped] == [
        "marked TLP:RED, above what operation HARBOUR allows (TLP:AMBER; TLP:RED is never "
        "imported)",
        "marked TLP:AMBER+STRICT, above what operation HARBOUR allows (TLP:AMBER; TLP:RED "
        "is never imported)"]
    assert state(ctx) == before


def test_a_100_mb_file_reports_progress_and_cancels(ctx: AppContext, op: str,
                                                    tmp_path: Path) -> None:
    # 100 MB of white space inside a valid bundle: written in about a tenth of a second,
    # and the import is cancelled while it reads, as a person would press Cancel.
    path = tmp_path / "large.json"
    with path.open("wb") as handle:
        handle.write(b'{"type": "bundle", "id": "bundle--1b0c5f0e-6a57-4c35-9d52-'
                     b'7f3c2e8b9a41", "objects": [')
        block = b" " * (1 << 20)
        for _ in range(100):
            handle.write(block)
        handle.write(b"]}")
    seen: list[tuple[int, int]] = []
    before = state(ctx)
    report = import_stix(ctx, op, path, progress=lambda d, t: seen.append((d, t)),
                         cancel=lambda: len(seen) >= 3)
    assert report.cancelled
    assert report.summary() == "The import was cancelled; nothing was imported."
    assert len(seen) == 3 and seen[0][1] == 1000 and seen[0][0] < seen[-1][0] < 300
    assert state(ctx) == before
    with pytest.raises(KnownError, match=r"large\.json is 105 MB; a STIX file of more "
                       r"than 50 MB is not imported"):
        import_stix(ctx, op, path, max_bytes=50_000_000)


def test_a_cancel_while_writing_changes_nothing(ctx: AppContext, op: str) -> None:
    plan = plan_import(ctx, op, OPENCTI)
    asked: list[int] = []

    def cancel() -> bool:
        asked.append(1)
        return len(asked) > 3  # after some records are written in the transaction

    before = state(ctx)
    report = import_stix(ctx, op, OPENCTI, plan=plan, cancel=cancel)
    assert report.cancelled and report.created == {}
    assert state(ctx) == before


@pytest.mark.parametrize("path", [MISP, OPENCTI])
def test_the_samples_are_valid_stix(path: Path) -> None:
    from stix2validator import ValidationOptions, validate_instance

    result = validate_instance(json.loads(path.read_text(encoding="utf-8")),
                               ValidationOptions(version="2.1"))
    assert result.is_valid and not result.errors, [str(e) for e in result.errors]


def test_what_arrived_since_the_preview_is_not_written_twice(ctx: AppContext,
                                                             op: str) -> None:
    plan = plan_import(ctx, op, OPENCTI)
    import_stix(ctx, op, OPENCTI)  # another import of the same file meanwhile
    before = state(ctx)
    report = import_stix(ctx, op, OPENCTI, plan=plan)
    assert report.created == {"target": 0, "site": 0, "wallet": 0}
    assert [s.reason for s in report.plan.skipped].count(
        "already in the operation (added since the preview)") == 5
    assert state(ctx)[:3] == before[:3]
