"""Sites of an operation as the sites list shows them: where they are, how many actions
take place there, and whose record each one is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import NotFoundError
from app.models.records import SITE_STATUSES as STATUS_NAMES
from app.models.records import Action, Agency, Site, Target
from app.services.changes import Change
from app.services.context import AppContext

SITE_COLUMNS = ("Site", "Country", "Time zone", "Actions", "TLP", "Owner")
# What became of a site (planned, searched, shut down, not found), for the site form.
SITE_STATUSES: tuple[str, ...] = STATUS_NAMES


@dataclass(frozen=True)
class SiteRow:
    """One line of the sites list; plain values so item models copy nothing else."""

    id: str
    name: str
    country: str
    zone: str
    actions: int
    tlp: str
    owner: str  # the owning agency's name
    owner_agency_id: str | None
    address: str
    lat: float | None
    lon: float | None
    status: str = "planned"

    def values(self) -> tuple[str, str, str, int, str, str]:
        return (self.name, self.country, self.zone, self.actions, self.tlp, self.owner)


@dataclass(frozen=True)
class SiteAction:
    """An action at a site, as the site's form lists it."""

    id: str
    kind: str
    target_id: str
    target: str
    offset_min: int
    agency: str
    status: str


def _rows(session: Session, op_id: str, ids: list[str] | None = None) -> list[SiteRow]:
    counted = select(Action.site_id, func.count(Action.id).label("n")).where(
        Action.deleted.is_(False))
    # A few sites: by the site index (an action is in its site's operation anyway).
    counted = (counted.where(Action.site_id.in_(ids)) if ids is not None else
               counted.where(Action.operation_id == op_id, Action.site_id.is_not(None)))
    per_site = counted.group_by(Action.site_id).subquery()
    query = (select(Site.id, Site.name, Site.country, Site.zone,
                    func.coalesce(per_site.c.n, 0), Site.tlp,
                    func.coalesce(Agency.name, ""), Site.owner_agency_id, Site.address,
                    Site.lat, Site.lon, Site.status)
             .outerjoin(per_site, per_site.c.site_id == Site.id)
             .outerjoin(Agency, Agency.id == Site.owner_agency_id)
             .where(Site.operation_id == op_id, Site.deleted.is_(False))
             .order_by(Site.name, Site.id))
    if ids is not None:
        query = query.where(Site.id.in_(ids))
    return [SiteRow(*row) for row in session.execute(query)]


def site_rows(ctx: AppContext, op_id: str, ids: Iterable[str] | None = None) -> list[SiteRow]:
    """The live sites of an operation in name order, each with its live actions counted;
    only those of ``ids`` when given."""
    with ctx.session() as session:
        return _rows(session, op_id, None if ids is None else list(ids))


def site_row(ctx: AppContext, site_id: str) -> SiteRow:
    with ctx.session() as session:
        site = session.get(Site, site_id)
        if site is None or site.deleted:
            raise NotFoundError("The site was not found; it may have been deleted.")
        return _rows(session, site.operation_id or "", [site_id])[0]


def site_actions(ctx: AppContext, site_id: str) -> list[SiteAction]:
    """The live actions at a site, in the order they happen."""
    with ctx.session() as session:
        rows = session.execute(
            select(Action.id, Action.kind, Action.target_id,
                   func.coalesce(Target.name, ""), Action.offset_min,
                   func.coalesce(Agency.name, ""), Action.status)
            .outerjoin(Target, Target.id == Action.target_id)
            .outerjoin(Agency, Agency.id == Action.agency_id)
            .where(Action.site_id == site_id, Action.deleted.is_(False))
            .order_by(Action.offset_min, Action.kind, Action.id))
        return [SiteAction(*row) for row in rows]


def sites_touched(ctx: AppContext, change: Change) -> set[str] | None:
    """Sites whose row a change altered: those it names and those of the actions it
    created or deleted. None when it edited actions, which may have moved from a site
    that no longer says so: then any row may have changed."""
    if change.updated.get("action"):
        return None
    found = set(_ids(change, "site"))
    actions = _ids(change, "action")
    if actions:
        with ctx.session() as session:
            found |= {s for s in session.scalars(select(Action.site_id).where(
                Action.id.in_(actions))) if s}
    return found


def targets_touched(ctx: AppContext, change: Change) -> set[str]:
    """Targets whose row or detail shows what a change of sites altered: the targets of
    the actions it deleted or brought back with a site, and the targets with actions at
    the sites it edited (their detail names the site)."""
    sites = _ids(change, "site")
    if not sites:
        return set()
    actions = _ids(change, "action")
    with ctx.session() as session:
        found = set(session.scalars(select(Action.target_id).where(Action.id.in_(actions)))
                    ) if actions else set()
        found |= set(session.scalars(select(Action.target_id).where(
            Action.site_id.in_(sites), Action.deleted.is_(False))))
    return found


def _ids(change: Change, kind: str) -> list[str]:
    buckets: Iterable[dict[str, list[str]]] = (change.created, change.updated,
                                               change.deleted)
    return sorted({i for bucket in buckets for i in bucket.get(kind, [])})
