"""Import of a STIX 2.1 bundle (from MISP, OpenCTI or another JointOps) into an operation.

First a plan, which writes nothing: what will be created, and every object skipped with
its reason. Then the plan is applied in one transaction through the targets service, so
every record is a signed changeset like any other; a cancelled or failing import changes
nothing.

What becomes what:
- threat-actor -> a person target (an organisation when it is a group: ``resource_level``
  other than "individual", or ``threat_actor_types`` with "crime-syndicate", or OpenCTI's
  ``x_opencti_type`` "Threat-Actor-Group"); intrusion-set -> an organisation target;
  infrastructure -> a server target; names, aliases, description (as notes), and
  ``x_jointops_nationality`` for a person;
- an indicator whose pattern names a wallet (``[cryptocurrency-wallet:value = '...']``,
  also ``:address`` and the ``x-`` and ``x-opencti-`` types) -> a wallet, its chain from
  ``x_jointops_chain`` or else from the address's form, checked like every address in
  JointOps (app/core/addresses); it belongs to the target it ``indicates``, else to a new
  wallet target. Other indicators are skipped;
- a location with ``x_jointops_premises`` (a JointOps premises) -> a premises target;
  a location with coordinates, a street address or a name of its own -> a site (its zone
  is the country's only zone; a country with several zones cannot be placed and is
  skipped); a location that is just a country -> the country of the targets that are
  ``located-at`` or ``originates-from`` it;
- relationships the model can hold: located-at / originates-from a country (the target's
  country), located-at a site (the site's name in the target's location, and its country
  when the target has none), indicates (the
  wallet's target). Others are skipped and listed.
- identities (agencies and authors) are not imported: partners come from their roster
  files. Report, grouping and note objects are containers: their objects are imported.

Markings: an object takes the highest TLP level of its ``object_marking_refs`` (TLP 2.0
and 1.0 official ids, or TLP markings the bundle defines); without one it is TLP:AMBER,
the store's default. What the operation allows: a level no higher than the highest TLP
ceiling of the operation's participants other than this agency (TLP:AMBER when it has no
other participant), and never TLP:RED, which names its recipients and has no place in a
store that shares with the whole operation. Objects marked above it are skipped.

Every object of a type that is imported is checked with the OASIS stix2-validator; one
with errors (a required property missing, a bad id or timestamp) is skipped with the
validator's first error. Known objects already in the operation (a target of the same
kind and name, a wallet of the same chain and address, a site of the same name and
country) are skipped, so a bundle can be imported again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core import tlp as tlp_levels
from app.core.countries import country
from app.core.errors import KnownError, ValidationError
from app.core.stix_objects import CHAIN_PROPERTY, NATIONALITY_PROPERTY, PREMISES_PROPERTY
from app.core.stix_reading import marking_levels, object_level, wallet_address, wallet_chain
from app.models.records import Participant, Site, Target, Wallet
from app.services.changes import Change, stamp_write
from app.services.context import AppContext
from app.services.file_import import Cancel, Progress, RollbackSignal
from app.services.operations import find_operation
from app.services.targets import add_record_in, site_values, target_values

MAX_BYTES = 256 * 1024 * 1024
CHUNK = 1024 * 1024
DEFAULT_LEVEL = "AMBER"
PROGRESS_SCALE = 1000  # read: 0-300, check: 300-800, write: 800-1000
_IMPORTED_TYPES = ("threat-actor", "intrusion-set", "infrastructure", "indicator",
                   "location", "relationship")
_CONTAINERS = ("report", "grouping", "note", "opinion")
_ACTOR_KINDS = {"intrusion-set": "organisation", "infrastructure": "server"}


class StixImportCancelledError(KnownError):
    """The import was cancelled; nothing changed."""


@dataclass(frozen=True)
class Skipped:
    id: str
    type: str
    name: str
    reason: str


@dataclass
class PlannedRecord:
    kind: str  # target | site | wallet
    stix_id: str
    values: dict[str, Any]
    owner: str = ""  # a wallet's target, by STIX id


@dataclass
class StixPlan:
    codename: str
    file: str
    allowed: str  # the highest TLP level the operation takes
    objects: int = 0
    records: list[PlannedRecord] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    relationships: int = 0  # kept

    def counts(self) -> dict[str, int]:
        found: dict[str, int] = {"target": 0, "site": 0, "wallet": 0}
        for record in self.records:
            found[record.kind] += 1
            if record.kind == "wallet" and not record.owner:
                found["target"] += 1  # a wallet target of its own
        return found

    def target_kinds(self) -> dict[str, int]:
        found: dict[str, int] = {}
        for record in self.records:
            kind = str(record.values["kind"]) if record.kind == "target" else (
                "wallet" if record.kind == "wallet" and not record.owner else "")
            if kind:
                found[kind] = found.get(kind, 0) + 1
        return found


@dataclass
class StixImportReport:
    plan: StixPlan
    created: dict[str, int] = field(default_factory=dict)
    cancelled: bool = False
    change: Change = field(default_factory=Change)

    def summary(self) -> str:
        if self.cancelled:
            return "The import was cancelled; nothing was imported."
        made = ", ".join(f"{n} {kind}{'' if n == 1 else 's'}"
                         for kind, n in self.created.items() if n) or "nothing"
        skipped = len(self.plan.skipped)
        tail = f"; {skipped} object{'' if skipped == 1 else 's'} skipped" if skipped else ""
        return f"Imported into {self.plan.codename}: {made}{tail}."


def _step(progress: Progress | None, cancel: Cancel | None, done: int) -> None:
    if cancel is not None and cancel():
        raise StixImportCancelledError("The STIX import was cancelled; nothing was imported.")
    if progress is not None:
        progress(done, PROGRESS_SCALE)


def read_bundle(path: Path, progress: Progress | None = None, cancel: Cancel | None = None,
                max_bytes: int = MAX_BYTES) -> list[Any]:
    """The objects of the bundle in ``path``; a known error when it is not one."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ValidationError(f"{path.name} is {size / 1e6:.0f} MB; a STIX file of more "
                                  f"than {max_bytes / 1e6:.0f} MB is not imported.")
        parts: list[bytes] = []
        done = 0
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                parts.append(chunk)
                done += len(chunk)
                _step(progress, cancel, 300 * done // max(size, 1))
    except OSError:
        raise KnownError(f"{path} cannot be read.") from None
    try:
        document = json.loads(b"".join(parts))
    except UnicodeDecodeError:
        raise ValidationError(f"{path.name} is not a STIX file: it is not UTF-8 text.") from None
    except json.JSONDecodeError as error:
        raise ValidationError(f"{path.name} is not a STIX file: it is not JSON ({error.msg} at "
                              f"line {error.lineno}, column {error.colno}).") from None
    if not isinstance(document, dict) or document.get("type") != "bundle":
        raise ValidationError(f"{path.name} is JSON but not a STIX bundle (its type is not "
                              "\"bundle\").")
    objects = document.get("objects", [])
    if not isinstance(objects, list):
        raise ValidationError(f"{path.name} is not a STIX bundle: its objects are not a list.")
    return objects


def allowed_level(session: Session, op_id: str, own_agency_id: str) -> str:
    ceilings = [c for a, c in session.execute(
        select(Participant.agency_id, Participant.tlp_ceiling).where(
            Participant.operation_id == op_id, Participant.deleted.is_(False)))
        if a != own_agency_id]
    highest = max(ceilings, key=tlp_levels.rank) if ceilings else DEFAULT_LEVEL
    return "AMBER+STRICT" if highest == "RED" else highest


def _held(session: Session, op_id: str) -> tuple[set[tuple[str, str]], ...]:
    """What the operation holds already: (kind, name) of targets, (chain, address) of
    wallets, (name, country) of sites; names compared without case."""
    targets = {(k, n.casefold()) for k, n in session.execute(
        select(Target.kind, Target.name).where(Target.operation_id == op_id,
                                               Target.deleted.is_(False)))}
    wallets = {(c, a) for c, a in session.execute(
        select(Wallet.chain, Wallet.address).where(Wallet.operation_id == op_id,
                                                   Wallet.deleted.is_(False)))}
    sites = {(n.casefold(), c) for n, c in session.execute(
        select(Site.name, Site.country).where(Site.operation_id == op_id,
                                              Site.deleted.is_(False)))}
    return targets, wallets, sites


def _key(record: PlannedRecord) -> tuple[str, str]:
    v = record.values
    if record.kind == "target":
        return str(v["kind"]), str(v["name"]).casefold()
    if record.kind == "wallet":
        return str(v["chain"]), str(v["address"])
    return str(v["name"]).casefold(), str(v["country"])


class _Planner:
    def __init__(self, session: Session, op_id: str, plan: StixPlan,
                 levels: dict[str, str]) -> None:
        from stix2validator import ValidationOptions  # 1.5 s to import: only when used

        self.options = ValidationOptions(version="2.1")
        self.plan = plan
        self.levels = levels
        self.targets: dict[str, PlannedRecord] = {}  # STIX id -> planned target
        self.wallets: dict[str, PlannedRecord] = {}
        self.sites: dict[str, PlannedRecord] = {}
        self.countries: dict[str, str] = {}  # STIX id -> ISO code
        self.names: dict[str, str] = {}  # STIX id -> name, to name relationships
        self.known_targets, self.known_wallets, self.known_sites = _held(session, op_id)

    def skip(self, obj: dict[str, Any], reason: str) -> None:
        name = obj.get("name")
        if obj.get("type") == "relationship":
            name = " ".join((self.names.get(str(obj.get("source_ref")), "?"),
                             str(obj.get("relationship_type", "")),
                             self.names.get(str(obj.get("target_ref")), "?")))
        self.plan.skipped.append(Skipped(str(obj.get("id", "")), str(obj.get("type", "")),
                                         name if isinstance(name, str) else "", reason))

    def admit(self, obj: dict[str, Any]) -> str | None:
        """The object's TLP level when it may be imported, else None (skipped)."""
        from stix2validator import validate_instance

        result = validate_instance(obj, self.options)
        if not result.is_valid or result.errors:
            first = str(result.errors[0]) if result.errors else "not valid STIX 2.1"
            self.skip(obj, f"not valid STIX 2.1: {first.split(': ', 1)[-1]}")
            return None
        level = object_level(obj, self.levels) or DEFAULT_LEVEL
        allowed = self.plan.allowed
        if level == "RED" or tlp_levels.rank(level) > tlp_levels.rank(allowed):
            self.skip(obj, f"marked TLP:{level}, above what operation {self.plan.codename} "
                           f"allows (TLP:{allowed}; TLP:RED is never imported)")
            return None
        return level

    def take(self, obj: Any) -> None:
        if not isinstance(obj, dict) or not isinstance(obj.get("type"), str) \
                or not isinstance(obj.get("id"), str):
            self.plan.skipped.append(Skipped("", "", "", "not a STIX object (no type or id)"))
            return
        kind = obj["type"]
        label = obj.get("name") or obj.get("pattern") or obj.get("country")
        if isinstance(label, str):
            self.names[obj["id"]] = label
        if kind == "marking-definition":
            return
        if kind == "identity":
            self.skip(obj, "identities (agencies, authors) are not imported; partners are "
                           "added from their roster files")
            return
        if kind in _CONTAINERS:
            self.skip(obj, f"a {kind} is a container: the objects it refers to are imported, "
                           "not the container")
            return
        if kind not in _IMPORTED_TYPES:
            self.skip(obj, f"unknown or unsupported object type {kind!r}")
            return
        if kind == "relationship":
            return  # after every object they may join
        level = self.admit(obj)
        if level is None:
            return
        if kind == "indicator":
            self._wallet(obj, level)
        elif kind == "location":
            self._location(obj, level)
        else:
            self._target(obj, level)

    def _target(self, obj: dict[str, Any], level: str, kind: str = "",
                fixed: dict[str, Any] | None = None) -> None:
        kind = kind or _ACTOR_KINDS.get(obj["type"], "person")
        if obj["type"] == "threat-actor" and _is_group(obj):
            kind = "organisation"
        name = str(obj.get("name", "")).strip()
        if (kind, name.casefold()) in self.known_targets:
            self.skip(obj, f"a {kind} named {name!r} is already in the operation or "
                           "earlier in the file")
            return
        extra: dict[str, Any] = {"aliases": _strings(obj.get("aliases"))}
        if kind == "person":
            extra["nationality"] = _strings(obj.get(NATIONALITY_PROPERTY))
        if isinstance(obj.get("description"), str):
            extra["notes"] = obj["description"]
        extra.update(fixed or {})
        try:
            values = target_values(kind, name, tlp=level, **extra)
        except ValidationError as error:
            self.skip(obj, str(error))
            return
        self.known_targets.add((kind, name.casefold()))
        record = PlannedRecord("target", obj["id"], values)
        self.targets[obj["id"]] = record
        self.plan.records.append(record)

    def _wallet(self, obj: dict[str, Any], level: str) -> None:
        address = wallet_address(str(obj.get("pattern", "")))
        if address is None:
            self.skip(obj, "the indicator's pattern names no wallet; only wallet "
                           "indicators are imported")
            return
        hint = obj.get(CHAIN_PROPERTY)
        chain, canonical, reason = wallet_chain(address, hint if isinstance(hint, str)
                                                else None)
        if chain is None:
            self.skip(obj, f"wallet {address}: {reason}")
            return
        if (chain, canonical) in self.known_wallets:
            self.skip(obj, f"the {chain} wallet {canonical} is already in the operation "
                           "or earlier in the file")
            return
        self.known_wallets.add((chain, canonical))
        name = obj.get("name")
        label = name.strip() if isinstance(name, str) and name.strip() else \
            f"{chain} wallet {canonical}"
        record = PlannedRecord("wallet", obj["id"], {
            "chain": chain, "address": canonical, "label": label[:200],
            "category": "suspect", "tlp": level})
        self.wallets[obj["id"]] = record
        self.plan.records.append(record)

    def _location(self, obj: dict[str, Any], level: str) -> None:
        code = obj.get("country")
        found = country(code) if isinstance(code, str) and code.strip() else None
        if found is None:
            self.skip(obj, "a location without a country JointOps knows (a region alone "
                           "places no site)")
            return
        name = str(obj.get("name") or "").strip()
        if obj.get(PREMISES_PROPERTY) is True:
            self._target(obj, level, "premises", {"country": found.code})
            return
        address = str(obj.get("street_address") or "").strip()
        has_point = "latitude" in obj and "longitude" in obj
        if not address and not has_point and name in ("", found.name, found.code):
            self.countries[obj["id"]] = found.code
            return
        name = name or address or f"Location in {found.name}"
        if (name.casefold(), found.code) in self.known_sites:
            self.skip(obj, f"a site named {name!r} in {found.code} is already in the "
                           "operation or earlier in the file")
            return
        try:
            values = site_values(name, found.code, "", str(obj.get("latitude", "")),
                                 str(obj.get("longitude", "")), address, tlp=level)
        except ValidationError as error:
            self.skip(obj, str(error))
            return
        self.known_sites.add((name.casefold(), found.code))
        record = PlannedRecord("site", obj["id"], values)
        self.sites[obj["id"]] = record
        self.plan.records.append(record)

    def relationship(self, obj: dict[str, Any]) -> None:
        source, target = obj.get("source_ref"), obj.get("target_ref")
        kind = obj.get("relationship_type")
        if self.admit(obj) is None:
            return
        source_target = self.targets.get(str(source))
        if kind in ("located-at", "originates-from") and source_target is not None:
            if str(target) in self.countries:
                if not source_target.values.get("country"):
                    source_target.values["country"] = self.countries[str(target)]
                self.plan.relationships += 1
                return
            site = self.sites.get(str(target))
            if site is not None:
                place = str(site.values["name"])
                held = str(source_target.values.get("location", ""))
                source_target.values["location"] = f"{held}; {place}" if held else place
                if not source_target.values.get("country"):
                    source_target.values["country"] = site.values["country"]
                self.plan.relationships += 1
                return
        wallet = self.wallets.get(str(source))
        if kind == "indicates" and wallet is not None and str(target) in self.targets:
            wallet.owner = str(target)
            self.plan.relationships += 1
            return
        ends = (source in self.targets or source in self.wallets or source in self.sites,
                target in self.targets or target in self.wallets or target in self.sites
                or target in self.countries)
        if not all(ends):
            self.skip(obj, f"{kind}: its source or target is not imported")
        else:
            self.skip(obj, f"{kind}: the operation has no place for this link between "
                           f"{str(source).split('--')[0]} and {str(target).split('--')[0]}")


def _is_group(obj: dict[str, Any]) -> bool:
    level = obj.get("resource_level")
    types = obj.get("threat_actor_types")
    return (obj.get("x_opencti_type") == "Threat-Actor-Group"
            or (isinstance(types, list) and "crime-syndicate" in types)
            or (isinstance(level, str) and level != "individual"))


def _strings(value: Any) -> list[str]:
    return [str(v).strip() for v in value if str(v).strip()] if isinstance(value, list) else []


def plan_import(ctx: AppContext, codename: str, path: Path | str,
                progress: Progress | None = None, cancel: Cancel | None = None,
                max_bytes: int = MAX_BYTES) -> StixPlan:
    """What importing ``path`` into ``codename`` would create and skip; writes nothing."""
    path = Path(path)
    with ctx.session() as session:
        op = find_operation(session, codename)
        plan = StixPlan(op.codename, path.name, allowed_level(session, op.id, ctx.agency_id))
        op_id = op.id
    objects = read_bundle(path, progress, cancel, max_bytes)
    plan.objects = len(objects)
    with ctx.session() as session:
        planner = _Planner(session, op_id, plan, marking_levels(objects))
    relationships: list[dict[str, Any]] = []
    total = max(len(objects), 1)
    for i, obj in enumerate(objects):
        if i % 64 == 0:
            _step(progress, cancel, 300 + 500 * i // total)
        planner.take(obj)
        if isinstance(obj, dict) and obj.get("type") == "relationship" \
                and isinstance(obj.get("id"), str):
            relationships.append(obj)
    for obj in relationships:
        planner.relationship(obj)
    _step(progress, cancel, 800)
    return plan


def import_stix(ctx: AppContext, codename: str, path: Path | str,
                progress: Progress | None = None, cancel: Cancel | None = None,
                plan: StixPlan | None = None, max_bytes: int = MAX_BYTES) -> StixImportReport:
    """Import the bundle in ``path`` into ``codename`` in one transaction (``plan``: the
    one shown in a preview, else made now). A cancelled import returns a report with
    ``cancelled`` set and has changed nothing."""
    path = Path(path)
    try:
        plan = plan or plan_import(ctx, codename, path, progress, cancel, max_bytes)
    except StixImportCancelledError:
        report = StixImportReport(StixPlan(codename, path.name, ""), cancelled=True)
        _audit(ctx, "stix import cancelled", codename, path)
        return report
    except KnownError as error:
        _audit(ctx, "stix import refused", codename, path, reason=str(error))
        raise
    report = StixImportReport(plan)
    try:
        with ctx.session() as session:
            op = find_operation(session, codename)
            _apply(session, ctx, op.id, report, progress, cancel)
            ctx.audit(session, "stix import", codename=plan.codename, file=path.name,
                      created=report.created, skipped=len(plan.skipped))
    except (RollbackSignal, StixImportCancelledError):
        report.cancelled = True
        report.created = {}
        report.change = Change()
        _audit(ctx, "stix import cancelled", plan.codename, path)
        return report
    if progress is not None:
        progress(PROGRESS_SCALE, PROGRESS_SCALE)
    return report


def _apply(session: Session, ctx: AppContext, op_id: str, report: StixImportReport,
           progress: Progress | None, cancel: Cancel | None) -> None:
    plan = report.plan
    made: dict[str, str] = {}  # STIX id -> record id
    created = {"target": 0, "site": 0, "wallet": 0}
    total = max(len(plan.records), 1)
    order = sorted(plan.records, key=lambda r: r.kind == "wallet")  # owners first
    held = dict(zip(("target", "wallet", "site"), _held(session, op_id), strict=True))
    for i, record in enumerate(order):
        if cancel is not None and cancel():
            raise RollbackSignal
        if _key(record) in held[record.kind]:  # written since the preview
            plan.skipped.append(Skipped(record.stix_id, record.stix_id.split("--")[0],
                                        str(record.values.get("name") or
                                            record.values.get("label", "")),
                                        "already in the operation (added since the preview)"))
            continue
        if progress is not None and i % 32 == 0:
            progress(800 + 200 * i // total, PROGRESS_SCALE)
        if record.kind in ("target", "site"):
            made[record.stix_id] = add_record_in(session, ctx, record.kind, op_id,
                                                 dict(record.values))
            report.change.add("created", record.kind, made[record.stix_id])
            created[record.kind] += 1
            continue
        owner = made.get(record.owner)
        if owner is None:
            values = record.values
            owner = add_record_in(session, ctx, "target", op_id, {
                "kind": "wallet", "name": values["label"], "tlp": values["tlp"],
                "location": f"{values['chain']}: {values['address']}"})
            report.change.add("created", "target", owner)
            created["target"] += 1
        wallet = Wallet(owner_agency_id=ctx.agency_id, operation_id=op_id)
        stamp_write(wallet, {**record.values, "target_id": owner}, ctx.clock)
        session.add(wallet)
        session.flush()
        report.change.add("created", "wallet", wallet.id)
        created["wallet"] += 1
    if cancel is not None and cancel():
        raise RollbackSignal
    report.created = created


def _audit(ctx: AppContext, action: str, codename: str, path: Path, **detail: object) -> None:
    with ctx.session() as session:
        ctx.audit(session, action, codename=codename, file=path.name, **detail)
