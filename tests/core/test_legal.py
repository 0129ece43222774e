"""Legal routes on plain facts: the graph, the bar on nationals and its exceptions, gaps,
better places of arrest, seizure bases and the order of warnings."""

from __future__ import annotations

from datetime import date

import pytest

from app.core import legal
from app.core.legal import (
    InstrumentFact,
    NationalsFact,
    Party,
    PersonCase,
    RouteGraph,
    SeizureCase,
)

TODAY = date(2026, 6, 1)


def inst(key: str, parties: list[str] | None, purpose: str = "extradition",
         form: str = "multilateral convention", confidence: str = "high",
         binding: bool = True, in_force: str = "",
         conditions: dict[str, object] | None = None) -> InstrumentFact:
    return InstrumentFact(
        f"id-{key}", key, f"The {key}", legal.purposes_of(purpose), form, binding,
        None if parties is None else tuple(Party(*p.split(":")) for p in parties),
        in_force, conditions or {}, confidence)


EAW = inst("EAW", ["DE", "FR", "PT", "NL"], purpose="surrender", form="surrender scheme")
CONV = inst("CONV", ["DE", "FR", "CH", "PT", "NL"], confidence="medium")
SADC = inst("SADC", None, confidence="low (parties) / high (signatories)",
            conditions={"signatories": ["AO", "ZA", "MZ"]})
UN = inst("UN", None, confidence="medium (counts) / low (current non-party list)",
          conditions={"notable_non_parties": {"codes": ["IR"], "source": "x"}})
OAS = inst("OAS", None, confidence="n/a")
NATIONALS = {
    "AO": NationalsFact("AO", "bar", "Constitution Art. 70(1).", "medium", "2013"),
    "DE": NationalsFact("DE", "bar_except_eu_or_treaty", "GG Art. 16(2)", "high", "2016"),
    "NL": NationalsFact("NL", "conditional", "return to serve", "medium"),
    "CH": NationalsFact("CH", "consent_only", "IRSG Art. 7", "high"),
}


@pytest.fixture
def graph() -> RouteGraph:
    return RouteGraph([EAW, CONV, SADC, UN, OAS], NATIONALS, TODAY)


def person(name: str, nationalities: str, custody: str, wanted: str,
           travels: str = "", arrests: int = 1) -> PersonCase:
    split = lambda text: tuple(c for c in text.split(",") if c)  # noqa: E731
    return PersonCase(f"t-{name}", name, split(nationalities), split(custody), split(wanted),
                      split(travels), arrests)


def test_confidence_is_the_lowest_level_mentioned() -> None:
    assert legal.confidence_level("low (parties) / high (signatories)") == "low"
    assert legal.confidence_level("medium (2013 data)") == "medium"
    assert legal.confidence_level("n/a") == "unknown"
    assert legal.confidence_level("") == "unknown"
    assert legal.confidence_level("agency correction") == "high"
    assert legal.lowest(["high", "medium"]) == "medium"
    assert legal.lowest([]) == "unknown"


def test_start_dates_and_purposes_read_from_free_text() -> None:
    assert legal.start_date("2004-01-01 (in force 2002-08-07)") == date(2004, 1, 1)
    assert legal.start_date("2012 (Norwegian circular)") == date(2012, 1, 1)
    assert legal.start_date("CONFLICT: 2006-09-01 per ...") is None
    assert legal.start_date("") is None
    assert legal.purposes_of("Extradition, MLA") == {"extradition", "mutual legal assistance"}


def test_a_national_of_a_barring_state_is_barred_with_the_fallback_named(
        graph: RouteGraph) -> None:
    answer = graph.answer("AO", "FR", national=True)
    assert answer.status == "barred"
    assert "national of AO" in answer.reason
    assert "Prosecution in AO" in answer.fallback and "aut dedere aut judicare" in answer.fallback
    assert answer.nationals is not None and answer.nationals.key == "AO"
    assert [r.key for r in answer.rests_on] == ["AO"]
    assert answer.confidence == "medium"


