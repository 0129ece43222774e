"""STIX 2.1 export: valid for the OASIS validator, what each recipient may see, stable ids,
and what anonymising removes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from app.core.errors import KnownError
from app.core.stix_objects import TLP_MARKING_IDS
from app.models.records import Agency, Site, Target, Wallet
from app.services.context import AppContext
from app.services.demo import DEMO_CODENAME, create_demo
from app.services.stix_export import build_stix, export_stix
from app.services.targets import update_record

ANGOLA = "Angola Digital Crime Brigade"
UK = "UK Crypto Tracing Liaison"  # an observer with a GREEN ceiling


def assert_valid(document: dict[str, Any]) -> None:
    from stix2validator import ValidationOptions, validate_instance

    result = validate_instance(document, ValidationOptions(version="2.1"))
    assert result.is_valid, [str(e) for e in result.errors]
    assert not result.errors


def by_type(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [o for o in document["objects"] if o["type"] == kind]


@pytest.fixture
def demo(ctx: AppContext) -> AppContext:
    create_demo(ctx)
    return ctx


def names(document: dict[str, Any]) -> set[str]:
    return {o["name"] for o in document["objects"] if "name" in o}


def test_partner_export_is_valid_and_leaves_out_what_bundles_would(demo: AppContext) -> None:
    document, report = build_stix(demo, DEMO_CODENAME, ANGOLA)
    assert_valid(document)
    # The two RED ringleaders are addressed to no one: left out, as bundles leave them.
    assert "Brian Otieno Kamau" not in names(document)
    assert "Chanda Mwape Zulu" not in names(document)
    assert report.withheld == {"target: TLP:RED and not addressed to this agency": 2}
    assert "Grace Achieng Mutua" in names(document)
    assert {o["name"] for o in by_type(document, "intrusion-set")} == {
        "Rift Valley Forex Club", "Kwanza Hashpower Lda", "Savanna Yield Capital Ltd"}
    assert {o["name"] for o in by_type(document, "infrastructure")} == {
        "riftforex app back end", "savannayield portal"}
    # Four suspect wallets, no victim wallets.
    wallets = by_type(document, "indicator")
    assert len(wallets) == 4
    assert all(w["pattern"].startswith("[cryptocurrency-wallet:value = '") for w in wallets)
    assert {w["x_jointops_chain"] for w in wallets} == {"tron", "bitcoin", "ethereum"}


def test_every_object_is_marked_and_created_by_the_exporting_agency(demo: AppContext) -> None:
    document, _report = build_stix(demo, DEMO_CODENAME, ANGOLA)
    markings = {o["id"]: o for o in by_type(document, "marking-definition")}
    assert set(markings) <= set(TLP_MARKING_IDS.values())
    amber = markings[TLP_MARKING_IDS["AMBER"]]
    assert amber["name"] == "TLP:AMBER"
    assert amber["extensions"] == {"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d":
                                   {"extension_type": "property-extension", "tlp_2_0": "amber"}}
    author = next(o for o in by_type(document, "identity") if o["name"] == "Kenya DCI")
    for obj in document["objects"]:
        if obj["type"] == "marking-definition":
            continue
        assert obj["created_by_ref"] == author["id"]
        assert len(obj["object_marking_refs"]) == 1
        assert obj["object_marking_refs"][0] in markings


def test_relationships_join_targets_to_places_and_wallets(demo: AppContext) -> None:
    document, _report = build_stix(demo, DEMO_CODENAME, "Kenya DCI")
    assert_valid(document)
    ids = {o["id"]: o for o in document["objects"]}
    links = {(ids[r["source_ref"]]["name"], r["relationship_type"], ids[r["target_ref"]]["name"])
             for r in by_type(document, "relationship")}
    assert ("Grace Achieng Mutua", "located-at", "Westlands call centre") in links
    assert ("Grace Achieng Mutua", "located-at", "Kenya") in links
    assert ("Rift Valley Forex Club", "originates-from", "Kenya") in links
    assert ("savannayield portal", "located-at", "Amsterdam hosting hall") in links
    assert ("Kenya DCI", "located-at", "Kenya") in links
    # Every relationship is marked at least as high as both its ends.
    ranks = {v: i for i, v in enumerate(TLP_MARKING_IDS.values())}
    for r in by_type(document, "relationship"):
        mark = ranks[r["object_marking_refs"][0]]
        assert mark >= ranks[ids[r["source_ref"]]["object_marking_refs"][0]]
        assert mark >= ranks[ids[r["target_ref"]]["object_marking_refs"][0]]


def test_a_sharing_community_gets_only_clear_and_green(demo: AppContext) -> None:
    with demo.session() as session:
        grace = session.scalars(select(Target.id).where(Target.name == "Grace Achieng Mutua")).one()
        portal = session.scalars(select(Target.id).where(Target.name == "savannayield portal")
                                 ).one()
    update_record(demo, "target", grace, {"tlp": "GREEN"})
    update_record(demo, "target", portal, {"tlp": "CLEAR"})
    document, report = build_stix(demo, DEMO_CODENAME)
    assert_valid(document)
    assert report.recipient == "a sharing community outside the operation"
    actors = {o["name"] for o in document["objects"]
              if o["type"] in ("threat-actor", "intrusion-set", "infrastructure", "indicator")}
    assert actors == {"Grace Achieng Mutua", "savannayield portal"}
    levels = {o["object_marking_refs"][0] for o in document["objects"]
              if "object_marking_refs" in o}
    assert levels <= {TLP_MARKING_IDS["CLEAR"], TLP_MARKING_IDS["GREEN"]}
    assert report.withheld["target: TLP:AMBER is above this partner's ceiling (TLP:GREEN)"] == 13


def test_an_observer_with_a_green_ceiling_gets_no_amber(demo: AppContext) -> None:
    document, _report = build_stix(demo, DEMO_CODENAME, UK)
    assert_valid(document)
    assert not by_type(document, "threat-actor") and not by_type(document, "indicator")


def test_ids_are_stable_across_exports(demo: AppContext, tmp_path: Path) -> None:
    first = export_stix(demo, DEMO_CODENAME, tmp_path / "a.json", ANGOLA)
    second = export_stix(demo, DEMO_CODENAME, tmp_path / "b.json", ANGOLA)
    assert first.objects == second.objects
    a = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    assert a == b


def test_anonymised_export_holds_no_personal_data(demo: AppContext) -> None:
    document, report = build_stix(demo, DEMO_CODENAME, ANGOLA, anonymised=True)
    assert_valid(document)
    with demo.session() as session:
        people = list(session.scalars(select(Target).where(Target.kind == "person")))
        sites = list(session.scalars(select(Site)))
        premises = list(session.scalars(select(Target.name).where(Target.kind == "premises")))
        labels = list(session.scalars(select(Wallet.label)))
        addresses = list(session.scalars(select(Wallet.address).where(
            Wallet.category == "suspect")))
        contacts = list(session.scalars(select(Agency.contact_24_7)))
    text = json.dumps(document, ensure_ascii=False)
    for person in people:
        assert person.name not in text
        for alias in person.aliases:
            assert f'"{alias}"' not in text
    assert "x_jointops_nationality" not in text
    for site in sites:
        assert site.name not in text and site.address not in text
        assert f": {site.lat}" not in text and f": {site.lon}" not in text
    for name in [n for n in premises + labels + contacts if n]:
        assert name not in text
    for obj in by_type(document, "location"):
        assert set(obj) & {"latitude", "longitude", "street_address"} == set()
    assert all(o["name"].startswith("Person ") for o in by_type(document, "threat-actor"))
    assert len(by_type(document, "threat-actor")) == 5
    # What stays: the wallets (the indicators), organisations and servers, countries.
    for address in addresses[:4]:
        assert address in text
    assert "Rift Valley Forex Club" in text and "riftforex app back end" in text
    ids = {o["id"]: o for o in document["objects"]}
    links = {(r["relationship_type"], ids[r["target_ref"]]["name"])
             for r in by_type(document, "relationship")}
    assert ("located-at", "Netherlands") in links  # the server's site, as its country
    assert report.withheld["premises: anonymised (a premises names a place)"] == 5


def test_export_refuses_an_agency_outside_the_operation(demo: AppContext,
                                                        tmp_path: Path) -> None:
    with pytest.raises(KnownError, match="There is no agency 'Nobody'"):
        export_stix(demo, DEMO_CODENAME, tmp_path / "x.json", "Nobody")
    with pytest.raises(KnownError, match="There is no operation"):
        export_stix(demo, "NO SUCH", tmp_path / "x.json")
    assert not (tmp_path / "x.json").exists()


def test_a_cancelled_export_writes_no_file(demo: AppContext, tmp_path: Path) -> None:
    with pytest.raises(KnownError, match="cancelled"):
        export_stix(demo, DEMO_CODENAME, tmp_path / "x.json", cancel=lambda: True)
    assert not (tmp_path / "x.json").exists()


def test_ids_are_uuid5_of_the_record_ids() -> None:
    import uuid

    from app.core.stix_objects import NAMESPACE, stix_id

    for key in ("a", "country:KE", "é" * 40, "3f2b-..."):
        assert stix_id("location", key) == f"location--{uuid.uuid5(NAMESPACE, key)}"


def test_a_red_record_goes_only_to_the_agencies_its_changesets_name(demo: AppContext) -> None:
    from app.models.sync_records import ChangesetRecord

    with demo.session() as session:
        angola = session.scalars(select(Agency.id).where(Agency.name == ANGOLA)).one()
        # As if the RED records had arrived from a partner addressed to Angola and us.
        for row in session.scalars(select(ChangesetRecord).where(ChangesetRecord.tlp == "RED")):
            row.red_to = [angola, demo.agency_id]
    document, report = build_stix(demo, DEMO_CODENAME, ANGOLA)
    assert_valid(document)
    assert {"Brian Otieno Kamau", "Chanda Mwape Zulu"} <= names(document)
    assert report.withheld == {}
    zambia, _report = build_stix(demo, DEMO_CODENAME, "Zambia Financial Crimes Taskforce")
    assert "Brian Otieno Kamau" not in names(zambia)
