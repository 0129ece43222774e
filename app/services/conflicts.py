"""Conflicts: concurrent edits of one field. The winner stays; a person reviews the loser
and may pick it, which is itself a change that travels like any other."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from app.core.errors import KnownError, NotFoundError
from app.models.records import SHAREABLE_KINDS, Agency, Conflict
from app.services.changes import Change
from app.services.context import AppContext
from app.sync.merge import from_json_value


@dataclass(frozen=True)
class ConflictInfo:
    id: int
    record_kind: str
    record_id: str
    field: str
    winner: Any
    winner_agency: str
    loser: Any
    loser_agency: str
    detected_at: datetime
    resolved: bool
    can_choose: bool  # this agency owns the record, so its choice can be written


def list_conflicts(ctx: AppContext, include_resolved: bool = False) -> list[ConflictInfo]:
    with ctx.session() as session:
        names = {a: n for a, n in session.execute(select(Agency.id, Agency.name))}
        query = select(Conflict).order_by(Conflict.detected_at.desc())
        if not include_resolved:
            query = query.where(Conflict.resolved.is_(False))
        result = []
        for c in session.scalars(query):
            model = SHAREABLE_KINDS.get(c.record_kind)
            record = session.get(model, c.record_id) if model else None
            result.append(ConflictInfo(
                c.id, c.record_kind, c.record_id, c.field, c.winner.get("value"),
                names.get(c.winner.get("agency", ""), "?"), c.loser.get("value"),
                names.get(c.loser.get("agency", ""), "?"), c.detected_at, c.resolved,
                record is not None and record.owner_agency_id == ctx.agency_id))
        return result


def resolve_conflict(ctx: AppContext, conflict_id: int, keep: str) -> Change:
    """``keep``: "winner" (mark reviewed) or "loser" (write the losing value again, as a
    new edit by this agency, which then wins everywhere)."""
    change = Change()
    with ctx.session() as session:
        conflict = session.get(Conflict, conflict_id)
        if conflict is None:
            raise NotFoundError("That conflict was not found.")
        if keep == "loser":
            model: Any = SHAREABLE_KINDS[conflict.record_kind]
            record: Any = session.get(model, conflict.record_id)
            if record is None:
                raise NotFoundError("The record of that conflict is not in this store.")
            if record.owner_agency_id != ctx.agency_id:
                raise KnownError("Only the agency that owns the record can choose its value; "
                                 "add a note to ask it.")
            column = model.__table__.columns[conflict.field]
            setattr(record, conflict.field, from_json_value(column.type,
                                                            conflict.loser.get("value")))
            change.add("updated", conflict.record_kind, conflict.record_id)
        elif keep != "winner":
            raise KnownError("Choose to keep the winner or the loser.")
        conflict.resolved = True
        ctx.audit(session, "conflict resolved", record=conflict.record_id,
                  field=conflict.field, kept=keep)
    return change