def test_a_foreigner_held_in_a_barring_state_is_not_barred(graph: RouteGraph) -> None:
    answer = graph.answer("AO", "ZA", national=False)
    assert answer.status == "gap"  # SADC: both named as signatories, parties unknown
    assert [g.key for g in answer.gaps] == ["SADC", "UN"]
    assert answer.nationals is None


def test_eu_surrender_lifts_a_bar_that_yields_to_it(graph: RouteGraph) -> None:
    answer = graph.answer("DE", "FR", national=True)
    assert answer.status == "route" and answer.bar_lifted
    assert answer.route is not None and answer.route.key == "EAW"
    assert {r.key for r in answer.rests_on} == {"EAW", "DE"}
    # Outside the EU the convention alone does not lift it.
    outside = graph.answer("DE", "CH", national=True)
    assert outside.status == "barred" and not outside.bar_lifted
    assert [r.key for r in outside.instruments] == ["CONV"]


def test_an_instrument_that_surrenders_nationals_lifts_the_treaty_exception() -> None:
    treaty = inst("DE-CH", ["DE", "CH"], form="bilateral treaty",
                  conditions={"nationals": "surrendered", "dual_criminality": True})
    answer = RouteGraph([CONV, treaty], NATIONALS, TODAY).answer("DE", "CH", national=True)
    assert answer.status == "conditional" and answer.bar_lifted
    assert answer.route is not None and answer.route.key == "DE-CH"
    assert answer.conditions == ("dual criminality",)


def test_consent_only_and_conditional_bars(graph: RouteGraph) -> None:
    swiss = graph.answer("CH", "FR", national=True)
    assert swiss.status == "barred" and "consents" in swiss.fallback
    dutch = graph.answer("NL", "FR", national=True)
    assert dutch.status == "conditional"
    assert any("return to serve" in c for c in dutch.conditions)
    assert dutch.route is not None and dutch.route.key == "EAW"


def test_unknown_bar_on_nationals_is_a_gap_not_a_route(graph: RouteGraph) -> None:
    answer = graph.answer("PT", "FR", national=True)  # no nationals entry for PT here
    assert answer.status == "gap" and "not recorded" in answer.reason
    assert answer.route is not None and answer.route.key == "EAW"


def test_unknown_party_lists_are_gaps_and_only_their_non_parties_have_no_route(
        graph: RouteGraph) -> None:
    assert graph.answer("KE", "FR", national=False).status == "gap"  # UN may link them
    none = graph.answer("IR", "FR", national=False)
    assert none.status == "no_route" and none.gaps == ()
    # An unknown list that names no possible party is listed once, not on every pair.
    assert [i.ref_key for i in graph.unplaced] == ["OAS"]


def test_domestic_when_held_in_the_requesting_state(graph: RouteGraph) -> None:
    assert graph.answer("FR", "FR", national=False).status == "domestic"


def test_parties_and_instruments_not_yet_in_force_do_not_count() -> None:
    late = inst("LATE", ["KE", "UG:2030-01-01"])
    future = inst("FUTURE", ["KE", "TZ"], in_force="2031-01-01")
    graph = RouteGraph([late, future], {}, TODAY)
    assert graph.answer("KE", "UG", False).status == "no_route"
    assert graph.answer("KE", "TZ", False).status == "no_route"
    assert [i.ref_key for i in graph.not_in_force] == ["FUTURE"]
    assert RouteGraph([late], {}, date(2030, 1, 2)).answer("KE", "UG", False).status == "route"


def test_a_non_binding_scheme_is_a_route_under_conditions() -> None:
    scheme = inst("SCHEME", ["KE", "GB"], form="scheme", binding=False)
    answer = RouteGraph([scheme], {}, TODAY).answer("KE", "GB", False)
    assert answer.status == "conditional"
    assert "not binding" in answer.conditions[0]


