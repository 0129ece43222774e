"""Turns every local write to shared records into signed changesets, in the same
transaction, so nothing changes the store behind the exchange's back.

A listener on the session's ``before_flush`` notes which shareable records are new and
which fields changed, however they were changed. When the transaction ends, ``seal``
groups the writes by operation and marking (one changeset per distribution), stamps
each written field with the changeset's (HLC, agency, device), signs, and stores the
changesets beside the records.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.core.hlc import HybridClock
from app.models.base import Shareable, new_id
from app.models.records import SHAREABLE_KINDS
from app.models.sync_records import ChangesetRecord
from app.sync import changeset as cs
from app.sync.keys import LocalIdentity

KIND_OF: dict[type[Any], str] = {model: kind for kind, model in SHAREABLE_KINDS.items()}
BOOKKEEPING = {"stamps", "updated"}
RECORDING = "jointops.recording"


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def column_names(record: Shareable) -> list[str]:
    return [attr.key for attr in inspect(type(record)).column_attrs
            if attr.key not in BOOKKEEPING and attr.key != "id"]


def next_seq(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(ChangesetRecord.seq), 0))) or 0) + 1


def knowledge(session: Session) -> dict[str, str]:
    """Device id -> highest HLC applied from it: what this store has seen."""
    rows = session.execute(select(ChangesetRecord.device_id, func.max(ChangesetRecord.hlc))
                           .where(ChangesetRecord.status == "applied")
                           .group_by(ChangesetRecord.device_id))
    return {device: hlc for device, hlc in rows}


class Recorder:
    def __init__(self, session: Session, me: LocalIdentity, clock: HybridClock) -> None:
        self.session = session
        self.me = me
        self.clock = clock
        self.new: dict[tuple[str, str], Shareable] = {}
        self.fields: dict[tuple[str, str], tuple[Shareable, set[str]]] = {}
        session.info[RECORDING] = True
        event.listen(session, "before_flush", self._before_flush)

    def _before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        if not session.info.get(RECORDING, False):
            return
        for obj in session.new:
            kind = KIND_OF.get(type(obj))
            if kind is not None:
                if obj.id is None:  # the column default would only come at INSERT
                    obj.id = new_id()
                self.new[(kind, obj.id)] = obj
        for obj in session.dirty:
            kind = KIND_OF.get(type(obj))
            if kind is None or (kind, obj.id) in self.new:
                continue
            state = inspect(obj)
            changed = {attr.key for attr in state.attrs
                       if attr.key not in BOOKKEEPING and attr.history.has_changes()
                       and list(attr.history.added) != list(attr.history.deleted)}
            if changed:
                _, known = self.fields.setdefault((kind, obj.id), (obj, set()))
                known.update(changed)

    def seal(self) -> list[str]:
        """Write the changesets for this transaction; returns their ids."""
        session = self.session
        session.flush()
        session.info[RECORDING] = False
        try:
            return self._seal()
        finally:
            event.remove(session, "before_flush", self._before_flush)

    def _seal(self) -> list[str]:
        groups: dict[tuple[str | None, str], list[tuple[str, Shareable, list[str]]]] = {}
        for (kind, _), obj in self.new.items():
            groups.setdefault(self._distribution(obj), []).append(
                (kind, obj, column_names(obj)))
        for (kind, _), (obj, changed) in self.fields.items():
            groups.setdefault(self._distribution(obj), []).append((kind, obj, sorted(changed)))
        if not groups:
            return []
        seen = knowledge(self.session)
        seq = next_seq(self.session)
        ids = []
        for (operation_id, level), writes in sorted(groups.items(),
                                                    key=lambda g: (g[0][0] or "", g[0][1])):
            hlc = self.clock.tick().encode()
            draft = cs.Changeset(self.me.device_id, self.me.agency_id, hlc, operation_id, level,
                                 (), seen,
                                 tuple(cs.Op(kind, obj.id, {n: to_json_value(getattr(obj, n))
                                                            for n in names})
                                       for kind, obj, names in writes))
            stamp = draft.stamp
            for _kind, obj, names in writes:
                stamps = dict(obj.stamps or {})
                stamps.update({n: stamp for n in names})
                obj.stamps = stamps
                obj.updated = max([stamp, *stamps.values()])
            signed = cs.sign(draft, self.me.sign_key)
            self.session.add(ChangesetRecord(
                id=signed.id, body=signed.body, signature=signed.signature,
                device_id=self.me.device_id, agency_id=self.me.agency_id, hlc=hlc,
                operation_id=operation_id, tlp=level, red_to=[], status="applied", seq=seq))
            seq += 1
            ids.append(signed.id)
        self.session.flush()
        return ids

    @staticmethod
    def _distribution(obj: Shareable) -> tuple[str | None, str]:
        return (getattr(obj, "operation_id", None), obj.tlp or "AMBER")
