"""Legal routes of an operation: for every person to be arrested, how they reach a court
that wants them; for every asset seized abroad, how it goes back to the victims' states.

Where things are, as the analysis reads them:
- a person's custody state is where its planned arrests take place (their sites'
  states), else the target's country; a person with neither has no location;
- its requesting states and the states it travels through are set per target
  (``set_target_legal``);
- a seizure's state is its site's state, else its target's country (a wallet target's
  country is where it is held, so a wallet frozen in another state counts);
- the victims' states are the operation's ``victim_states``; when none are set, the lead
  agency's country, and the report says so.

The reference data (instruments, bars on extraditing nationals) is read as it applies in
this store: an agency's correction in place of the shipped record.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.core import legal
from app.core.errors import NotFoundError, ValidationError
from app.models.base import reference_id
from app.models.records import Action, Agency, Jurisdiction, Operation, Site, Target
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.instruments import check_country, effective_in, source_texts, to_fact
from app.services.operations import find_operation

LIVE_ACTION = ("planned", "in progress")


@dataclass(frozen=True)
class LegalReport:
    operation_id: str
    codename: str
    readiness: legal.Readiness
    # "operation" when set on it, "lead agency" when taken from the lead agency's country.
    victim_states_from: str
    today: date


@dataclass(frozen=True)
class LegalDrawing:
    """The states involved and the instruments between them, for the Legal view."""

    states: tuple[str, ...]
    links: tuple[legal.Link, ...]
    # The selected target's routes: (custody, requesting, instrument id) of each answer
    # with a route, the alternatives included.
    highlighted: tuple[tuple[str, str, str], ...] = ()


def country_list(codes: Iterable[str]) -> list[str]:
    """Checked, upper-case, each once, in the order given."""
    return list(dict.fromkeys(check_country(c) for c in codes if c.strip()))


def find_target(session: Session, op_id: str, ref: str) -> Target:
    text = ref.strip()
    target = session.get(Target, text)
    if target is not None and target.operation_id == op_id and not target.deleted:
        return target
    named = list(session.scalars(select(Target).where(
        Target.operation_id == op_id, Target.name == text, Target.deleted.is_(False))))
    if len(named) > 1:
        raise ValidationError(f"{len(named)} targets are named {text!r}; name one by its id "
                              f"({', '.join(t.id for t in named)}).")
    if not named:
        raise NotFoundError(f"There is no target {text!r} in this operation.")
    return named[0]


# ---- writes ------------------------------------------------------------------------------


def set_target_legal(ctx: AppContext, codename: str, target_ref: str, wanted_by: list[str],
                     nationality: list[str] | None = None,
                     travels: list[str] | None = None) -> Change:
    """Set a person target's requesting states (and, when given, its nationalities and
    the states it travels through). Refused, with nothing changed, for an unknown code,
    a target that is not a person, or a person whose location is not known."""
    values: dict[str, list[str]] = {"wanted_by": country_list(wanted_by)}
    if nationality is not None:
        values["nationality"] = country_list(nationality)
    if travels is not None:
        values["travels"] = country_list(travels)
    change = Change()
    with ctx.session() as session:
        op = find_operation(session, codename)
        target = find_target(session, op.id, target_ref)
        if target.kind != "person":
            raise ValidationError(f"{target.name} is a {target.kind}; requesting states are "
                                  "set on person targets.")
        located = _Located(target.id, target.operation_id, target.country)
        if not _custody(session, [located])[target.id]:
            raise ValidationError(f"{target.name} has no location: set the target's country "
                                  "or plan its arrest at a site first, so that the route "
                                  "can be found.")
        if stamp_write(target, values, ctx.clock):
            change.add("updated", "target", target.id)
    return change


def set_victim_states(ctx: AppContext, codename: str, codes: list[str]) -> Change:
    """The states of the victims (where seized assets should go back); empty to fall
    back on the lead agency's country."""
    states = country_list(codes)
    change = Change()
    with ctx.session() as session:
        op = find_operation(session, codename)
        if stamp_write(op, {"victim_states": states}, ctx.clock):
            change.add("updated", "operation", op.id)
    return change


NATIONALS_STATUSES = tuple(legal.NATIONALS_TEXT)
_SEARCH_FIELDS = ("search_rule", "search_rule_text", "search_source", "search_as_of",
                  "search_confidence")


