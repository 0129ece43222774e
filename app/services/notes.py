"""Notes: any participant may attach one to any record it can see; the note is its own."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from app.core import tlp as tlp_levels
from app.core.errors import ValidationError
from app.models.records import Agency, Note
from app.services.changes import Change, stamp_write
from app.services.context import AppContext


@dataclass(frozen=True)
class NoteInfo:
    id: str
    agency: str
    text: str
    tlp: str
    written: datetime | None


def add_note(ctx: AppContext, operation_id: str, record_kind: str, record_id: str, text: str,
             tlp: str = "AMBER") -> tuple[str, Change]:
    if not text.strip():
        raise ValidationError("The note is empty.")
    try:
        level = tlp_levels.normalise(tlp)
    except ValueError as error:
        raise ValidationError(str(error)[0].upper() + str(error)[1:] + ".") from None
    with ctx.session() as session:
        note = Note(owner_agency_id=ctx.agency_id, operation_id=operation_id)
        stamp_write(note, {"record_kind": record_kind, "record_id": record_id,
                           "text": text.strip(), "tlp": level}, ctx.clock)
        session.add(note)
        session.flush()
        change = Change()
        change.add("created", "note", note.id)
        return note.id, change


def notes_on(ctx: AppContext, record_id: str) -> list[NoteInfo]:
    with ctx.session() as session:
        rows = session.execute(select(Note, Agency.name)
                               .outerjoin(Agency, Agency.id == Note.owner_agency_id)
                               .where(Note.record_id == record_id, Note.deleted.is_(False))
                               .order_by(Note.updated)).all()
        return [NoteInfo(n.id, name or "", n.text, n.tlp, _written(n.updated))
                for n, name in rows]


def _written(stamp: str) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(stamp[:13]) / 1000, UTC)
    except ValueError:
        return None
