"""Operations: create, list, overview, participants, and changes to their fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import KnownError, NotFoundError, ValidationError
from app.core.tlp import normalise as tlp_level
from app.models.base import new_id
from app.models.records import (
    OPERATION_STATUSES,
    PARTICIPANT_ROLES,
    Action,
    Agency,
    Operation,
    Participant,
    Site,
    Target,
)
from app.services.changes import Change, stamp_write
from app.services.context import AppContext


@dataclass(frozen=True)
class OperationSummary:
    id: str
    codename: str
    status: str
    lead_agency: str
    h_hour: datetime | None
    targets: int
    sites: int
    actions: int


@dataclass(frozen=True)
class ParticipantInfo:
    agency_id: str
    agency: str
    country: str
    role: str
    contact_24_7: str


@dataclass(frozen=True)
class OperationOverview:
    summary: OperationSummary
    description: str
    crime_types: list[str]
    participants: list[ParticipantInfo]


def find_operation(session: Session, codename_or_id: str) -> Operation:
    text = codename_or_id.strip()
    op = session.scalars(select(Operation).where(
        (Operation.codename == text) | (Operation.id == text),
        Operation.deleted.is_(False))).first()
    if op is None:
        raise NotFoundError(f"There is no operation {text!r} in this store.")
    return op


def _counts(session: Session, model: Any, op_ids: list[str] | None) -> dict[str, int]:
    query = select(model.operation_id, func.count()).where(model.deleted.is_(False))
    if op_ids is not None:
        query = query.where(model.operation_id.in_(op_ids))
    return {op: n for op, n in session.execute(query.group_by(model.operation_id))}


def _summaries(session: Session, ops: list[Operation]) -> list[OperationSummary]:
    ids = [op.id for op in ops]
    targets = _counts(session, Target, ids)
    sites = _counts(session, Site, ids)
    actions = _counts(session, Action, ids)
    names: dict[str, str] = {i: n for i, n in session.execute(select(Agency.id, Agency.name))}
    return [OperationSummary(op.id, op.codename, op.status, names.get(op.lead_agency_id, "?"),
                             op.h_hour, targets.get(op.id, 0), sites.get(op.id, 0),
                             actions.get(op.id, 0)) for op in ops]


def list_operations(ctx: AppContext) -> list[OperationSummary]:
    with ctx.session() as session:
        ops = list(session.scalars(select(Operation).where(Operation.deleted.is_(False))
                                   .order_by(Operation.codename)))
        return _summaries(session, ops)


def create_operation(ctx: AppContext, codename: str, description: str = "",
                     h_hour: datetime | None = None, tlp: str = "AMBER",
                     crime_types: list[str] | None = None) -> tuple[str, Change]:
    name = codename.strip()
    if not name:
        raise ValidationError("The operation needs a codename.")
    tlp = _checked({"tlp": tlp, "h_hour": h_hour})["tlp"]
    with ctx.session() as session:
        return create_operation_in(session, ctx, name, description, h_hour, tlp,
                                   crime_types or [])


def create_operation_in(session: Session, ctx: AppContext, codename: str,
                        description: str = "", h_hour: datetime | None = None,
                        tlp: str = "AMBER",
                        crime_types: list[str] | None = None) -> tuple[str, Change]:
    exists = session.scalars(select(Operation.id).where(Operation.codename == codename)).first()
    if exists is not None:
        raise KnownError(f"An operation named {codename!r} already exists.")
    op = Operation(id=new_id(), owner_agency_id=ctx.agency_id)
    op.operation_id = op.id  # an operation is in its own scope
    stamp_write(op, {"codename": codename, "lead_agency_id": ctx.agency_id,
                     "status": "planning", "h_hour": h_hour, "description": description,
                     "crime_types": crime_types or [], "tlp": tlp}, ctx.clock)
    session.add(op)
    session.flush()
    change = Change()
    change.add("created", "operation", op.id)
    change.merge(add_participant_in(session, ctx, op.id, ctx.agency_id, "lead"))
    ctx.audit(session, "operation created", codename=codename)
    return op.id, change


def add_participant(ctx: AppContext, op_id: str, agency_id: str,
                    role: str = "participant") -> Change:
    with ctx.session() as session:
        return add_participant_in(session, ctx, op_id, agency_id, role)


def add_participant_in(session: Session, ctx: AppContext, op_id: str, agency_id: str,
                       role: str = "participant") -> Change:
    if role not in PARTICIPANT_ROLES:
        raise ValidationError(f"Unknown role {role!r} (expected {', '.join(PARTICIPANT_ROLES)}).")
    if session.get(Agency, agency_id) is None:
        raise NotFoundError("That agency is not in this store; add it before making it a "
                            "participant.")
    change = Change()
    existing = session.scalars(select(Participant).where(
        Participant.operation_id == op_id, Participant.agency_id == agency_id)).first()
    if existing is not None:
        if existing.deleted:
            stamp_write(existing, {"deleted": False, "role": role}, ctx.clock)
            change.add("updated", "participant", existing.id)
        return change
    part = Participant(owner_agency_id=ctx.agency_id, operation_id=op_id)
    stamp_write(part, {"agency_id": agency_id, "role": role, "tlp": "GREEN"}, ctx.clock)
    session.add(part)
    session.flush()
    change.add("created", "participant", part.id)
    return change


def overview(ctx: AppContext, op_id: str) -> OperationOverview:
    with ctx.session() as session:
        op = find_operation(session, op_id)
        summary = _summaries(session, [op])[0]
        rows = session.execute(
            select(Agency, Participant.role).join(Participant, Participant.agency_id == Agency.id)
            .where(Participant.operation_id == op.id, Participant.deleted.is_(False))
            .order_by(Participant.role != "lead", Agency.name)).all()
        participants = [ParticipantInfo(a.id, a.name, a.country, role, a.contact_24_7)
                        for a, role in rows]
        return OperationOverview(summary, op.description, list(op.crime_types), participants)


_EDITABLE = {"codename", "status", "h_hour", "description", "crime_types", "tlp"}


def _checked(values: dict[str, Any]) -> dict[str, Any]:
    """Refuse what the database would choke on, as a sentence rather than a crash."""
    if "codename" in values:
        values["codename"] = str(values["codename"]).strip()
        if not values["codename"]:
            raise ValidationError("The operation needs a codename.")
    if "tlp" in values:
        try:
            values["tlp"] = tlp_level(values["tlp"])
        except ValueError as error:
            reason = str(error)
            raise ValidationError(reason[:1].upper() + reason[1:] + ".") from None
    h_hour = values.get("h_hour")
    if h_hour is not None and (not isinstance(h_hour, datetime) or h_hour.tzinfo is None):
        raise ValidationError("H-hour must be a UTC instant (a date and time with its zone).")
    return values


def update_operation(ctx: AppContext, op_id: str, **values: Any) -> Change:
    unknown = set(values) - _EDITABLE
    if unknown:
        raise ValidationError(f"Operation fields {', '.join(sorted(unknown))} cannot be set.")
    if "status" in values and values["status"] not in OPERATION_STATUSES:
        raise ValidationError(f"Unknown status {values['status']!r} (expected "
                              f"{', '.join(OPERATION_STATUSES)}).")
    values = _checked(values)
    with ctx.session() as session:
        op = find_operation(session, op_id)
        if values.get("codename", op.codename) != op.codename and session.scalars(
                select(Operation.id).where(Operation.codename == values["codename"])).first():
            raise KnownError(f"An operation named {values['codename']!r} already exists.")
        change = Change()
        if stamp_write(op, values, ctx.clock):
            change.add("updated", "operation", op.id)
        return change