def set_nationals_bar(ctx: AppContext, code: str, status: str, basis: str,
                      source: str) -> Change:
    """Record this agency's correction of a state's bar on extraditing its nationals: a
    jurisdiction record of its own naming the shipped one (as jurisdictions.py does for
    search hours, and in the same record when there is one)."""
    country = check_country(code)
    if status not in NATIONALS_STATUSES:
        raise ValidationError(f"Unknown status {status!r} (expected "
                              f"{', '.join(NATIONALS_STATUSES)}).")
    if not source.strip():
        raise ValidationError("Say where the correction comes from (a law, a prosecutor's "
                              "advice).")
    shipped_id = reference_id("jurisdiction", country)
    change = Change()
    with ctx.session() as session:
        shipped = session.get(Jurisdiction, shipped_id)
        if shipped is None:
            raise NotFoundError(f"No jurisdiction {country!r} is known.")
        mine = session.scalars(select(Jurisdiction).where(
            Jurisdiction.overrides_id == shipped_id,
            Jurisdiction.owner_agency_id == ctx.agency_id)).first()
        values: dict[str, object] = {
            "nationals_bar": status, "nationals_basis": basis.strip(),
            "nationals_source": [{"what": source.strip()}],
            "nationals_as_of": date.today().isoformat(),
            "nationals_confidence": "agency correction", "deleted": False}
        if mine is None:
            # The whole record stands in for the shipped one, so its search hours are the
            # shipped ones until corrected.
            mine = Jurisdiction(owner_agency_id=ctx.agency_id, overrides_id=shipped_id,
                                code=shipped.code, name=shipped.name,
                                country=shipped.country, zones=list(shipped.zones),
                                tlp="GREEN")
            session.add(mine)
            values.update({f: getattr(shipped, f) for f in _SEARCH_FIELDS})
        stamp_write(mine, values, ctx.clock)
        session.flush()
        change.add("updated", "jurisdiction", mine.id)
    return change


# ---- reading -----------------------------------------------------------------------------


def nationals_facts(session: Session) -> dict[str, legal.NationalsFact]:
    """Country -> its bar on extraditing nationals, an agency's correction of it (a
    jurisdiction record naming the country's in ``overrides_id`` that wrote
    ``nationals_bar``) in place of the shipped entry."""
    rows = list(session.scalars(select(Jurisdiction).where(
        Jurisdiction.deleted.is_(False),
        Jurisdiction.nationals_bar.is_not(None) | Jurisdiction.overrides_id.is_not(None))
        .order_by(Jurisdiction.updated)))
    facts: dict[str, legal.NationalsFact] = {}
    for j in rows:
        if j.overrides_id is None and j.code == j.country and j.nationals_bar:
            facts.setdefault(j.country, _fact(j))
    for j in rows:  # oldest first: the newest correction stays
        # A correction of the search hours alone leaves the nationals entry as shipped.
        if j.overrides_id is not None and j.code == j.country and \
                "nationals_bar" in (j.stamps or {}) and j.nationals_bar:
            facts[j.country] = _fact(j)
    return facts


def _fact(j: Jurisdiction) -> legal.NationalsFact:
    return legal.NationalsFact(j.country, j.nationals_bar or "", j.nationals_basis,
                               j.nationals_confidence, j.nationals_as_of,
                               source_texts(list(j.nationals_source or [])), j.id)


def route_graph(session: Session, agency_id: str, today: date) -> legal.RouteGraph:
    return legal.RouteGraph([to_fact(i) for i in effective_in(session, agency_id)],
                            nationals_facts(session), today)


@dataclass(frozen=True)
class _Located:
    id: str
    operation_id: str | None
    country: str


def _custody(session: Session, targets: list[_Located]) -> dict[str, tuple[str, ...]]:
    """Target id -> its custody states: its planned arrests' sites' states (the target's
    country for an arrest without a site), else the target's country."""
    by_id = {t.id: t for t in targets}
    places: dict[str, list[str]] = {t.id: [] for t in targets}
    query = (select(Action.target_id, Site.country)
             .outerjoin(Site, (Site.id == Action.site_id) & Site.deleted.is_(False))
             .where(Action.kind == "arrest", Action.deleted.is_(False),
                    Action.status.in_(LIVE_ACTION)))
    if len(targets) <= 500:
        query = query.where(Action.target_id.in_(list(by_id)))
    else:
        query = query.where(Action.operation_id == targets[0].operation_id)
    for target_id, site_country in session.execute(query):
        if target_id in places:
            places[target_id].append(site_country or by_id[target_id].country)
    return {tid: tuple(dict.fromkeys(c for c in found if c)) or
            ((by_id[tid].country,) if by_id[tid].country else ())
            for tid, found in places.items()}


