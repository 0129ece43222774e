"""What the legal drawing shows, worked out apart from the drawing itself (and tested so):
the states, one edge per pair of states with the instruments between them, and the lines
of the selected target's routes (or the selected seizure's bases).

The selected lines are read from the readiness report, which holds every person's
answers: choosing another line in the list redraws at once, without reading the store
again. They are the routes ``legal.legal_drawing`` highlights for the target, plus the
answers without a route (barred, no route, gap), drawn so that the gap shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from app.core.legal import DataRef, PersonLegal, SeizureLegal
from app.services.legal import LegalDrawing, LegalReport

# Beyond this many states the drawing shows only the selected target's states: two
# hundred circles in a ring say nothing.
MAX_STATES = 24
# An instrument whose party list is not recorded but which may bind nearly every pair
# drawn (UNTOC, with only its non-parties named) is said once, not drawn on every edge.
EVERYWHERE_SHARE = 0.75

ROLES = ("custody", "seizure", "travels", "requesting", "victims")
ROLE_TEXT = {"custody": "arrest planned there", "seizure": "assets seized there",
             "travels": "target travels through", "requesting": "wants a target",
             "victims": "victims' state"}


@dataclass(frozen=True)
class Selection:
    """The line chosen in the readiness list: a person target or a seizure."""

    kind: str  # "person" or "seizure"
    record_id: str


@dataclass(frozen=True)
class MapEdge:
    a: str
    b: str
    known: tuple[DataRef, ...]  # both states parties, in force
    gaps: tuple[DataRef, ...]  # party list not recorded: may link them

    @property
    def dashed(self) -> bool:
        return not self.known

    def label(self, most: int = 3) -> str:
        keys = [r.key or r.label for r in self.known] + [
            f"{r.key or r.label} (?)" for r in self.gaps]
        shown = keys[:most]
        if len(keys) > most:
            shown.append(f"+{len(keys) - most} more")
        return "\n".join(shown)


@dataclass(frozen=True)
class RouteLine:
    """One line of the selection: from where the person is held (or the assets seized)
    to the requesting (or victims') state."""

    a: str
    b: str
    status: str  # route, conditional, gap, barred, no_route, domestic; basis, none
    instrument: DataRef | None
    alternative: bool = False  # a better place of arrest where the person travels

    def label(self) -> str:
        via = self.instrument.key or self.instrument.label if self.instrument else ""
        words = {"route": via, "conditional": f"{via} (conditions)",
                 "gap": f"{via}: bar on nationals?" if via else "gap in data",
                 "barred": "barred: fallback only", "no_route": "no route",
                 "domestic": "tried at home", "basis": via, "none": "no basis"}
        text = words.get(self.status, self.status)
        return f"better: arrest in {self.a}, {text}" if self.alternative else text


@dataclass(frozen=True)
class RouteMap:
    states: tuple[str, ...]
    roles: dict[str, tuple[str, ...]]
    edges: tuple[MapEdge, ...]
    everywhere: tuple[DataRef, ...] = ()
    lines: tuple[RouteLine, ...] = ()
    subject: str = ""  # whose lines these are
    hidden: int = 0  # states left out (too many to draw)
    positions: dict[str, tuple[float, float]] = field(default_factory=dict)

    def highlighted_edges(self) -> set[tuple[str, str, str]]:
        """(from, to, instrument key) of every selected line with a route."""
        return {(line.a, line.b, line.instrument.key) for line in self.lines
                if line.instrument is not None and line.status not in ("barred", "none")}

    def edge(self, a: str, b: str) -> MapEdge | None:
        return next((e for e in self.edges if {e.a, e.b} == {a, b}), None)


def _roles(report: LegalReport) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}

    def add(code: str, role: str) -> None:
        if code and role not in roles.setdefault(code, []):
            roles[code].append(role)

    readiness = report.readiness
    for person in readiness.people:
        for code in person.case.custody:
            add(code, "custody")
        for code in person.case.wanted_by:
            add(code, "requesting")
        for code in person.case.travels:
            add(code, "travels")
    for seizure in readiness.seizures:
        if seizure.abroad:
            add(seizure.case.state, "seizure")
    for code in readiness.victim_states:
        add(code, "victims")
    return roles


