"""Legal routes over a real store holding the shipped reference data: the cases of the
issue's Correctness section, instruments and their corrections, bad input."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from app.core.errors import NotFoundError, ValidationError
from app.models.base import reference_id
from app.models.records import Instrument, Operation, Target
from app.services import (
    instruments,
    jurisdictions,
    legal,
    operations,
    reference_facts,
    targets,
)
from app.services.context import AppContext
from app.sync.recorder import NotOwnedError

OP = "LEGAL TEST"


@pytest.fixture
def op(ctx: AppContext) -> str:
    op_id, _ = operations.create_operation(ctx, OP)
    return op_id


def person(ctx: AppContext, op_id: str, name: str, country: str, nationality: list[str],
           wanted_by: list[str], travels: list[str] | None = None,
           site_country: str | None = None, arrest: bool = True) -> str:
    target_id, _ = targets.add_record(ctx, "target", op_id,
                                      targets.target_values("person", name, country))
    site_id = None
    if site_country is not None:
        site_id, _ = targets.add_record(ctx, "site", op_id, targets.site_values(
            f"{name}'s flat", site_country, zone=_zone(site_country)))
    if arrest:
        targets.add_record(ctx, "action", op_id, targets.action_values(
            "arrest", target_id, site_id, ctx.agency_id))
    legal.set_target_legal(ctx, OP, name, wanted_by, nationality, travels)
    return target_id


def _zone(country: str) -> str:
    return {"DE": "Europe/Berlin", "PT": "Europe/Lisbon", "ES": "Europe/Madrid"}.get(country, "")


def seizure(ctx: AppContext, op_id: str, name: str, country: str, kind: str = "premises"
            ) -> str:
    target_id, _ = targets.add_record(ctx, "target", op_id,
                                      targets.target_values(kind, name, country))
    site_id, _ = targets.add_record(ctx, "site", op_id,
                                    targets.site_values(f"{name} site", country,
                                                        zone=_zone(country)))
    action_id, _ = targets.add_record(ctx, "action", op_id, targets.action_values(
        "seizure", target_id, site_id, ctx.agency_id))
    return action_id


def answers(ctx: AppContext, name: str) -> list[Any]:
    report = legal.legal_report(ctx, OP)
    found = next(p for p in report.readiness.people if p.case.name == name)
    return list(found.answers)


def warnings_of(ctx: AppContext, subject: str) -> list[Any]:
    return [w for w in legal.legal_report(ctx, OP).readiness.warnings if w.subject == subject]


def target_row(ctx: AppContext, target_id: str) -> dict[str, Any]:
    with ctx.session() as session:
        t = session.get(Target, target_id)
        assert t is not None
        return {"wanted_by": list(t.wanted_by), "nationality": list(t.nationality),
                "travels": list(t.travels), "stamps": dict(t.stamps)}


# ---- the cases, on the shipped reference data --------------------------------------


def test_a_national_of_a_barring_state_wanted_outside_any_common_scheme(
        ctx: AppContext, op: str) -> None:
    person(ctx, op, "Angolan", "AO", ["AO"], ["CN"])
    (answer,) = answers(ctx, "Angolan")
    assert (answer.custody, answer.requesting, answer.status) == ("AO", "CN", "barred")
    assert "Prosecution in AO" in answer.fallback
    assert answer.nationals.key == "AO" and answer.nationals.confidence == "medium"
    assert answer.nationals.id == reference_id("jurisdiction", "AO")
    (warning,) = warnings_of(ctx, "Target Angolan")
    assert warning.level == "barred, fallback only"
    assert "Fallback: Prosecution in AO" in warning.reason
    assert [d.key for d in warning.data] == ["AO"]


def test_two_eu_states_the_eaw_lifts_the_bar_where_the_data_says_so(
        ctx: AppContext, op: str) -> None:
    person(ctx, op, "German", "DE", ["DE"], ["FR", "CH"])
    person(ctx, op, "French", "DE", ["FR"], ["FR"])
    to_fr, to_ch = answers(ctx, "German")
    assert to_fr.status == "route" and to_fr.bar_lifted
    assert to_fr.route.key == "EU_EAW"
    assert {r.key for r in to_fr.rests_on} == {"EU_EAW", "DE"}
    assert to_fr.confidence == "high"
    # Switzerland is outside the EU: the European Convention binds both, yet the German
    # bar stands, so only prosecution at home remains.
    assert to_ch.status == "barred" and [r.key for r in to_ch.instruments] == ["CETS_024"]
    (french,) = answers(ctx, "French")
    assert french.status == "route" and not french.bar_lifted and french.nationals is None
    assert warnings_of(ctx, "Target German") == []  # one requesting state has a route


def test_a_convention_whose_party_list_is_unknown_is_a_gap_not_no_route(
        ctx: AppContext, op: str) -> None:
    person(ctx, op, "Southern", "ZA", ["MZ"], ["AO"])
    (answer,) = answers(ctx, "Southern")
    assert answer.status == "gap"
    assert "SADC_EXTRADITION_2002" in [g.key for g in answer.gaps]
    assert answer.confidence == "low"
    (warning,) = warnings_of(ctx, "Target Southern")
    assert warning.level == "gap in data"
    report = legal.legal_report(ctx, OP)
    assert [r.key for r in report.readiness.unplaced] == ["OAS_B47"]


def test_dual_nationality_the_bar_applies_to_anyone_holding_it(
        ctx: AppContext, op: str) -> None:
    person(ctx, op, "Dual", "RU", ["DE", "RU"], ["DE"])
    person(ctx, op, "Single", "RU", ["DE"], ["DE"])
    assert answers(ctx, "Dual")[0].status == "barred"
    assert answers(ctx, "Single")[0].status == "gap"  # only UNTOC might link RU and DE


def test_a_person_travelling_through_a_third_state_with_a_better_route(
        ctx: AppContext, op: str) -> None:
    person(ctx, op, "Traveller", "AO", ["AO"], ["FR"], travels=["PT", "BR"])
    report = legal.legal_report(ctx, OP)
    (found,) = report.readiness.people
    assert found.answers[0].status == "barred"
    assert [(a.custody, a.status) for a in found.alternatives] == [("PT", "route"),
                                                                   ("BR", "gap")]
    assert found.alternatives[0].route.key == "EU_EAW"
    (warning,) = report.readiness.warnings
    assert "Better: arrest in PT" in warning.reason


def test_the_arrest_site_is_the_custody_state(ctx: AppContext, op: str) -> None:
    person(ctx, op, "Mover", "AO", ["AO"], ["FR"], site_country="ES")
    (answer,) = answers(ctx, "Mover")
    assert (answer.custody, answer.status) == ("ES", "route")


def test_a_person_wanted_but_not_to_be_arrested_is_shown_without_warning(
        ctx: AppContext, op: str) -> None:
    person(ctx, op, "Later", "AO", ["AO"], ["CN"], arrest=False)
    report = legal.legal_report(ctx, OP)
    assert [p.case.name for p in report.readiness.people] == ["Later"]
    assert report.readiness.warnings == () and report.readiness.ready


# ---- seizures ------------------------------------------------------------------------------


def test_a_seizure_abroad_needs_a_basis_with_the_victims_states(
        ctx: AppContext, op: str) -> None:
    seizure(ctx, op, "Mining hall", "AO")
    seizure(ctx, op, "Home office", "KE")
    report = legal.legal_report(ctx, OP)
    assert report.victim_states_from == "lead agency"
    assert report.readiness.victim_states == ("KE",)
    abroad = [s for s in report.readiness.seizures if s.abroad]
    assert [s.case.state for s in abroad] == ["AO"]
    (warning,) = report.readiness.warnings
    assert warning.level == "no route" and "AO and KE" in warning.reason

    instruments.add_instrument(ctx, "Kenya-Angola asset-sharing MOA", "asset sharing", "MOA",
                               "KE, AO", "Signed copy held by the DCI legal office",
                               confidence="high")
    report = legal.legal_report(ctx, OP)
    assert report.readiness.warnings == ()
    (basis,) = next(s for s in report.readiness.seizures if s.abroad).answers
    assert basis.status == "basis" and [r.label for r in basis.instruments] == [
        "Kenya-Angola asset-sharing MOA"]


def test_victims_states_set_on_the_operation(ctx: AppContext, op: str) -> None:
    seizure(ctx, op, "Wallet 1", "AO", kind="wallet")
    legal.set_victim_states(ctx, OP, ["ao", "ZM"])
    report = legal.legal_report(ctx, OP)
    assert report.victim_states_from == "operation"
    assert report.readiness.victim_states == ("AO", "ZM")
    assert report.readiness.warnings == ()
    with pytest.raises(ValidationError, match="Unknown country code 'QQ'"):
        legal.set_victim_states(ctx, OP, ["QQ"])
    with ctx.session() as session:
        row = session.get(Operation, op)
        assert row is not None and row.victim_states == ["AO", "ZM"]


# ---- bad input: clear messages, nothing changed ----------------------------------------------


def test_unknown_country_codes_are_refused(ctx: AppContext, op: str) -> None:
    target_id = person(ctx, op, "Someone", "KE", ["KE"], ["GB"])
    before = target_row(ctx, target_id)
    for field in ("wanted_by", "nationality", "travels"):
        kwargs: dict[str, Any] = {"wanted_by": ["GB"], "nationality": None, "travels": None}
        kwargs[field] = ["GB", "XX"]
        with pytest.raises(ValidationError, match="Unknown country code 'XX'"):
            legal.set_target_legal(ctx, OP, "Someone", kwargs.pop("wanted_by"), **kwargs)
    assert target_row(ctx, target_id) == before


def test_a_target_without_a_location_is_refused(ctx: AppContext, op: str) -> None:
    target_id, _ = targets.add_record(ctx, "target", op,
                                      targets.target_values("person", "Nowhere"))
    with pytest.raises(ValidationError, match="Nowhere has no location"):
        legal.set_target_legal(ctx, OP, "Nowhere", ["FR"])
    assert target_row(ctx, target_id)["wanted_by"] == []
    # Its arrest, without a site, gives no location either; in the readiness check it is
    # a gap in data.
    targets.add_record(ctx, "action", op, targets.action_values("arrest", target_id, None,
                                                                ctx.agency_id))
    (warning,) = warnings_of(ctx, "Target Nowhere")
    assert warning.level == "gap in data" and "no location" in warning.reason


def test_other_targets_are_refused(ctx: AppContext, op: str) -> None:
    targets.add_record(ctx, "target", op, targets.target_values("premises", "Hall", "AO"))
    with pytest.raises(ValidationError, match="Hall is a premises"):
        legal.set_target_legal(ctx, OP, "Hall", ["FR"])
    with pytest.raises(NotFoundError, match="no target 'Ghost'"):
        legal.set_target_legal(ctx, OP, "Ghost", ["FR"])
    for _ in range(2):
        targets.add_record(ctx, "target", op, targets.target_values("person", "Twin", "KE"))
    with pytest.raises(ValidationError, match="2 targets are named 'Twin'"):
        legal.set_target_legal(ctx, OP, "Twin", ["FR"])


def test_a_partners_target_is_not_ours_to_change(ctx: AppContext, op: str) -> None:
    with ctx.store.session() as session:  # as a bundle from a partner would bring it
        theirs = Target(owner_agency_id="partner-agency", operation_id=op, kind="person",
                        name="Theirs", country="KE", tlp="AMBER")
        session.add(theirs)
        session.flush()
        theirs_id = theirs.id
    with pytest.raises(NotOwnedError):
        legal.set_target_legal(ctx, OP, "Theirs", ["GB"])
    assert target_row(ctx, theirs_id)["wanted_by"] == []


def test_set_by_id_and_unchanged_values_change_nothing(ctx: AppContext, op: str) -> None:
    target_id = person(ctx, op, "Byid", "KE", ["KE"], ["GB"])
    change = legal.set_target_legal(ctx, OP, target_id, ["GB"], ["KE"])
    assert change.kinds() == set()
    change = legal.set_target_legal(ctx, OP, target_id, ["gb", "US", "GB"], travels=["UG"])
    assert change.updated == {"target": [target_id]}
    assert target_row(ctx, target_id)["wanted_by"] == ["GB", "US"]
    assert target_row(ctx, target_id)["travels"] == ["UG"]


# ---- instruments --------------------------------------------------------------------------


def test_instruments_browse_and_search(ctx: AppContext) -> None:
    everything = instruments.list_instruments(ctx)
    assert {i.ref_key for i in everything} >= {"EU_EAW", "CETS_024", "SADC_EXTRADITION_2002"}
    assert all(i.origin == "shipped" for i in everything)
    angola = {i.ref_key for i in instruments.list_instruments(ctx, country="ao")}
    assert "SADC_EXTRADITION_2002" in angola and "EU_EAW" not in angola
    assert [i.ref_key for i in instruments.list_instruments(ctx, search="nordic")] == [
        "NORDIC_ARREST_WARRANT"]
    # In name order: "Convention on surrender ... (Nordic Arrest Warrant)" first.
    assert [i.ref_key for i in instruments.list_instruments(ctx, purpose="surrender")] == [
        "NORDIC_ARREST_WARRANT", "EU_EAW"]
    sadc = instruments.instrument(ctx, "SADC_EXTRADITION_2002")
    assert sadc.parties is None and sadc.confidence.startswith("low")
    with pytest.raises(ValidationError, match="Unknown country code 'XX'"):
        instruments.list_instruments(ctx, country="XX")
    with pytest.raises(NotFoundError):
        instruments.instrument(ctx, "NO_SUCH_TREATY")


def test_correcting_a_shipped_instrument_makes_a_record_of_our_own(
        ctx: AppContext, op: str) -> None:
    person(ctx, op, "Southern", "ZA", ["MZ"], ["AO"])
    shipped_id = reference_id("instrument", "SADC_EXTRADITION_2002")
    with pytest.raises(ValidationError, match="Say where the correction comes from"):
        instruments.edit_instrument(ctx, "SADC_EXTRADITION_2002", {"parties": "ZA, AO"})
    change = instruments.edit_instrument(
        ctx, "SADC_EXTRADITION_2002", {"parties": "ZA:2006-09-01, AO, NA"},
        source="SADC secretariat status table, checked by phone")
    (mine_id,) = change.created["instrument"]
    with ctx.session() as session:
        shipped = session.get(Instrument, shipped_id)
        mine = session.get(Instrument, mine_id)
        assert shipped is not None and shipped.parties is None  # the shipped row is kept
        assert mine is not None and mine.overrides_id == shipped_id
        assert mine.owner_agency_id == ctx.agency_id
    info = instruments.instrument(ctx, shipped_id)
    assert info.id == mine_id and info.mine and info.origin.startswith("shipped, corrected")
    assert info.party_codes == ["ZA", "AO", "NA"] and info.confidence == "agency correction"
    assert info.sources[0]["what"].startswith("SADC secretariat")
    (answer,) = answers(ctx, "Southern")
    assert answer.status == "route" and answer.route.key == "SADC_EXTRADITION_2002"

    # A second edit updates the same correction; deleting it brings the shipped one back.
    again = instruments.edit_instrument(ctx, shipped_id, {"confidence": "medium"})
    assert again.updated == {"instrument": [mine_id]}
    instruments.remove_instrument(ctx, shipped_id)
    assert instruments.instrument(ctx, shipped_id).parties is None
    assert answers(ctx, "Southern")[0].status == "gap"
    with pytest.raises(ValidationError, match="not this agency's to delete"):
        instruments.remove_instrument(ctx, "EU_EAW")


def test_adding_an_instrument_checks_every_field(ctx: AppContext) -> None:
    def count() -> int:
        with ctx.session() as session:
            return int(session.scalar(select(func.count(Instrument.id))) or 0)

    before = count()
    bad: list[tuple[dict[str, Any], str]] = [
        ({"parties": "KE, XX"}, "Unknown country code 'XX'"),
        ({"parties": "KE:2024-13-01"}, "is not a date"),
        ({"purpose": "friendship"}, "Unknown purpose"),
        ({"form": "handshake"}, "Unknown form"),
        ({"name": " "}, "needs a name"),
        ({"source": ""}, "Say where the instrument comes from"),
        ({"confidence": "certain"}, "Confidence is one of"),
        ({"conditions": {"dual_criminality": "yes"}}, "either true or false"),
        ({"conditions": {"nationals": "sometimes"}}, "treats nationals"),
    ]
    for override, message in bad:
        args: dict[str, Any] = {"name": "KE-UG treaty", "purpose": "extradition",
                                "form": "bilateral treaty", "parties": "KE, UG",
                                "source": "Gazette", **override}
        with pytest.raises(ValidationError, match=message):
            instruments.add_instrument(ctx, **args)
    assert count() == before
    new_id, _ = instruments.add_instrument(
        ctx, "KE-UG treaty", "extradition, MLA", "bilateral treaty", "KE, UG:2020-05-01",
        "Kenya Gazette", conditions={"dual_criminality": True}, in_force="2020-05-01")
    info = instruments.instrument(ctx, "KE_UG_TREATY")
    assert info.id == new_id and info.mine and info.origin == "added by Kenya DCI"
    assert info.purpose == "extradition, mutual legal assistance"
    assert info.parties == [{"country": "KE", "in_force": ""},
                            {"country": "UG", "in_force": "2020-05-01"}]
    instruments.edit_instrument(ctx, new_id, {"binding": False})
    assert instruments.instrument(ctx, new_id).binding is False


def test_a_correction_of_search_hours_keeps_the_bar_on_nationals(ctx: AppContext) -> None:
    jurisdictions.set_search_rule(ctx, "AO", {"kind": "none"}, "No fixed hours", "Decree")
    with ctx.session() as session:
        facts = legal.nationals_facts(session)
    assert facts["AO"].status == "bar" and facts["DE"].status == "bar_except_eu_or_treaty"


def test_an_agency_corrects_a_bar_on_nationals(ctx: AppContext, op: str) -> None:
    person(ctx, op, "Angolan", "AO", ["AO"], ["CN"])
    before = reference_facts.jurisdiction_facts(ctx, "AO")
    for args, message in [(("QQ", "allowed"), "Unknown country code 'QQ'"),
                          (("AO", "never"), "Unknown status 'never'"),
                          (("AO", "allowed", ""), "Say where the correction comes from")]:
        code, status, *rest = args
        with pytest.raises(ValidationError, match=message):
            legal.set_nationals_bar(ctx, code, status, "", rest[0] if rest else "x")
    assert answers(ctx, "Angolan")[0].status == "barred"
    legal.set_nationals_bar(ctx, "AO", "allowed", "New extradition law", "Official Gazette")
    (answer,) = answers(ctx, "Angolan")
    assert answer.status == "gap"  # no longer barred; only UNTOC may link AO and CN
    assert answer.nationals.confidence == "agency correction"
    after = reference_facts.jurisdiction_facts(ctx, "AO")
    assert after is not None and before is not None
    assert after.search_rule == before.search_rule  # the search hours are kept


def test_the_drawing_links_the_states_involved(ctx: AppContext, op: str) -> None:
    target_id = person(ctx, op, "German", "DE", ["DE"], ["FR"], travels=["PT"])
    drawing = legal.legal_drawing(ctx, OP, target_id, today=date(2026, 6, 1))
    assert drawing.states == ("DE", "FR", "KE", "PT")
    keys = {(lk.a, lk.b, lk.instrument.key) for lk in drawing.links}
    assert ("DE", "FR", "EU_EAW") in keys and ("FR", "PT", "CETS_024") in keys
    assert ("DE", "FR", reference_id("instrument", "EU_EAW")) in drawing.highlighted
