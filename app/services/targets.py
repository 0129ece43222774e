"""Targets, the sites where they are, and the actions planned against them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.core import placement
from app.core.errors import NotFoundError, ValidationError
from app.models.base import reference_id
from app.models.records import (
    ACTION_STATUSES,
    Action,
    Agency,
    Jurisdiction,
    Setting,
    Site,
    Target,
)
from app.models.store import read_setting, write_setting
from app.services.changes import Change, stamp_write
from app.services.context import AppContext

TARGET_COLUMNS = ("Name", "Kind", "Country", "Sites", "Actions", "TLP", "Grading")


@dataclass(frozen=True)
class TargetRow:
    """One line of the targets table; plain values so item models copy nothing else."""

    id: str
    name: str
    kind: str
    country: str
    sites: int
    actions: int
    tlp: str
    grading: str

    def values(self) -> tuple[str, str, str, int, int, str, str]:
        return (self.name, self.kind, self.country, self.sites, self.actions, self.tlp,
                self.grading)


@dataclass(frozen=True)
class ActionInfo:
    id: str
    kind: str
    site_id: str | None
    site: str
    country: str
    zone: str
    lat: float | None
    lon: float | None
    offset_min: int
    agency_id: str | None
    agency: str
    status: str
    tlp: str


@dataclass(frozen=True)
class TargetDetail:
    id: str
    operation_id: str
    kind: str
    name: str
    aliases: list[str]
    nationality: list[str]
    country: str
    location: str
    grading: str
    notes: str
    tlp: str
    actions: list[ActionInfo] = field(default_factory=list)


@dataclass(frozen=True)
class SiteInfo:
    id: str
    name: str
    address: str
    country: str
    zone: str
    lat: float | None
    lon: float | None
    jurisdiction: str


def target_rows(ctx: AppContext, op_id: str, offset: int = 0,
                limit: int | None = None) -> list[TargetRow]:
    """Targets of an operation in name order, a page at a time when ``limit`` is set."""
    with ctx.session() as session:
        return target_rows_in(session, op_id, offset, limit)


def target_rows_in(session: Session, op_id: str, offset: int = 0,
                   limit: int | None = None) -> list[TargetRow]:
    live = Action.deleted.is_(False)
    per_target = (select(Action.target_id, func.count(Action.id).label("n"),
                         func.count(func.distinct(Action.site_id)).label("s"))
                  .where(Action.operation_id == op_id, live)
                  .group_by(Action.target_id).subquery())
    query = (select(Target.id, Target.name, Target.kind, Target.country,
                    func.coalesce(per_target.c.s, 0), func.coalesce(per_target.c.n, 0),
                    Target.tlp, Target.grading)
             .outerjoin(per_target, per_target.c.target_id == Target.id)
             .where(Target.operation_id == op_id, Target.deleted.is_(False))
             .order_by(Target.name, Target.id).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [TargetRow(*row) for row in session.execute(query)]


def count_targets(ctx: AppContext, op_id: str) -> int:
    with ctx.session() as session:
        return int(session.scalar(select(func.count(Target.id)).where(
            Target.operation_id == op_id, Target.deleted.is_(False))) or 0)


def _get(session: Session, model: type[Any], record_id: str, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None or record.deleted:
        raise NotFoundError(f"The {what} was not found; it may have been deleted.")
    return record


def target_detail(ctx: AppContext, target_id: str) -> TargetDetail:
    with ctx.session() as session:
        t: Target = _get(session, Target, target_id, "target")
        site = aliased(Site)
        rows = session.execute(
            select(Action, site, Agency.name)
            .outerjoin(site, site.id == Action.site_id)
            .outerjoin(Agency, Agency.id == Action.agency_id)
            .where(Action.target_id == t.id, Action.deleted.is_(False))
            .order_by(Action.offset_min, Action.kind)).all()
        actions = [ActionInfo(a.id, a.kind, a.site_id, s.name if s else "",
                              s.country if s else "", s.zone if s else "",
                              s.lat if s else None, s.lon if s else None, a.offset_min,
                              a.agency_id, agency or "", a.status, a.tlp)
                   for a, s, agency in rows]
        return TargetDetail(t.id, t.operation_id or "", t.kind, t.name, list(t.aliases),
                            list(t.nationality), t.country, t.location, t.grading, t.notes,
                            t.tlp, actions)


def sites_of(ctx: AppContext, op_id: str) -> list[SiteInfo]:
    with ctx.session() as session:
        rows = session.execute(
            select(Site, Jurisdiction.name).outerjoin(Jurisdiction,
                                                      Jurisdiction.id == Site.jurisdiction_id)
            .where(Site.operation_id == op_id, Site.deleted.is_(False))
            .order_by(Site.country, Site.name)).all()
        return [SiteInfo(s.id, s.name, s.address, s.country, s.zone, s.lat, s.lon, j or "")
                for s, j in rows]


# ---- checks ----------------------------------------------------------------------------


def _checked(check: Any, value: str) -> Any:
    try:
        return check(value)
    except ValueError as error:
        reason = str(error)  # str.capitalize() would lower-case codes and zone names
        raise ValidationError(reason[:1].upper() + reason[1:] + ".") from None


def target_values(kind: str, name: str, country: str = "", tlp: str = "AMBER",
                  **extra: Any) -> dict[str, Any]:
    if not name.strip():
        raise ValidationError("The target needs a name.")
    values: dict[str, Any] = {"kind": _checked(placement.check_target_kind, kind),
                              "name": name.strip(),
                              "country": _checked(placement.check_country, country)
                              if country.strip() else "",
                              "tlp": _checked(placement.check_tlp, tlp)}
    if "nationality" in extra:
        extra["nationality"] = [_checked(placement.check_country, c)
                                for c in extra["nationality"] if c.strip()]
    if "grading" in extra:
        grading = str(extra["grading"]).strip().upper()
        if grading and (len(grading) != 2 or grading[0] not in "ABCDEF"
                        or grading[1] not in "123456"):
            raise ValidationError("Grading is a source letter A-F and an information digit "
                                  "1-6, such as B2.")
        extra["grading"] = grading
    values.update(extra)
    return values


def site_values(name: str, country: str, zone: str = "", lat: str = "", lon: str = "",
                address: str = "", tlp: str = "AMBER") -> dict[str, Any]:
    if not name.strip():
        raise ValidationError("The site needs a name.")
    cc = _checked(placement.check_country, country)
    return {"name": name.strip(), "country": cc,
            "zone": _checked(lambda z: placement.check_zone(cc, z), zone),
            "lat": _checked(placement.check_latitude, lat),
            "lon": _checked(placement.check_longitude, lon),
            "address": address.strip(), "jurisdiction_id": reference_id("jurisdiction", cc),
            "tlp": _checked(placement.check_tlp, tlp)}


def action_values(kind: str, target_id: str, site_id: str | None, agency_id: str | None,
                  offset_min: int | str = 0, tlp: str = "AMBER",
                  status: str = "planned") -> dict[str, Any]:
    if status not in ACTION_STATUSES:
        raise ValidationError(f"Unknown action status {status!r}.")
    offset = offset_min if isinstance(offset_min, int) else _checked(placement.check_offset,
                                                                     offset_min)
    return {"kind": _checked(placement.check_action_kind, kind), "target_id": target_id,
            "site_id": site_id, "agency_id": agency_id, "offset_min": offset,
            "tlp": _checked(placement.check_tlp, tlp), "status": status}


# ---- writes ----------------------------------------------------------------------------

KINDS: dict[str, type[Any]] = {"target": Target, "site": Site, "action": Action}


def add_record(ctx: AppContext, kind: str, op_id: str, values: dict[str, Any]) -> tuple[str,
                                                                                          Change]:
    with ctx.session() as session:
        record_id = add_record_in(session, ctx, kind, op_id, values)
    change = Change()
    change.add("created", kind, record_id)
    return record_id, change


def add_record_in(session: Session, ctx: AppContext, kind: str, op_id: str,
                  values: dict[str, Any]) -> str:
    record: Any = KINDS[kind](owner_agency_id=ctx.agency_id, operation_id=op_id)
    stamp_write(record, values, ctx.clock)
    session.add(record)
    session.flush()
    return str(record.id)


def update_record(ctx: AppContext, kind: str, record_id: str,
                  values: dict[str, Any]) -> Change:
    change = Change()
    with ctx.session() as session:
        record = _get(session, KINDS[kind], record_id, kind)
        if stamp_write(record, values, ctx.clock):
            change.add("updated", kind, record_id)
    return change


def record_values(ctx: AppContext, kind: str, record_id: str,
                  fields: list[str]) -> dict[str, Any]:
    """The current values of ``fields``, so an edit can be undone."""
    with ctx.session() as session:
        record = session.get(KINDS[kind], record_id)
        if record is None:
            raise NotFoundError(f"The {kind} was not found.")
        return {f: getattr(record, f) for f in fields}


def set_deleted(ctx: AppContext, kind: str, record_id: str, deleted: bool) -> Change:
    """Delete (tombstone) or bring back a record; a target or site takes its actions with it.

    Undoing a delete brings back exactly the actions that delete removed. Which ones is
    kept as a local setting: stamps cannot tell, since actions of other markings travel
    in other changesets with other stamps.
    """
    change = Change()
    bucket = "deleted" if deleted else "created"
    with ctx.session() as session:
        record: Any = session.get(KINDS[kind], record_id)
        if record is None:
            raise NotFoundError(f"The {kind} was not found.")
        was_deleted = bool(record.deleted)
        stamp_write(record, {"deleted": deleted}, ctx.clock)
        change.add(bucket, kind, record_id)
        if kind in ("target", "site") and was_deleted != deleted:
            column = Action.target_id if kind == "target" else Action.site_id
            key = f"cascade:{record_id}"
            query = select(Action).where(column == record_id, Action.deleted.is_(not deleted))
            if not deleted:
                taken = json.loads(read_setting(session, key) or "[]")
                query = query.where(Action.id.in_(taken))
            actions = list(session.scalars(query))
            for action in actions:
                stamp_write(action, {"deleted": deleted}, ctx.clock)
                change.add(bucket, "action", action.id)
            if deleted:
                write_setting(session, key, json.dumps([a.id for a in actions]))
            else:
                setting = session.get(Setting, key)
                if setting is not None:
                    session.delete(setting)
    return change