def _arrests(session: Session, op_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (target_id,) in session.execute(select(Action.target_id).where(
            Action.operation_id == op_id, Action.kind == "arrest",
            Action.deleted.is_(False), Action.status.in_(LIVE_ACTION))):
        counts[target_id] = counts.get(target_id, 0) + 1
    return counts


def _people(session: Session, op: Operation) -> list[legal.PersonCase]:
    # Columns, not whole rows: a large operation's targets are read fast.
    rows = session.execute(select(
        Target.id, Target.name, Target.country, Target.nationality, Target.wanted_by,
        Target.travels).where(Target.operation_id == op.id, Target.kind == "person",
                              Target.deleted.is_(False)).order_by(Target.name, Target.id)
    ).all()
    if not rows:
        return []
    arrests = _arrests(session, op.id)
    chosen = [r for r in rows if arrests.get(r.id) or r.wanted_by]
    if not chosen:
        return []
    custody = _custody(session, [_Located(r.id, op.id, r.country) for r in chosen])
    return [legal.PersonCase(r.id, r.name, tuple(r.nationality or ()), custody[r.id],
                             tuple(r.wanted_by or ()), tuple(r.travels or ()),
                             arrests.get(r.id, 0))
            for r in chosen]


def _seizures(session: Session, op: Operation) -> list[legal.SeizureCase]:
    site = aliased(Site)
    rows = session.execute(
        select(Action.id, Target.name, Target.country, site.name, site.country)
        .join(Target, Target.id == Action.target_id)
        .outerjoin(site, (site.id == Action.site_id) & site.deleted.is_(False))
        .where(Action.operation_id == op.id, Action.kind == "seizure",
               Action.deleted.is_(False), Action.status != "aborted")
        .order_by(Target.name, Action.id))
    return [legal.SeizureCase(action_id, name or "", site_name or "",
                              site_country or target_country or "")
            for action_id, name, target_country, site_name, site_country in rows]


def _victims(session: Session, op: Operation) -> tuple[list[str], str]:
    if op.victim_states:
        return list(op.victim_states), "operation"
    lead = session.get(Agency, op.lead_agency_id)
    return ([lead.country] if lead is not None and lead.country else []), "lead agency"


def legal_report(ctx: AppContext, codename: str, today: date | None = None) -> LegalReport:
    """The readiness check: every planned arrest has a route, every seizure abroad a
    basis, with the answers per person and per seizure, and the warnings."""
    day = today or date.today()
    with ctx.session() as session:
        op = find_operation(session, codename)
        graph = route_graph(session, ctx.agency_id, day)
        victims, source = _victims(session, op)
        result = legal.readiness(graph, _people(session, op), _seizures(session, op),
                                 victims)
        return LegalReport(op.id, op.codename, result, source, day)


def legal_drawing(ctx: AppContext, codename: str, target_id: str | None = None,
                  today: date | None = None) -> LegalDrawing:
    """The states of the operation's people, seizures and victims, the instruments
    between them, and the selected target's routes highlighted."""
    day = today or date.today()
    with ctx.session() as session:
        op = find_operation(session, codename)
        graph = route_graph(session, ctx.agency_id, day)
        victims, _source = _victims(session, op)
        people = _people(session, op)
        seizures = _seizures(session, op)
    states = set(victims) | {s.state for s in seizures if s.state}
    for case in people:
        states |= set(case.custody) | set(case.wanted_by) | set(case.travels)
    highlighted: list[tuple[str, str, str]] = []
    chosen = next((c for c in people if c.target_id == target_id), None)
    if chosen is not None:
        person = graph.person(chosen)
        highlighted = [(a.custody, a.requesting, a.route.id)
                       for a in (*person.answers, *person.alternatives)
                       if a.route is not None]
    ordered = tuple(sorted(states))
    return LegalDrawing(ordered, tuple(graph.links(ordered)), tuple(highlighted))