def test_dual_nationality_the_bar_applies_to_anyone_holding_it(graph: RouteGraph) -> None:
    dual = graph.person(person("Dual", "FR,AO", "AO", "FR"))
    single = graph.person(person("Single", "FR", "AO", "FR"))
    assert dual.answers[0].status == "barred"
    assert single.answers[0].status == "gap"


def test_travel_through_a_third_state_offers_a_better_place_of_arrest(
        graph: RouteGraph) -> None:
    result = graph.person(person("Trav", "AO", "AO", "FR", travels="PT,IR,AO"))
    assert result.best() is not None and result.best().status == "barred"  # type: ignore[union-attr]
    assert [(a.custody, a.status) for a in result.alternatives] == [("PT", "route")]
    warning = legal.readiness(graph, [result.case], [], ["FR"]).warnings[0]
    assert warning.level == "barred, fallback only"
    assert "Better: arrest in PT" in warning.reason and "EAW" in warning.reason


def test_seizure_abroad_needs_an_assistance_basis() -> None:
    mla = inst("MLA", ["AO", "KE"], purpose="mutual legal assistance")
    graph = RouteGraph([EAW, mla], {}, TODAY)
    home = graph.seizure(SeizureCase("a1", "Hall", "Nairobi", "KE"), ("KE",))
    assert not home.abroad and home.answers == ()
    found = graph.seizure(SeizureCase("a2", "Hall", "Luanda", "AO"), ("KE", "FR"))
    assert [(b.victim_state, b.status) for b in found.answers] == [("KE", "basis"),
                                                                   ("FR", "none")]
    assert [r.key for r in found.answers[0].instruments] == ["MLA"]


def test_warnings_sorted_by_severity_and_readiness() -> None:
    graph = RouteGraph([EAW, CONV, UN, inst("LOW", ["KE", "UG"], confidence="low")],
                       NATIONALS, TODAY)
    people = [person("A-fine", "DE", "DE", "FR"), person("B-barred", "AO", "AO", "FR"),
              person("C-noroute", "IR", "IR", "FR"), person("D-gap", "KE", "KE", "GB"),
              person("E-low", "UG", "KE", "UG"), person("F-nowhere", "KE", "", "FR"),
              person("G-unwanted", "KE", "KE", ""), person("H-no-arrest", "AO", "AO", "FR",
                                                           arrests=0)]
    seizures = [SeizureCase("s1", "Wallet", "", "AO"), SeizureCase("s2", "Hall", "", "")]
    result = legal.readiness(graph, people, seizures, ["KE"])
    levels = [(w.level, w.subject) for w in result.warnings]
    assert levels == [
        ("no route", "Seizure of Wallet"),
        ("no route", "Target C-noroute"),
        ("barred, fallback only", "Target B-barred"),
        ("gap in data", "Seizure of Hall"),
        ("gap in data", "Target D-gap"),
        ("gap in data", "Target F-nowhere"),
        ("gap in data", "Target G-unwanted"),
        ("low confidence", "Target E-low"),
    ]
    assert "no location" in result.warnings[5].reason
    assert not result.ready
    fine = legal.readiness(graph, people[:1], [], ["KE"])
    assert fine.ready and fine.warnings == ()


def test_links_between_states_for_drawing(graph: RouteGraph) -> None:
    links = graph.links(["DE", "FR", "AO"])
    assert {(lk.a, lk.b, lk.instrument.key, lk.known) for lk in links} >= {
        ("DE", "FR", "EAW", True), ("DE", "FR", "CONV", True), ("AO", "DE", "UN", False)}


def test_answers_are_cached_per_pair_and_nationality(graph: RouteGraph) -> None:
    assert graph.answer("DE", "FR", True) is graph.answer("DE", "FR", True)
    assert graph.answer("DE", "FR", True) is not graph.answer("DE", "FR", False)
