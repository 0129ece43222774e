"""STIX 2.1 export of an operation, for a partner or for a sharing community.

What goes in (see app/core/stix_objects.py for ids, markings and the wallet pattern):
an identity per participating agency (and the exporting agency, the ``created_by_ref`` of
every object); a location per country named and per site; a threat-actor per person, an
intrusion-set per organisation, infrastructure per server, a location per premises; an
indicator per wallet (victims' wallets are never exported: they are no indicator of
anything); relationships where the records link: a target ``located-at`` its country
(``originates-from`` for an intrusion-set) and ``located-at`` the sites of its actions, a
wallet indicator ``indicates`` the person, organisation or server it belongs to, an agency
``located-at`` its country. Every object carries ``object_marking_refs`` with the official
TLP 2.0 marking of its record; a relationship carries the highest marking of the records
it comes from (its two ends and, for a site, the action).

Who sees what: exactly the rule bundles apply, ``app.core.releasability.releasable``, per
record. ``--for AGENCY``: the agency must take part in the operation; its ceiling is the
lower of its participant ceiling and, when it is a partner, its partner ceiling. By default
the recipient is a sharing community outside the operation: only TLP:CLEAR and TLP:GREEN
records (the community is passed to ``releasable`` as a recipient with a GREEN ceiling).
RED records go only to agencies named in the distribution of the changesets that wrote
them; AMBER+STRICT records never leave the owning agency.

Anonymised (for threat-mapping platforms) removes all personal data:
- a person's name (the threat-actor is named "Person " and eight hex digits of its id),
  aliases, nationality and notes;
- every site: no site location, no street address, no coordinates; a target's link to a
  site becomes a link to the site's country;
- premises targets (their names are places and addresses);
- wallet labels (an indicator is named "<chain> wallet <address>");
- notes of organisations and servers.
Kept: organisation and server names and aliases, countries, wallet addresses and chains
(they are the indicators), the agencies' names. Agencies' 24/7 contacts are never exported.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import tlp as tlp_levels
from app.core.errors import KnownError, NotFoundError
from app.core.releasability import releasable
from app.core.stix_objects import (
    ObjectMaker,
    bundle,
    country_location_id,
    stamp_time,
    stix_id,
    tlp_marking,
)
from app.models.atomic import write_atomic
from app.models.records import Action, Agency, Participant, Site, Target, Wallet
from app.models.sync_records import ChangesetRecord, Partner
from app.services.context import AppContext, find_agency
from app.services.operations import find_operation

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]

COMMUNITY = "a sharing community outside the operation"
COMMUNITY_ID = "sharing-community"  # never an agency id (those are UUIDs)
COMMUNITY_CEILING = "GREEN"
_SDO_KINDS = ("person", "organisation", "server")


class StixExportCancelledError(KnownError):
    """The export was cancelled; no file was written."""


@dataclass
class StixExportReport:
    codename: str
    recipient: str
    anonymised: bool
    file: Path | None = None
    objects: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    withheld: dict[str, int] = field(default_factory=dict)  # reason -> records

    def summary(self) -> str:
        left = sum(self.withheld.values())
        where = f" to {self.file}" if self.file else ""
        kind = "an anonymised STIX bundle" if self.anonymised else "a STIX bundle"
        out = f" ({left} records left out)" if left else ""
        return (f"{self.objects} objects of {self.codename} for {self.recipient} in {kind}"
                f"{where}{out}.")


@dataclass(frozen=True)
class _Recipient:
    id: str
    name: str
    ceiling: str
    scope: frozenset[str]  # the operation's participants, as releasable sees them


class _Sight:
    """Which records the recipient may see, with the reasons for what it may not."""

    def __init__(self, recipient: _Recipient, red_to: dict[str, set[str]],
                 withheld: dict[str, int]) -> None:
        self.recipient = recipient
        self.red_to = red_to
        self.withheld = withheld

    def sees(self, kind: str, record_id: str, level: str, owner: str | None) -> bool:
        r = self.recipient
        verdict = releasable(level, owner, r.id, r.scope | {r.id} if kind == "agency"
                             else r.scope, r.ceiling, self.red_to.get(record_id, ()))
        if not verdict.allowed:
            reason = f"{kind}: {verdict.reason}"
            self.withheld[reason] = self.withheld.get(reason, 0) + 1
        return verdict.allowed

    def leave_out(self, reason: str) -> None:
        self.withheld[reason] = self.withheld.get(reason, 0) + 1


def _red_addressees(session: Session, op_id: str) -> dict[str, set[str]]:
    """Record id -> the agencies every RED changeset that wrote it was addressed to: a
    recipient gets a RED record only when it was named each time, as bundles carry it."""
    found: dict[str, set[str]] = {}
    for body, red_to in session.execute(select(ChangesetRecord.body, ChangesetRecord.red_to)
                                        .where(ChangesetRecord.operation_id == op_id,
                                               ChangesetRecord.tlp == "RED",
                                               ChangesetRecord.status == "applied")):
        named = set(red_to or [])
        for op in json.loads(body.decode("utf-8"))["ops"]:
            record_id = str(op["id"])
            found[record_id] = found[record_id] & named if record_id in found else set(named)
    return found


def _recipient(session: Session, op_id: str, codename: str, members: dict[str, str],
               agency_ref: str | None) -> _Recipient:
    if agency_ref is None:
        return _Recipient(COMMUNITY_ID, COMMUNITY, COMMUNITY_CEILING,
                          frozenset(members) | {COMMUNITY_ID})
    agency = find_agency(session, agency_ref)
    if agency is None:
        raise NotFoundError(f"There is no agency {agency_ref!r} in this store.")
    if agency.id not in members:
        raise KnownError(f"{agency.name} does not take part in operation {codename}; "
                         "export for the sharing community instead (without --for).")
    ceiling = members[agency.id]
    partner = session.get(Partner, agency.id)
    if partner is not None and tlp_levels.rank(partner.tlp_ceiling) < tlp_levels.rank(ceiling):
        ceiling = partner.tlp_ceiling
    return _Recipient(agency.id, agency.name, ceiling, frozenset(members))


def _times(stamps: dict[str, Any] | None, updated: str, now: datetime) -> tuple[str, str]:
    values = [str(v) for v in (stamps or {}).values()]
    first = min(values) if values else updated
    return stamp_time(first, now), stamp_time(updated or first, now)


def _highest(*levels: str) -> str:
    return max(levels, key=tlp_levels.rank)


def build_stix(ctx: AppContext, codename: str, agency_ref: str | None = None,
               anonymised: bool = False, cancel: Cancel | None = None
               ) -> tuple[dict[str, Any], StixExportReport]:
    """The bundle (a dict) for the recipient, and what it holds and left out."""
    with ctx.session() as session:
        return _build(session, ctx, codename, agency_ref, anonymised, cancel)


def _check(cancel: Cancel | None) -> None:
    if cancel is not None and cancel():
        raise StixExportCancelledError("The STIX export was cancelled; no file was written.")


def _build(session: Session, ctx: AppContext, codename: str, agency_ref: str | None,
           anonymised: bool, cancel: Cancel | None) -> tuple[dict[str, Any], StixExportReport]:
    now = datetime.now(UTC)
    op = find_operation(session, codename)
    members = {a: c for a, c in session.execute(
        select(Participant.agency_id, Participant.tlp_ceiling).where(
            Participant.operation_id == op.id, Participant.deleted.is_(False)))}
    recipient = _recipient(session, op.id, op.codename, members, agency_ref)
    report = StixExportReport(op.codename, recipient.name, anonymised)
    sight = _Sight(recipient, _red_addressees(session, op.id), report.withheld)
    make = ObjectMaker(ctx.agency_id)
    op_created, _m = _times(op.stamps, op.updated, now)
    objects: dict[str, dict[str, Any]] = {}
    countries: set[str] = set()
    relations: dict[str, dict[str, Any]] = {}

    def relate(source: dict[str, Any], kind: str, target_ref: str, level: str) -> None:
        created = max(source["created"], op_created)
        rel = make.relationship(source["id"], kind, target_ref, level, created)
        relations.setdefault(rel["id"], rel)

    # Agencies: the participants and the author.
    for a in session.scalars(select(Agency).where(Agency.id.in_([*members, ctx.agency_id]),
                                                  Agency.deleted.is_(False))):
        if a.id != ctx.agency_id and not sight.sees("agency", a.id, a.tlp, a.owner_agency_id):
            continue
        created, modified = _times(a.stamps, a.updated, now)
        ident = make.identity(a.id, a.name, a.tlp, created, modified)
        objects[ident["id"]] = ident
        if a.country:
            countries.add(a.country)
            relate(ident, "located-at", country_location_id(a.country), a.tlp)
    _check(cancel)

    # Targets.
    target_objects: dict[str, tuple[dict[str, Any], str, str]] = {}  # id -> (obj, kind, tlp)
    for row in session.execute(select(
            Target.id, Target.kind, Target.name, Target.aliases, Target.nationality,
            Target.country, Target.notes, Target.tlp, Target.owner_agency_id, Target.stamps,
            Target.updated).where(Target.operation_id == op.id, Target.deleted.is_(False))
            .order_by(Target.id)):
        (tid, kind, name, aliases, nationality, cc, notes, level, owner, stamps,
         updated) = row
        if kind == "wallet":
            continue  # its wallet records are the indicators
        if not sight.sees("target", tid, level, owner):
            continue
        created, modified = _times(stamps, updated, now)
        if kind == "premises":
            if anonymised:
                sight.leave_out("premises: anonymised (a premises names a place)")
                continue
            if not cc:
                sight.leave_out("premises: no country to place it")
                continue
            obj = make.site(tid, name, cc, level, created, modified, premises=True)
            countries.add(cc)
        elif kind in _SDO_KINDS:
            person = kind == "person"
            if anonymised:
                obj = make.actor(tid, kind, f"Person {stix_id('x', tid)[-8:]}" if person
                                 else name, level, created, modified,
                                 aliases=() if person else aliases)
            else:
                obj = make.actor(tid, kind, name, level, created, modified, aliases=aliases,
                                 nationality=nationality if person else (),
                                 description=notes)
            if cc:
                countries.add(cc)
                relate(obj, "originates-from" if kind == "organisation" else "located-at",
                       country_location_id(cc), level)
        else:
            continue
        objects[obj["id"]] = obj
        target_objects[tid] = (obj, kind, level)
    _check(cancel)

    # Sites, and targets placed at them by their actions.
    sites: dict[str, tuple[dict[str, Any] | None, str, str]] = {}  # id -> (obj, country, tlp)
    for sid, name, address, cc, lat, lon, level, owner, stamps, updated in session.execute(
            select(Site.id, Site.name, Site.address, Site.country, Site.lat, Site.lon,
                   Site.tlp, Site.owner_agency_id, Site.stamps, Site.updated)
            .where(Site.operation_id == op.id, Site.deleted.is_(False)).order_by(Site.id)):
        if not sight.sees("site", sid, level, owner):
            continue
        countries.add(cc)
        if anonymised:
            sites[sid] = (None, cc, level)
            continue
        created, modified = _times(stamps, updated, now)
        obj = make.site(sid, name, cc, level, created, modified, address, lat, lon)
        objects[obj["id"]] = obj
        sites[sid] = (obj, cc, level)
    _check(cancel)
    for aid, target_id, site_id, level, owner in session.execute(
            select(Action.id, Action.target_id, Action.site_id, Action.tlp,
                   Action.owner_agency_id).where(Action.operation_id == op.id,
                                                 Action.deleted.is_(False),
                                                 Action.site_id.is_not(None))):
        held = target_objects.get(target_id)
        place = sites.get(site_id or "")
        if held is None or place is None or held[1] == "premises":
            continue
        if not sight.sees("action", aid, level, owner):
            continue
        obj, kind, target_level = held
        site_obj, cc, site_level = place
        ref = site_obj["id"] if site_obj is not None else country_location_id(cc)
        relate(obj, "originates-from" if kind == "organisation" else "located-at", ref,
               _highest(level, target_level, site_level))
    _check(cancel)

    # Wallets: indicators.
    for wid, chain, address, label, target_id, level, owner, stamps, updated in \
            session.execute(select(Wallet.id, Wallet.chain, Wallet.address, Wallet.label,
                                   Wallet.target_id, Wallet.tlp, Wallet.owner_agency_id,
                                   Wallet.stamps, Wallet.updated)
                            .where(Wallet.operation_id == op.id, Wallet.deleted.is_(False),
                                   Wallet.category != "victim").order_by(Wallet.id)):
        if not sight.sees("wallet", wid, level, owner):
            continue
        created, modified = _times(stamps, updated, now)
        obj = make.wallet(wid, chain, address, level, created, modified,
                          "" if anonymised else label)
        objects[obj["id"]] = obj
        held = target_objects.get(target_id or "")
        if held is not None and held[1] in _SDO_KINDS:
            relate(obj, "indicates", held[0]["id"], _highest(level, held[2]))
    _check(cancel)

    for cc in sorted(countries):
        loc = make.country(cc, op_created)
        objects[loc["id"]] = loc
    markings = [tlp_marking(level) for level in tlp_levels.LEVELS if level in make.levels_used]
    ordered = markings + sorted(objects.values(), key=_order) + sorted(
        relations.values(), key=lambda o: str(o["id"]))
    for obj in ordered:
        report.by_type[obj["type"]] = report.by_type.get(obj["type"], 0) + 1
    report.objects = len(ordered)
    key = f"{op.id}|{recipient.id}|{anonymised}|{max(o.get('modified', '') for o in ordered)}"
    return bundle(ordered, key), report


_TYPE_ORDER = {"identity": 0, "location": 1, "threat-actor": 2, "intrusion-set": 3,
               "infrastructure": 4, "indicator": 5}


def _order(obj: dict[str, Any]) -> tuple[int, str]:
    return _TYPE_ORDER.get(str(obj["type"]), 9), str(obj["id"])


def export_stix(ctx: AppContext, codename: str, target: Path, agency_ref: str | None = None,
                anonymised: bool = False, progress: Progress | None = None,
                cancel: Cancel | None = None) -> StixExportReport:
    """Write the STIX bundle of ``codename`` for ``agency_ref`` (None: a sharing community)
    to ``target``, atomically. ``progress(done, total)`` in steps: read, written."""
    if progress:
        progress(0, 2)
    document, report = build_stix(ctx, codename, agency_ref, anonymised, cancel)
    if progress:
        progress(1, 2)
    data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    _check(cancel)
    write_atomic(target, data, mode=0o600)
    report.file = target
    with ctx.session() as session:
        ctx.audit(session, "stix exported", operation=report.codename,
                  recipient=report.recipient, anonymised=anonymised, objects=report.objects,
                  file=str(target))
    if progress:
        progress(2, 2)
    return report


def recipients(ctx: AppContext, codename: str) -> list[tuple[str, str]]:
    """(agency id, name) of the agencies an export may be made for: the operation's
    participants other than this agency."""
    with ctx.session() as session:
        op = find_operation(session, codename)
        ids: Collection[str] = list(session.scalars(select(Participant.agency_id).where(
            Participant.operation_id == op.id, Participant.deleted.is_(False))))
        return [(a.id, a.name) for a in session.scalars(
            select(Agency).where(Agency.id.in_(ids), Agency.id != ctx.agency_id)
            .order_by(Agency.name))]
