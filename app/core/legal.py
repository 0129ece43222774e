"""Legal routes: how each person to be arrested reaches a court that wants them, and how
each asset seized abroad can go back to the victims' states.

Pure: plain facts in (instruments, bars on extraditing nationals, the operation's cases),
plain answers out. States and instruments form a networkx graph: a state is linked to
each instrument it is party to (``known``), or may be party to when the party list is
unknown and the data names it as a signatory or member (a gap, never "no route").

Every answer names the data it rests on and how confident that data is: the lowest
confidence of what it rests on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from typing import Any

import networkx as nx

CONFIDENCE_LEVELS = ("unknown", "low", "medium", "high")

PURPOSES = ("extradition", "surrender", "mutual legal assistance", "asset sharing")
FORMS = ("surrender scheme", "bilateral treaty", "multilateral convention", "MOA", "scheme")
EXTRADITION = frozenset({"extradition", "surrender"})
ASSISTANCE = frozenset({"mutual legal assistance", "asset sharing"})
_PURPOSE_ALIASES = {"mla": "mutual legal assistance", "asset-sharing": "asset sharing",
                    "legal assistance": "mutual legal assistance"}

# Conditions an instrument may set, as the editor and the answers name them.
CONDITIONS = {
    "dual_criminality": "dual criminality",
    "death_penalty_assurance": "assurance that the death penalty will not be imposed",
    "speciality": "speciality (tried only for the offences named in the request)",
}
# How an instrument treats the requested state's own nationals: "surrendered" lifts a
# bar that yields to a treaty or to EU surrender; "optional" leaves the bar in place.
NATIONALS_RULES = ("surrendered", "optional")

# Route statuses, best first.
STATUSES = ("domestic", "route", "conditional", "gap", "barred", "no_route")
STATUS_TEXT = {"domestic": "no extradition needed", "route": "route",
               "conditional": "route under conditions", "gap": "gap in data",
               "barred": "barred, fallback only", "no_route": "no route"}

# Readiness warnings, most severe first.
SEVERITIES = ("no route", "barred, fallback only", "gap in data", "low confidence",
              "conditions")
NO_ROUTE, BARRED, GAP, LOW_CONFIDENCE, CONDITIONS_APPLY = range(len(SEVERITIES))

# Keys of an unknown-party instrument's conditions that name states that may be parties
# (signatories, members of the organisation, partial lists), as the reference data has
# them; "possible_parties" is what an agency records.
_POSSIBLE_KEYS = ("possible_parties", "signatories", "ratified_confirmed",
                  "commonwealth_members", "context_unsourced", "partial")
_CODE = re.compile(r"^[A-Z]{2}$")
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2})-(\d{2}))?\b")


@cache
def confidence_level(text: str) -> str:
    """The lowest of the levels a confidence text mentions ("low (parties) / high
    (signatories)" is low); an agency's own correction is what it checked: high."""
    lowered = text.lower()
    words: list[str] = re.findall(r"\b(high|medium|low)\b", lowered)
    if words:
        return min(words, key=CONFIDENCE_LEVELS.index)
    return "high" if "agency correction" in lowered else "unknown"


def lowest(levels: Iterable[str]) -> str:
    found = list(levels)
    return str(min(found, key=CONFIDENCE_LEVELS.index)) if found else "unknown"


def purposes_of(text: str) -> frozenset[str]:
    """"extradition, mutual legal assistance" -> both; unknown words are kept as given."""
    parts = [p.strip().lower() for p in re.split(r"[,;+/]", text) if p.strip()]
    return frozenset(_PURPOSE_ALIASES.get(p, p) for p in parts)


def start_date(text: str) -> date | None:
    """The date a text such as "2004-01-01 (in force 2002-08-07)" or "2012 (circular)"
    starts with; None when it starts with none ("CONFLICT: ...")."""
    match = _DATE.match(text or "")
    if match is None:
        return None
    year, month, day = match.groups()
    try:
        return date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None


def _codes(value: Any) -> set[str]:
    """Every two-letter code in a JSON value (lists, nested maps, {"code": ...})."""
    if isinstance(value, str):
        return {value} if _CODE.match(value) else set()
    if isinstance(value, Mapping):
        found: set[str] = set()
        for key, item in value.items():
            if key in ("note", "source", "what", "caveat", "date", "as_of"):
                continue
            found |= _codes(item)
        return found
    if isinstance(value, list | tuple):
        return set().union(*(_codes(v) for v in value)) if value else set()
    return set()


@dataclass(frozen=True)
class Party:
    country: str
    in_force: str = ""  # ISO date, or empty when unknown (listed as a party all the same)


@dataclass(frozen=True)
class DataRef:
    """One piece of data an answer rests on, with its provenance."""

    kind: str  # "instrument" or "nationals"
    id: str
    key: str  # the instrument's ref_key, or the country code
    label: str
    confidence: str  # as recorded
    as_of: str
    sources: tuple[str, ...] = ()

    @cached_property
    def level(self) -> str:
        return confidence_level(self.confidence)


@dataclass(frozen=True)
class InstrumentFact:
    id: str
    ref_key: str
    name: str
    purposes: frozenset[str]
    form: str
    binding: bool
    parties: tuple[Party, ...] | None  # None: the party list is unknown
    in_force: str = ""
    conditions: Mapping[str, Any] = field(default_factory=dict)
    confidence: str = ""
    as_of: str = ""
    sources: tuple[str, ...] = ()

    @cached_property
    def ref(self) -> DataRef:
        return DataRef("instrument", self.id, self.ref_key, self.name, self.confidence,
                       self.as_of, self.sources)

    @property
    def nationals_rule(self) -> str:
        rule = str(self.conditions.get("nationals", "")).strip()
        if rule in NATIONALS_RULES:
            return rule
        return "surrendered" if "surrender" in self.purposes else "optional"

    def possible_parties(self) -> tuple[frozenset[str], frozenset[str]]:
        """(states named as possible parties, states named as non-parties) for an
        instrument whose party list is unknown."""
        named: set[str] = set()
        for key in _POSSIBLE_KEYS:
            named |= _codes(self.conditions.get(key))
        excluded = _codes(self.conditions.get("notable_non_parties"))
        return frozenset(named - excluded), frozenset(excluded)

    def condition_texts(self) -> tuple[str, ...]:
        texts = [text for key, text in CONDITIONS.items() if self.conditions.get(key) is True]
        if not self.binding:
            texts.append(f"{self.ref_key or self.name} is not binding: each state applies "
                         "it through its own law")
        return tuple(texts)


@dataclass(frozen=True)
class NationalsFact:
    """A state's bar on extraditing its own nationals, as the reference data has it."""

    country: str
    status: str  # bar, bar_except_eu_or_treaty, consent_only, conditional, allowed
    basis: str = ""
    confidence: str = ""
    as_of: str = ""
    sources: tuple[str, ...] = ()
    record_id: str = ""

    @cached_property
    def ref(self) -> DataRef:
        return DataRef("nationals", self.record_id, self.country,
                       f"{self.country}: {NATIONALS_TEXT.get(self.status, self.status)}",
                       self.confidence, self.as_of, self.sources)


NATIONALS_TEXT = {
    "bar": "does not extradite its own nationals",
    "bar_except_eu_or_treaty": "does not extradite its own nationals, except by European "
                               "arrest warrant or a specific treaty",
    "consent_only": "extradites its own nationals only with their consent",
    "conditional": "extradites its own nationals under conditions",
    "allowed": "has no bar on extraditing its own nationals",
}


@dataclass(frozen=True)
class RouteAnswer:
    """How a person held in ``custody`` can reach a court of ``requesting``."""

    custody: str
    requesting: str
    status: str
    reason: str
    route: DataRef | None = None  # the instrument the route goes through
    instruments: tuple[DataRef, ...] = ()  # every instrument that applies
    gaps: tuple[DataRef, ...] = ()  # instruments whose party list is unknown that may apply
    nationals: DataRef | None = None  # the custody state's bar, where it bears
    bar_lifted: bool = False
    fallback: str = ""
    conditions: tuple[str, ...] = ()
    rests_on: tuple[DataRef, ...] = ()

    @cached_property
    def confidence(self) -> str:
        return lowest(r.level for r in self.rests_on)

    @cached_property
    def rank(self) -> tuple[int, int]:
        return (STATUSES.index(self.status), -CONFIDENCE_LEVELS.index(self.confidence))


@dataclass(frozen=True)
class PersonCase:
    target_id: str
    name: str
    nationalities: tuple[str, ...]
    # Where the person would be taken into custody: the states of its planned arrests'
    # sites, else the target's country; empty when neither is known.
    custody: tuple[str, ...]
    wanted_by: tuple[str, ...]
    travels: tuple[str, ...] = ()
    arrests: int = 0  # planned arrest actions


@dataclass(frozen=True)
class PersonLegal:
    case: PersonCase
    answers: tuple[RouteAnswer, ...]  # each custody state x each requesting state
    # Travel states where an arrest would have a better route, per requesting state.
    alternatives: tuple[RouteAnswer, ...] = ()

    def best(self, requesting: str | None = None) -> RouteAnswer | None:
        found = [a for a in self.answers if requesting is None or a.requesting == requesting]
        return min(found, key=lambda a: a.rank) if found else None


@dataclass(frozen=True)
class SeizureCase:
    action_id: str
    target: str
    site: str
    state: str  # the state of seizure, empty when unknown


@dataclass(frozen=True)
class BasisAnswer:
    """The basis for bringing assets seized in ``state`` back to ``victim_state``."""

    state: str
    victim_state: str
    status: str  # "basis", "gap" or "none"
    reason: str
    instruments: tuple[DataRef, ...] = ()
    gaps: tuple[DataRef, ...] = ()

    @property
    def confidence(self) -> str:
        return lowest(r.level for r in (self.instruments or self.gaps))


@dataclass(frozen=True)
class SeizureLegal:
    case: SeizureCase
    abroad: bool
    answers: tuple[BasisAnswer, ...] = ()


@dataclass(frozen=True)
class LegalWarning:
    severity: int  # index in SEVERITIES
    subject: str  # "Target NAME" or "Seizure of NAME at SITE"
    record_id: str  # the target or the action
    reason: str
    data: tuple[DataRef, ...] = ()
    confidence: str = "unknown"

    @property
    def level(self) -> str:
        return SEVERITIES[self.severity]


@dataclass(frozen=True)
class Link:
    """Two states linked by an instrument, for drawing."""

    a: str
    b: str
    instrument: DataRef
    known: bool  # False: the party list is unknown, both are named as possible parties


@dataclass(frozen=True)
class Readiness:
    people: tuple[PersonLegal, ...]
    seizures: tuple[SeizureLegal, ...]
    warnings: tuple[LegalWarning, ...]
    victim_states: tuple[str, ...]
    # Instruments whose party list is unknown and which name no possible party: they
    # could apply anywhere, so they are listed once rather than on every pair.
    unplaced: tuple[DataRef, ...] = ()

    @property
    def ready(self) -> bool:
        return not any(w.severity <= GAP for w in self.warnings)


def _state(code: str) -> tuple[str, str]:
    return ("state", code)


def _instrument(inst_id: str) -> tuple[str, str]:
    return ("instrument", inst_id)


_FORM_RANK = {form: i for i, form in enumerate(FORMS)}


def _order(inst: InstrumentFact) -> tuple[int, int, int, str]:
    return (0 if inst.binding else 1, _FORM_RANK.get(inst.form, len(FORMS)),
            -CONFIDENCE_LEVELS.index(confidence_level(inst.confidence)), inst.name)


class RouteGraph:
    """States and the instruments between them, and the answers read from them."""

    def __init__(self, instruments: Iterable[InstrumentFact],
                 nationals: Mapping[str, NationalsFact], today: date) -> None:
        self.graph: nx.Graph[tuple[str, str]] = nx.Graph()
        self.nationals = dict(nationals)
        self.today = today
        self.not_in_force: list[InstrumentFact] = []
        # Unknown parties, every state possible but the named non-parties.
        self._open: list[tuple[InstrumentFact, frozenset[str]]] = []
        self.unplaced: list[InstrumentFact] = []
        self._answers: dict[tuple[str, str, bool], RouteAnswer] = {}
        self._membership: dict[str, dict[tuple[str, str], bool]] = {}
        self._between: dict[tuple[str, str, frozenset[str]],
                            tuple[list[InstrumentFact], list[InstrumentFact]]] = {}
        self._bases: dict[tuple[str, str], BasisAnswer] = {}
        for inst in instruments:
            self._add(inst)

    def _add(self, inst: InstrumentFact) -> None:
        starts = start_date(inst.in_force)
        if starts is not None and starts > self.today:
            self.not_in_force.append(inst)
            return
        node = _instrument(inst.id)
        self.graph.add_node(node, fact=inst)
        if inst.parties is not None:
            for party in inst.parties:
                since = start_date(party.in_force)
                if since is None or since <= self.today:
                    self.graph.add_edge(_state(party.country), node, known=True)
            return
        named, excluded = inst.possible_parties()
        for code in named:
            self.graph.add_edge(_state(code), node, known=False)
        if not named and excluded:
            self._open.append((inst, excluded))
        elif not named:
            self.unplaced.append(inst)

    def _members(self, code: str) -> dict[tuple[str, str], bool]:
        """Instrument node -> whether the state is a known party (False: possible)."""
        found = self._membership.get(code)
        if found is None:
            node = _state(code)
            found = ({n: bool(d["known"]) for n, d in self.graph.adj[node].items()}
                     if node in self.graph else {})
            self._membership[code] = found
        return found

    def between(self, a: str, b: str, purposes: frozenset[str]
                ) -> tuple[list[InstrumentFact], list[InstrumentFact]]:
        """(instruments both states are parties to and in force, instruments that may
        link them but whose party list is unknown), best first, for these purposes."""
        key = (a, b, purposes) if a <= b else (b, a, purposes)
        cached = self._between.get(key)
        if cached is not None:
            return cached
        known: list[InstrumentFact] = []
        gaps: list[InstrumentFact] = []
        of_a, of_b = self._members(a), self._members(b)
        for node in of_a.keys() & of_b.keys():
            fact: InstrumentFact = self.graph.nodes[node]["fact"]
            if not fact.purposes & purposes:
                continue
            if of_a[node] and of_b[node]:
                known.append(fact)
            else:
                gaps.append(fact)
        gaps += [inst for inst, excluded in self._open
                 if inst.purposes & purposes and a not in excluded and b not in excluded]
        found = sorted(known, key=_order), sorted(gaps, key=_order)
        self._between[key] = found
        return found

    # ---- extradition ------------------------------------------------------------------

    def answer(self, custody: str, requesting: str, national: bool) -> RouteAnswer:
        """The route from ``custody`` to ``requesting`` for a person who holds (or not)
        the custody state's nationality. Cached: it depends on nothing else."""
        key = (custody, requesting, national)
        found = self._answers.get(key)
        if found is None:
            found = self._answers[key] = self._answer(custody, requesting, national)
        return found

    def _answer(self, c: str, r: str, national: bool) -> RouteAnswer:
        if c == r:
            return RouteAnswer(c, r, "domestic", f"Held in {r}, the requesting state: its "
                               "own courts can try the person; no extradition is needed.")
        known, gaps = self.between(c, r, EXTRADITION)
        refs = tuple(i.ref for i in known)
        gap_refs = tuple(i.ref for i in gaps)
        fact = self.nationals.get(c) if national else None
        nat_ref = fact.ref if fact is not None else None
        status = fact.status if fact is not None else None
        names = ", ".join(i.ref_key or i.name for i in known)

        if national and status in ("bar", "bar_except_eu_or_treaty", "consent_only"):
            lifting = [i for i in known if i.nationals_rule == "surrendered"]
            if status == "bar_except_eu_or_treaty" and lifting:
                inst = lifting[0]
                assert nat_ref is not None
                return RouteAnswer(
                    c, r, "conditional" if inst.condition_texts() else "route",
                    f"{c} surrenders its own nationals under {inst.ref_key or inst.name}, "
                    f"which binds both {c} and {r}: its bar on extraditing nationals is "
                    "lifted here.", inst.ref, refs, gap_refs, nat_ref, True,
                    conditions=inst.condition_texts(), rests_on=(inst.ref, nat_ref))
            assert fact is not None and nat_ref is not None
            between = f" (instruments between them: {names})" if known else ""
            consent = (" unless the person consents to extradition"
                       if status == "consent_only" else "")
            reason = (f"The person is a national of {c}, which {NATIONALS_TEXT[status]}; "
                      f"no instrument between {c} and {r} lifts that bar{between}.")
            fallback = (f"Prosecution in {c} (aut dedere aut judicare): {r} sends its "
                        f"evidence so that {c} tries its own national, or asks for a "
                        "transfer of proceedings" + consent + ".")
            return RouteAnswer(c, r, "barred", reason, None, refs, gap_refs, nat_ref,
                               fallback=fallback, rests_on=(nat_ref, *refs))

        if known:
            inst = known[0]
            conditions = list(inst.condition_texts())
            rests = [inst.ref]
            reason = f"{c} and {r} are both parties to {inst.ref_key or inst.name}"
            if national and status == "conditional":
                assert fact is not None and nat_ref is not None
                conditions.append(f"{c} extradites its nationals only under conditions"
                                  + (f": {fact.basis}" if fact.basis else ""))
                rests.append(nat_ref)
            elif national and status is None:
                reason += (f", but whether {c} extradites its own nationals is not "
                           "recorded")
                return RouteAnswer(c, r, "gap", reason + ".", inst.ref, refs, gap_refs,
                                   conditions=tuple(conditions), rests_on=tuple(rests))
            elif national and nat_ref is not None:
                rests.append(nat_ref)
            return RouteAnswer(c, r, "conditional" if conditions else "route", reason + ".",
                               inst.ref, refs, gap_refs, nat_ref,
                               conditions=tuple(conditions), rests_on=tuple(rests))

        if gaps:
            listed = ", ".join(i.ref_key or i.name for i in gaps)
            reason = (f"No instrument with a known party list links {c} and {r}; "
                      f"{listed} may (party list not recorded; the data names both as "
                      "possible parties).")
            if national and status is None:
                reason += f" Whether {c} extradites its own nationals is not recorded."
            return RouteAnswer(c, r, "gap", reason, None, (), gap_refs, nat_ref,
                               rests_on=gap_refs + ((nat_ref,) if nat_ref else ()))
        reason = (f"No extradition instrument between {c} and {r} is recorded; a request "
                  "on reciprocity or domestic law alone may still be possible: check with "
                  "both central authorities.")
        return RouteAnswer(c, r, "no_route", reason, nationals=nat_ref,
                           rests_on=(nat_ref,) if nat_ref else ())

    def person(self, case: PersonCase) -> PersonLegal:
        nationalities = set(case.nationalities)
        answers = tuple(self.answer(c, r, c in nationalities)
                        for c in case.custody for r in case.wanted_by)
        alternatives = []
        for r in case.wanted_by:
            current = [a.rank for a in answers if a.requesting == r]
            best = min(current) if current else (len(STATUSES), 0)
            options = [self.answer(t, r, t in nationalities) for t in case.travels
                       if t not in case.custody]
            alternatives += sorted((a for a in options if a.rank[0] < best[0]),
                                   key=lambda a: a.rank)
        return PersonLegal(case, answers, tuple(alternatives))

    # ---- seizures ---------------------------------------------------------------------

    def basis(self, state: str, victim_state: str) -> BasisAnswer:
        found = self._bases.get((state, victim_state))
        if found is None:
            found = self._bases[(state, victim_state)] = self._basis(state, victim_state)
        return found

    def _basis(self, state: str, victim_state: str) -> BasisAnswer:
        known, gaps = self.between(state, victim_state, ASSISTANCE)
        if known:
            names = ", ".join(i.ref_key or i.name for i in known)
            return BasisAnswer(state, victim_state, "basis",
                               f"Assets seized in {state} can go back to {victim_state} "
                               f"under {names}.", tuple(i.ref for i in known),
                               tuple(i.ref for i in gaps))
        if gaps:
            names = ", ".join(i.ref_key or i.name for i in gaps)
            return BasisAnswer(state, victim_state, "gap",
                               f"No asset-sharing or legal-assistance instrument with a "
                               f"known party list links {state} and {victim_state}; {names} "
                               "may (party list not recorded).", (),
                               tuple(i.ref for i in gaps))
        return BasisAnswer(state, victim_state, "none",
                           f"No asset-sharing or mutual legal assistance basis between "
                           f"{state} and {victim_state} is recorded.")

    def seizure(self, case: SeizureCase, victim_states: tuple[str, ...]) -> SeizureLegal:
        if not case.state or case.state in victim_states:
            return SeizureLegal(case, False)
        return SeizureLegal(case, True, tuple(self.basis(case.state, v)
                                              for v in victim_states))

    # ---- drawing ----------------------------------------------------------------------

    def links(self, states: Iterable[str]) -> list[Link]:
        """Every instrument (any purpose) between each pair of the given states."""
        chosen = sorted(set(states))
        everything = EXTRADITION | ASSISTANCE
        found = []
        for i, a in enumerate(chosen):
            for b in chosen[i + 1:]:
                known, gaps = self.between(a, b, everything)
                found += [Link(a, b, inst.ref, True) for inst in known]
                found += [Link(a, b, inst.ref, False) for inst in gaps]
        return found


# ---- readiness --------------------------------------------------------------------------


def _person_warnings(legal: PersonLegal) -> list[LegalWarning]:
    case = legal.case
    subject = f"Target {case.name}"
    if not case.custody:
        return [LegalWarning(GAP, subject, case.target_id,
                             "The target has no location: set its country, or plan its "
                             "arrest at a site, so that the route can be found.")]
    if not case.wanted_by:
        return [LegalWarning(GAP, subject, case.target_id,
                             "No requesting state is set: say which states want this "
                             "person, so that the route to their courts can be found.")]
    best = legal.best()
    assert best is not None
    better = [a for a in legal.alternatives if a.requesting == best.requesting
              or a.rank[0] < best.rank[0]]
    hint = ""
    if better:
        alt = better[0]
        via = f" via {alt.route.key or alt.route.label}" if alt.route else ""
        hint = (f" Better: arrest in {alt.custody} (where the person travels): "
                f"{STATUS_TEXT[alt.status]} to {alt.requesting}{via}.")
    data = best.rests_on
    where = f"held in {best.custody}, wanted by {best.requesting}"
    if best.status == "no_route":
        others = "" if len(case.wanted_by) == 1 else " (the best of its requesting states)"
        return [LegalWarning(NO_ROUTE, subject, case.target_id,
                             f"No route ({where}){others}: {best.reason}{hint}",
                             data, best.confidence)]
    if best.status == "barred":
        return [LegalWarning(BARRED, subject, case.target_id,
                             f"Barred ({where}): {best.reason} Fallback: {best.fallback}"
                             f"{hint}", data, best.confidence)]
    if best.status == "gap":
        return [LegalWarning(GAP, subject, case.target_id,
                             f"Gap in data ({where}): {best.reason}{hint}", data,
                             best.confidence)]
    if best.status == "domestic":
        return []
    found = []
    route = best.route.key if best.route else "?"
    if best.confidence in ("low", "unknown"):
        found.append(LegalWarning(
            LOW_CONFIDENCE, subject, case.target_id,
            f"The route {where} via {route} rests on data of {best.confidence} "
            f"confidence: check it before H-hour.{hint}", data, best.confidence))
    if best.conditions:
        found.append(LegalWarning(
            CONDITIONS_APPLY, subject, case.target_id,
            f"Route {where} via {route}, under conditions: {'; '.join(best.conditions)}.",
            data, best.confidence))
    return found


def _seizure_warnings(legal: SeizureLegal) -> list[LegalWarning]:
    case = legal.case
    subject = f"Seizure of {case.target}" + (f" at {case.site}" if case.site else "")
    if not case.state:
        return [LegalWarning(GAP, subject, case.action_id,
                             "The state of seizure is not known: give the action a site, "
                             "or the target a country.")]
    found = []
    for answer in legal.answers:
        if answer.status == "none":
            found.append(LegalWarning(NO_ROUTE, subject, case.action_id, answer.reason))
        elif answer.status == "gap":
            found.append(LegalWarning(GAP, subject, case.action_id, answer.reason,
                                      answer.gaps, answer.confidence))
        elif answer.confidence in ("low", "unknown"):
            found.append(LegalWarning(LOW_CONFIDENCE, subject, case.action_id,
                                      f"{answer.reason} That rests on data of "
                                      f"{answer.confidence} confidence.",
                                      answer.instruments, answer.confidence))
    return found


def readiness(graph: RouteGraph, people: Iterable[PersonCase],
              seizures: Iterable[SeizureCase], victim_states: Iterable[str]) -> Readiness:
    """Every planned arrest has a route, every seizure abroad a basis: the answers, and
    the warnings sorted by severity (then by subject)."""
    victims = tuple(dict.fromkeys(victim_states))
    people_legal = tuple(graph.person(case) for case in people)
    seizures_legal = tuple(graph.seizure(case, victims) for case in seizures)
    warnings = [w for p in people_legal if p.case.arrests for w in _person_warnings(p)]
    if seizures_legal and not victims:
        warnings.append(LegalWarning(GAP, "Operation", "",
                                     "The victims' states are not known, so no seizure can "
                                     "be checked: set them on the operation."))
    warnings += [w for s in seizures_legal for w in _seizure_warnings(s)]
    warnings.sort(key=lambda w: (w.severity, w.subject.casefold(), w.record_id))
    return Readiness(people_legal, seizures_legal, tuple(warnings), victims,
                     tuple(i.ref for i in graph.unplaced))
