"""The briefing pack: what one participating agency needs to act at H-hour.

Each agency gets the operation order with H-hour in its own clock, its own actions in
local time at their sites, the other agencies' 24/7 contacts, and only the targets it
may see under the sharing rules (participation, TLP ceiling, RED addressees).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.core import tlp
from app.core.countries import country
from app.core.errors import NotFoundError
from app.core.releasability import releasable
from app.core.timing import offset_text
from app.models.records import Action, Agency, Participant, Target
from app.services.context import AppContext, find_agency
from app.services.operations import find_operation
from app.services.timing import ActionTime, plan_timing


@dataclass(frozen=True)
class Contact:
    agency: str
    country: str
    role: str
    contact_24_7: str


@dataclass(frozen=True)
class VisibleTarget:
    name: str
    kind: str
    country: str
    tlp: str


@dataclass(frozen=True)
class Briefing:
    codename: str
    description: str
    status: str
    lead_agency: str
    agency: str
    agency_zone: str
    h_hour_utc: datetime | None
    h_hour_local: datetime | None
    actions: list[ActionTime]
    contacts: list[Contact]
    targets: list[VisibleTarget]
    withheld: int  # targets of the operation this agency may not see
    marking: str  # the highest TLP of what the pack contains
    prepared_by: str
    prepared_at: datetime

    @property
    def h_hour_local_text(self) -> str:
        if self.h_hour_local is None:
            return "not set"
        return (f"{self.h_hour_local:%Y-%m-%d %H:%M} ({self.agency_zone}, UTC"
                f"{offset_text(self.h_hour_local)})")


def agency_zone(agency: Agency) -> str:
    if agency.zone:
        return agency.zone
    found = country(agency.country)
    return found.zones[0] if found and found.zones else "UTC"


def build_briefing(ctx: AppContext, codename: str, agency_ref: str) -> Briefing:
    timing_report = plan_timing(ctx, codename)
    with ctx.session() as session:
        op = find_operation(session, codename)
        agency = find_agency(session, agency_ref)
        if agency is None:
            raise NotFoundError(f"There is no agency {agency_ref!r} in this store.")
        rows = session.execute(
            select(Participant, Agency).join(Agency, Agency.id == Participant.agency_id)
            .where(Participant.operation_id == op.id, Participant.deleted.is_(False))).all()
        ceilings = {p.agency_id: p.tlp_ceiling for p, _ in rows}
        if agency.id not in ceilings:
            raise NotFoundError(f"{agency.name} does not take part in operation "
                                f"{op.codename}.")
        ceiling = "RED" if agency.id == ctx.agency_id else ceilings[agency.id]
        contacts = [Contact(a.name, a.country, p.role, a.contact_24_7 or "not recorded")
                    for p, a in sorted(rows, key=lambda r: (r[0].role != "lead", r[1].name))
                    if a.id != agency.id]
        visible: list[VisibleTarget] = []
        withheld = 0
        for t in session.scalars(select(Target).where(Target.operation_id == op.id,
                                                      Target.deleted.is_(False))
                                 .order_by(Target.country, Target.name)):
            if releasable(t.tlp, t.owner_agency_id, agency.id, ceilings, ceiling).allowed:
                visible.append(VisibleTarget(t.name, t.kind, t.country, t.tlp))
            else:
                withheld += 1
        lead = session.get(Agency, op.lead_agency_id)
        zone = agency_zone(agency)
        own = set(session.scalars(select(Action.id).where(Action.operation_id == op.id,
                                                          Action.agency_id == agency.id,
                                                          Action.deleted.is_(False))))
        result_agency, result_lead = agency.name, lead.name if lead else "?"
    local = timing_report.h_hour.astimezone(ZoneInfo(zone)) if timing_report.h_hour else None
    levels = [t.tlp for t in visible] or ["GREEN"]
    marking = max(levels, key=tlp.rank)
    return Briefing(op.codename, op.description, op.status, result_lead, result_agency, zone,
                    timing_report.h_hour, local,
                    [a for a in timing_report.actions if a.id in own], contacts, visible,
                    withheld, marking, ctx.agency_name, datetime.now(UTC))