def _person_lines(person: PersonLegal) -> list[RouteLine]:
    lines = [RouteLine(a.custody, a.requesting, a.status, a.route)
             for a in person.answers]
    lines += [RouteLine(a.custody, a.requesting, a.status, a.route, alternative=True)
              for a in person.alternatives]
    return lines


def _seizure_lines(seizure: SeizureLegal) -> list[RouteLine]:
    return [RouteLine(a.state, a.victim_state, a.status,
                      a.instruments[0] if a.instruments else None)
            for a in seizure.answers]


def selected_lines(report: LegalReport, selection: Selection | None
                   ) -> tuple[str, list[RouteLine]]:
    """(who is selected, the lines to draw for them)."""
    if selection is None:
        return "", []
    readiness = report.readiness
    if selection.kind == "person":
        person = next((p for p in readiness.people
                       if p.case.target_id == selection.record_id), None)
        return (person.case.name, _person_lines(person)) if person else ("", [])
    seizure = next((s for s in readiness.seizures
                    if s.case.action_id == selection.record_id), None)
    if seizure is None:
        return "", []
    return f"seizure of {seizure.case.target}", _seizure_lines(seizure)


def route_map(drawing: LegalDrawing, report: LegalReport,
              selection: Selection | None = None) -> RouteMap:
    subject, lines = selected_lines(report, selection)
    roles = _roles(report)
    states = list(drawing.states)
    if not any(s.abroad for s in report.readiness.seizures):
        # The victims' states matter for seizures abroad alone.
        states = [s for s in states if roles.get(s) != ["victims"]]
    hidden = 0
    if len(states) > MAX_STATES:
        chosen = {code for line in lines for code in (line.a, line.b)}
        hidden = len(states) - len(chosen)
        states = [s for s in states if s in chosen]
    shown = set(states)
    # Only the lines between drawn states (a state with no data is still a state).
    for line in lines:
        for code in (line.a, line.b):
            if code not in shown:
                shown.add(code)
                states.append(code)
    pairs = max(1, len(states) * (len(states) - 1) // 2)
    gap_pairs: dict[str, set[frozenset[str]]] = {}
    refs: dict[str, DataRef] = {}
    for link in drawing.links:
        if link.a in shown and link.b in shown and not link.known:
            gap_pairs.setdefault(link.instrument.id, set()).add(frozenset((link.a, link.b)))
            refs[link.instrument.id] = link.instrument
    everywhere = {i for i, found in gap_pairs.items()
                  if len(states) >= 4 and len(found) / pairs >= EVERYWHERE_SHARE}
    known: dict[frozenset[str], list[DataRef]] = {}
    gaps: dict[frozenset[str], list[DataRef]] = {}
    for link in drawing.links:
        if link.a not in shown or link.b not in shown:
            continue
        if not link.known and link.instrument.id in everywhere:
            continue
        bucket = known if link.known else gaps
        bucket.setdefault(frozenset((link.a, link.b)), []).append(link.instrument)
    edges = []
    for pair in sorted(known.keys() | gaps.keys(), key=sorted):
        a, b = sorted(pair)
        edges.append(MapEdge(a, b, tuple(known.get(pair, ())), tuple(gaps.get(pair, ()))))
    order = sorted(states, key=lambda c: (min((ROLES.index(r) for r in roles.get(c, [])),
                                              default=len(ROLES)), c))
    return RouteMap(tuple(order), {c: tuple(roles.get(c, ())) for c in order},
                    tuple(edges), tuple(refs[i] for i in sorted(everywhere)),
                    tuple(lines), subject, hidden, _layout(order))


def _layout(states: list[str]) -> dict[str, tuple[float, float]]:
    """States on a ring in role order, from the left going down and round:
    where the arrests are sits on the left, the states that want the targets on the
    right, so the routes cross the ring rather than run round it."""
    count = len(states)
    if count == 1:
        return {states[0]: (0.0, 0.0)}
    start = math.pi
    return {code: (math.cos(start + 2 * math.pi * i / count),
                   math.sin(start + 2 * math.pi * i / count))
            for i, code in enumerate(states)}
