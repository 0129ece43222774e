"""Applying received changesets: authority, per-field last-writer-wins, conflicts.

Per field, the write with the higher stamp (HLC, agency, device) wins, whatever order
changesets arrive in, so two stores that applied the same set hold the same data. When
an incoming write and the one held are concurrent (neither author had seen the other's,
by their knowledge vectors) and differ, the winner stays and the loser is kept as a
Conflict for a person to resolve. Nothing is dropped silently.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.hlc import HybridClock, Stamp
from app.models.base import UtcDateTime
from app.models.records import SHAREABLE_KINDS, Action, Conflict, Participant
from app.models.sync_records import ChangesetRecord
from app.sync import changeset as cs
from app.sync.recorder import ACTION_REPORT_FIELDS, BOOKKEEPING, RECORDING, next_seq

MAX_SKEW_MS = 10 * 60 * 1000  # stamps further ahead of our clock are quarantined
# Creation order, so that a record arrives after what it refers to within a changeset.
KIND_ORDER = ("agency", "jurisdiction", "instrument", "operation", "participant", "target",
              "site", "wallet", "action", "transfer", "freeze_request", "note")

KeyLookup = Callable[[str, str, str], Ed25519PublicKey]
"""(agency id, device id, hlc) -> the device's key; raises RefusedError (revoked, not a
device of that agency) or PendingError (an agency whose roster is not trusted yet)."""


@dataclass
class MergeReport:
    applied: int = 0
    duplicates: int = 0
    pending: int = 0
    quarantined: int = 0
    conflicts: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (changeset id, reason)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], kind: str) -> None:
        bucket[kind] = bucket.get(kind, 0) + 1


class RefusedError(Exception):
    """A changeset that must not be applied, with the reason to report."""


class PendingError(Exception):
    """A changeset that waits for a record it changes to arrive."""


def _column_types(model: type[Any]) -> dict[str, Any]:
    return {c.key: c.type for c in model.__table__.columns}


def from_json_value(column_type: Any, value: Any) -> Any:
    if isinstance(column_type, UtcDateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


class Merger:
    def __init__(self, session: Session, local_agency_id: str, clock: HybridClock,
                 keys: KeyLookup, now_ms: int) -> None:
        self.session = session
        self.local_agency_id = local_agency_id
        self.clock = clock
        self.keys = keys
        self.now_ms = now_ms
        self.report = MergeReport()
        self._knowledge_cache: dict[str, dict[str, str]] = {}
        self._seq = next_seq(session)

    # ---- entry point ---------------------------------------------------------------

    def apply(self, signed: cs.SignedChangeset) -> str:
        """Apply one changeset; returns its status (applied, duplicate, pending, ...)."""
        held = self.session.get(ChangesetRecord, signed.id)
        if held is not None and held.status in ("applied", "refused"):
            self.report.duplicates += 1
            return "duplicate"
        try:
            change = signed.changeset()
        except cs.ChangesetError as error:
            return self._refuse(signed, None, str(error))
        try:
            key = self.keys(change.agency_id, change.device_id, change.hlc)
        except RefusedError as error:
            return self._refuse(signed, change, str(error), held)
        except PendingError as error:
            self._keep(signed, change, held, "pending", str(error))
            self.report.pending += 1
            return "pending"
        try:
            cs.verify_signature(signed, key)
        except cs.ChangesetError as error:
            return self._refuse(signed, change, str(error))
        if Stamp.decode(change.hlc).wall_ms > self.now_ms + MAX_SKEW_MS:
            self._keep(signed, change, held, "quarantined",
                       "stamped more than ten minutes ahead of this machine's clock")
            self.report.quarantined += 1
            return "quarantined"
        savepoint = self.session.begin_nested()
        try:
            self._apply_ops(change)
        except RefusedError as error:
            savepoint.rollback()
            return self._refuse(signed, change, str(error), held)
        except PendingError as error:
            savepoint.rollback()
            self._keep(signed, change, held, "pending", str(error))
            self.report.pending += 1
            return "pending"
        savepoint.commit()
        self._keep(signed, change, held, "applied", "")
        self.clock.observe(Stamp.decode(change.hlc))
        self.report.applied += 1
        return "applied"

    def retry_pending(self) -> None:
        """Apply held changesets whose missing records have now arrived, until none do."""
        while True:
            rows = self.session.scalars(select(ChangesetRecord).where(
                ChangesetRecord.status == "pending").order_by(ChangesetRecord.hlc)).all()
            progress = False
            for row in rows:
                before = self.report.applied
                signed = cs.SignedChangeset(row.id, row.body, row.signature)
                row.status = "retrying"
                self.session.flush()
                if self.apply(signed) == "applied" and self.report.applied > before:
                    progress = True
            if not progress:
                self.report.pending = len(self.session.scalars(select(ChangesetRecord.id).where(
                    ChangesetRecord.status == "pending")).all())
                return

    # ---- bookkeeping ---------------------------------------------------------------

    def _keep(self, signed: cs.SignedChangeset, change: cs.Changeset | None,
              held: ChangesetRecord | None, status: str, reason: str) -> None:
        row = held or self.session.get(ChangesetRecord, signed.id)
        if row is None:
            row = ChangesetRecord(
                id=signed.id, body=signed.body, signature=signed.signature,
                device_id=change.device_id if change else "",
                agency_id=change.agency_id if change else "",
                hlc=change.hlc if change else "", operation_id=change.operation_id if change
                else None, tlp=change.tlp if change else "", red_to=list(change.red_to)
                if change else [], seq=self._seq)
            self._seq += 1
            self.session.add(row)
        row.status, row.reason = status, reason
        self.session.flush()

    def _refuse(self, signed: cs.SignedChangeset, change: cs.Changeset | None, reason: str,
                held: ChangesetRecord | None = None) -> str:
        self._keep(signed, change, held, "refused", reason)
        self.report.refused.append((signed.id, reason))
        return "refused"

    def _knowledge_of(self, stamp: str) -> dict[str, str]:
        """The knowledge vector of the changeset that wrote ``stamp``."""
        if stamp not in self._knowledge_cache:
            hlc, _agency, device = stamp.split("/")
            row = self.session.scalars(select(ChangesetRecord).where(
                ChangesetRecord.device_id == device, ChangesetRecord.hlc == hlc)).first()
            self._knowledge_cache[stamp] = (cs.Changeset.from_body(row.body).knowledge
                                            if row is not None else {})
        return self._knowledge_cache[stamp]

    # ---- ops -----------------------------------------------------------------------

    def _apply_ops(self, change: cs.Changeset) -> None:
        self.session.info[RECORDING] = False
        ops = sorted(change.ops, key=lambda op: KIND_ORDER.index(op.kind)
                     if op.kind in KIND_ORDER else len(KIND_ORDER))
        for op in ops:
            model = SHAREABLE_KINDS.get(op.kind)
            if model is None:
                raise RefusedError(f"unknown record kind {op.kind!r}")
            types = _column_types(model)
            unknown = set(op.values) - set(types) - BOOKKEEPING
            if unknown or BOOKKEEPING & set(op.values):
                raise RefusedError(f"unknown fields {', '.join(sorted(unknown))} in a {op.kind}")
            record = self.session.get(model, op.id)
            if record is None:
                self._create(change, model, op, types)
            else:
                self._update(change, record, op, types)

    def _authorised_creator(self, change: cs.Changeset, op: cs.Op) -> None:
        owner = op.values.get("owner_agency_id")
        if owner != change.agency_id:
            raise RefusedError(f"a device of agency {change.agency_id} may not create a "
                          f"{op.kind} owned by {owner}")
        if op.kind == "agency" and op.id != change.agency_id:
            # An agency may record what it knows of others (e.g. a partner named in a
            # plan) only as its own record; that is what the owner check above ensures.
            return

    def _create(self, change: cs.Changeset, model: type[Any], op: cs.Op,
                types: dict[str, Any]) -> None:
        if "owner_agency_id" not in op.values:
            raise PendingError(f"waits for the {op.kind} {op.id} it changes")
        self._authorised_creator(change, op)
        record = model(id=op.id)
        for name, value in op.values.items():
            setattr(record, name, from_json_value(types[name], value))
        record.stamps = {name: change.stamp for name in op.values}
        record.updated = change.stamp
        self.session.add(record)
        self.session.flush()
        self.report.count(self.report.created, op.kind)

    def _check_authority(self, change: cs.Changeset, record: Any, op: cs.Op) -> None:
        owner = record.owner_agency_id
        if owner == change.agency_id:
            return
        if (isinstance(record, Action) and record.agency_id == change.agency_id
                and set(op.values) <= ACTION_REPORT_FIELDS):
            return  # the assigned agency reports on its own action
        if owner is None:
            raise RefusedError(f"shipped reference {op.kind} {op.id} cannot be changed; an "
                          "agency records its correction as a record of its own")
        raise RefusedError(f"agency {change.agency_id} has no authority over {op.kind} {op.id} "
                      f"owned by {owner}")

    def _update(self, change: cs.Changeset, record: Any, op: cs.Op,
                types: dict[str, Any]) -> None:
        self._check_authority(change, record, op)
        stamps = dict(record.stamps or {})
        incoming = change.stamp
        changed = False
        for name, value in op.values.items():
            value = from_json_value(types[name], value)
            held_stamp = stamps.get(name, "")
            current = getattr(record, name)
            if incoming == held_stamp:
                continue  # the same write, seen again
            concurrent = held_stamp and self._concurrent(change, held_stamp)
            if incoming > held_stamp:
                if concurrent and current != value:
                    self._conflict(op, name, (value, incoming), (current, held_stamp))
                setattr(record, name, value)
                stamps[name] = incoming
                changed = True
            elif concurrent and current != value:
                self._conflict(op, name, (current, held_stamp), (value, incoming))
        if changed:
            record.stamps = stamps
            record.updated = max(stamps.values())
            self.report.count(self.report.updated, op.kind)

    def _concurrent(self, change: cs.Changeset, held_stamp: str) -> bool:
        if held_stamp.count("/") != 2:
            return False  # a local write that never travelled (a record made from a roster)
        hlc, _agency, device = held_stamp.split("/")
        if device == change.device_id:
            return False
        incoming_saw_held = change.knowledge.get(device, "") >= hlc
        held_saw_incoming = self._knowledge_of(held_stamp).get(change.device_id, "") >= \
            change.hlc
        return not incoming_saw_held and not held_saw_incoming

    def _conflict(self, op: cs.Op, name: str, winner: tuple[Any, str],
                  loser: tuple[Any, str]) -> None:
        def side(value: Any, stamp: str) -> dict[str, Any]:
            return {"value": value.isoformat() if isinstance(value, datetime) else value,
                    "stamp": stamp, "agency": stamp.split("/")[1]}

        self.session.add(Conflict(record_kind=op.kind, record_id=op.id, field=name,
                                  winner=side(*winner), loser=side(*loser)))
        self.report.conflicts += 1


def participants(session: Session, operation_id: str) -> set[str]:
    return set(session.scalars(select(Participant.agency_id).where(
        Participant.operation_id == operation_id, Participant.deleted.is_(False))))
