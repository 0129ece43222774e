"""What the legal drawing draws, without drawing it: edges per pair of states (dashed
where the party list is not recorded), an instrument that may bind every pair said once,
the selected target's lines, and only the selection's states when there are too many."""

from __future__ import annotations

from datetime import date

from app.core.legal import DataRef, Link, PersonCase, PersonLegal, Readiness, RouteAnswer
from app.services.legal import LegalDrawing, LegalReport
from app.views.route_map import MAX_STATES, Selection, route_map


def ref(key: str) -> DataRef:
    return DataRef("instrument", f"id-{key}", key, f"{key} convention", "high", "2026-01-01")


def report(people: tuple[PersonLegal, ...]) -> LegalReport:
    return LegalReport("op", "OP", Readiness(people, (), (), ("KE",)), "operation",
                       date(2026, 6, 1))


def person(target_id: str, custody: str, wanted: str, answer: RouteAnswer) -> PersonLegal:
    return PersonLegal(PersonCase(target_id, f"Person {target_id}", (custody,), (custody,),
                                  (wanted,), (), 1), (answer,))


def test_edges_dashed_gaps_and_an_instrument_said_once() -> None:
    states = ("AO", "DE", "FR", "ZA")
    everywhere = ref("UNTOC")
    links = [Link("DE", "FR", ref("EU_EAW"), True), Link("AO", "ZA", ref("SADC"), False)]
    links += [Link(a, b, everywhere, False) for i, a in enumerate(states)
              for b in states[i + 1:]]
    route = RouteAnswer("DE", "FR", "route", "both parties", ref("EU_EAW"))
    barred = RouteAnswer("AO", "FR", "barred", "bar on nationals")
    people = (person("t1", "DE", "FR", route), person("t2", "AO", "FR", barred))
    drawing = LegalDrawing(states, tuple(links))
    found = route_map(drawing, report(people))
    assert found.everywhere == (everywhere,)
    assert [(e.a, e.b, e.dashed, e.label()) for e in found.edges] == [
        ("AO", "ZA", True, "SADC (?)"), ("DE", "FR", False, "EU_EAW")]
    assert found.states[:2] == ("AO", "DE")  # where the arrests are come first
    assert found.highlighted_edges() == set()
    chosen = route_map(drawing, report(people), Selection("person", "t1"))
    assert chosen.subject == "Person t1"
    assert chosen.highlighted_edges() == {("DE", "FR", "EU_EAW")}
    chosen = route_map(drawing, report(people), Selection("person", "t2"))
    assert [(line.a, line.b, line.label()) for line in chosen.lines] == [
        ("AO", "FR", "barred: fallback only")]
    assert chosen.highlighted_edges() == set()


def test_too_many_states_draws_the_selection_only() -> None:
    codes = ["AD", "AE", "AF", "AG", "AL", "AM", "AO", "AR", "AT", "AU", "AZ", "BA", "BB",
             "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BN", "BO", "BR", "BS", "BT", "BW"]
    assert len(codes) > MAX_STATES
    answer = RouteAnswer("AD", "BW", "no_route", "nothing recorded")
    people = (person("t1", "AD", "BW", answer),)
    drawing = LegalDrawing(tuple(codes), ())
    found = route_map(drawing, report(people))
    assert found.states == () and found.hidden == len(codes)
    chosen = route_map(drawing, report(people), Selection("person", "t1"))
    assert set(chosen.states) == {"AD", "BW"} and chosen.hidden == len(codes) - 2
    assert [line.label() for line in chosen.lines] == ["no route"]
