"""Reference data loaded into a new store: countries and zones, rules, bars, conventions."""

from __future__ import annotations

from sqlalchemy import select

from app.core.countries import all_countries
from app.models.base import reference_id
from app.models.records import Instrument, Jurisdiction
from app.services.context import AppContext


def test_every_country_with_its_zones(ctx: AppContext) -> None:
    with ctx.store.session() as session:
        rows = {j.code: j for j in session.scalars(select(Jurisdiction))}
    for code, country in all_countries().items():
        assert rows[code].zones == list(country.zones)
    assert rows["KE"].zones == ["Africa/Nairobi"]
    assert "Europe/Busingen" in rows["DE"].zones
    assert rows["XK"].zones == ["Europe/Belgrade"]  # Kosovo is not in iso3166.tab


def test_search_rules_keep_source_as_of_and_confidence(ctx: AppContext) -> None:
    with ctx.store.session() as session:
        fr = session.get(Jurisdiction, reference_id("jurisdiction", "FR"))
        ke = session.get(Jurisdiction, reference_id("jurisdiction", "KE"))
        dc = session.scalars(select(Jurisdiction).where(Jurisdiction.code == "US-DC")).one()
        ao = session.get(Jurisdiction, reference_id("jurisdiction", "AO"))
    assert fr is not None and ke is not None and ao is not None
    assert fr.search_rule == {"kind": "window", "start": "06:00", "end": "21:00"}
    assert fr.search_confidence == "high"
    assert fr.search_source and fr.search_as_of
    assert ke.search_rule == {"kind": "solar"}
    assert dc.country == "US" and dc.search_rule["end"] == "21:00"
    # No entry shipped for Angola's search hours: unknown, not "no rule".
    assert ao.search_rule == {"kind": "unknown"}
    assert ao.nationals_bar == "bar" and ao.nationals_confidence == "medium"


def test_conventions_with_unknown_parties_are_gaps(ctx: AppContext) -> None:
    with ctx.store.session() as session:
        by_key = {i.ref_key: i for i in session.scalars(select(Instrument))}
    assert by_key["EU_EAW"].parties is not None
    assert len(by_key["EU_EAW"].parties) == 27
    assert by_key["OAS_B47"].parties is None  # party list not found: a gap
    assert by_key["OAS_B47"].notes
    assert all(i.sources and i.confidence for i in by_key.values())


def test_reference_ids_are_the_same_in_every_store(ctx: AppContext) -> None:
    with ctx.store.session() as session:
        eaw = session.scalars(select(Instrument).where(Instrument.ref_key == "EU_EAW")).one()
        assert eaw.id == reference_id("instrument", "EU_EAW")
        assert eaw.owner_agency_id is None
