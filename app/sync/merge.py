"""Applying received changesets: authority, per-field last-writer-wins, conflicts.

Per field, the write with the higher stamp (HLC, agency, device) wins, whatever order
changesets arrive in, so two stores that applied the same set hold the same data. When
an incoming write and the one held are concurrent (neither author had seen the other's,
by their knowledge vectors) and differ, the winner stays and the loser is kept as a
Conflict for a person to resolve. Nothing is dropped silently.

A bundle's changesets are applied in one pass (``apply_all``): what they refer to is
read in a few queries, each changeset's ops are all checked before any is applied (so
a refused one leaves nothing behind, without a savepoint per changeset), and the new
records and changeset rows are written by bulk INSERTs at the end, not one by one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from app.core.hlc import HybridClock, Stamp
from app.models.base import UtcDateTime, utcnow
from app.models.records import SHAREABLE_KINDS, Action, Conflict, Participant
from app.models.sync_records import ChangesetRecord
from app.sync import changeset as cs
from app.sync.bulk_insert import insert_rows
from app.sync.recorder import ACTION_REPORT_FIELDS, BOOKKEEPING, RECORDING, _defaults, next_seq
from app.sync.signatures import Signatures

MAX_SKEW_MS = 10 * 60 * 1000  # stamps further ahead of our clock are quarantined
# Creation order, so that a record arrives after what it refers to within a changeset.
KIND_ORDER = ("agency", "jurisdiction", "instrument", "operation", "participant", "target",
              "site", "wallet", "action", "transfer", "freeze_request", "note")

_RANK = {kind: rank for rank, kind in enumerate(KIND_ORDER)}
IN_CHUNK = 500  # ids per IN (...) query when reading records ahead
# Ids per IN (...) query when asking only which are held: a first bundle holds none, and
# 200 queries of 500 cost more than their lookups (SQLite takes 32,766 parameters).
ID_CHUNK = 5000
CANCEL_EVERY = 1000  # changesets applied between two questions to cancel()
WRITE_EVERY = 10_000  # changesets applied between two writes of their rows
_NO_ONE: list[str] = []  # red_to of the changeset rows that name no agency

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


class MergeCancelledError(Exception):
    """The person cancelled; what the merge did is to be rolled back with its
    transaction."""


def _column_types(model: type[Any]) -> dict[str, Any]:
    return {c.key: c.type for c in model.__table__.columns}


@dataclass(frozen=True)
class _Shape:
    """What the merge needs of a record kind's columns, worked out once per kind."""

    model: type[Any]
    known: frozenset[str]  # the column keys
    instants: frozenset[str]  # UTC datetime columns: ISO text in a changeset
    # A new record's columns when not given (besides its id and stamps): None, a
    # constant default, or one made for each record (a list, a time).
    fixed: dict[str, Any]
    made: tuple[tuple[str, Callable[[], Any]], ...]

    def values(self, given: dict[str, Any]) -> dict[str, Any]:
        """An op's values as the columns hold them (as ``from_json_value`` gives them)."""
        if self.instants.isdisjoint(given):
            return given
        return {name: datetime.fromisoformat(value)
                if name in self.instants and isinstance(value, str) else value
                for name, value in given.items()}


_SHAPES: dict[str, _Shape] = {}


def _shape(kind: str) -> _Shape | None:
    if kind not in _SHAPES:
        model: type[Any] | None = SHAREABLE_KINDS.get(kind)
        if model is None:
            return None
        columns = model.__table__.columns
        makers = _defaults(model)
        new = [c.key for c in columns if c.key not in ("id", "stamps", "updated")]
        scalars = {key for key in makers
                   if getattr(columns[key].default, "is_scalar", False)}
        _SHAPES[kind] = _Shape(
            model, frozenset(c.key for c in columns),
            frozenset(c.key for c in columns if isinstance(c.type, UtcDateTime)),
            {key: makers[key]() if key in scalars else None for key in new
             if key in scalars or key not in makers},
            tuple((key, makers[key]) for key in new if key in makers and key not in scalars))
    return _SHAPES[kind]


class _Fresh:
    """A record created by this merge and not yet written: its row, read and changed
    through attributes as the merge reads and changes a mapped record."""

    __slots__ = ("_model", "_row")

    def __init__(self, model: type[Any], row: dict[str, Any]) -> None:
        object.__setattr__(self, "_model", model)
        object.__setattr__(self, "_row", row)

    def __getattr__(self, name: str) -> Any:
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self._row[name] = value


def _model_of(record: Any) -> type[Any]:
    return record._model if isinstance(record, _Fresh) else type(record)


def _chunks(items: Sequence[str], size: int = IN_CHUNK) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


@dataclass
class _Step:
    """One op of a changeset, checked: its model, the record it changes (None: it creates
    one) and its values as the columns hold them."""

    op: cs.Op
    shape: _Shape
    record: Any
    values: dict[str, Any]


def from_json_value(column_type: Any, value: Any) -> Any:
    if isinstance(column_type, UtcDateTime) and isinstance(value, str):
        return datetime.fromisoformat(value)
    return value


class Merger:
    def __init__(self, session: Session, local_agency_id: str, clock: HybridClock,
                 keys: KeyLookup, now_ms: int, received_from: str | None = None) -> None:
        self.session = session
        self.received_from = received_from  # the partner whose bundle this is, if any
        # One arrival time for the rows of one merge (one object: encoded once).
        self._received = utcnow()
        self.local_agency_id = local_agency_id
        self.clock = clock
        self.keys = keys
        self.now_ms = now_ms
        self.report = MergeReport()
        self._knowledge_cache: dict[str, dict[str, str]] = {}
        self._seq = next_seq(session)
        # Changeset id -> status held (None: not held), as far as read or written here.
        self._statuses: dict[str, str | None] = {}
        # (model, id) -> the record (mapped, or _Fresh), or None when it does not exist.
        self._records: dict[tuple[type[Any], str], Any] = {}
        self._fresh: list[_Fresh] = []  # new records, to INSERT
        self._new_rows: dict[str, dict[str, Any]] = {}  # new changeset rows, to INSERT
        self.inserted: set[str] = set()  # ids of the changeset rows this merge wrote
        self._new_stamps: dict[tuple[str, str], str] = {}  # (device, hlc) -> their id
        self._signatures: Signatures | None = None  # verdicts worked out ahead

    # ---- entry points --------------------------------------------------------------

    def apply(self, signed: cs.SignedChangeset) -> str:
        """Apply one changeset; returns its status (applied, duplicate, pending, ...)."""
        status = self._apply(signed, None)
        self.write()
        return status

    def apply_all(self, items: Sequence[cs.SignedChangeset],
                  cancel: Callable[[], bool] | None = None,
                  device_keys: Mapping[str, Ed25519PublicKey] | None = None) -> None:
        """Apply changesets in order, as ``apply`` one by one would, in one pass.

        With ``device_keys`` (device id -> signing key, of the rosters held), verifier
        processes check the signatures ahead (``Signatures``) from the start, while this
        one parses and merges. ``cancel()`` is asked every ``CANCEL_EVERY`` changesets;
        when it says so, MergeCancelledError is raised and the caller rolls the
        transaction back."""
        self._read_statuses(items)
        fresh = [s for s in items if self._statuses.get(s.id) not in ("applied", "refused")]
        with Signatures(fresh, device_keys or {}, process=device_keys is not None
                        ) as signatures:
            self._signatures = signatures
            try:
                parsed: list[cs.Changeset | cs.ChangesetError] = []
                for signed in items:
                    try:
                        parsed.append(signed.changeset())
                    except cs.ChangesetError as error:
                        parsed.append(error)
                self._read_records([p for p in parsed if isinstance(p, cs.Changeset)])
                for index, (signed, change) in enumerate(zip(items, parsed, strict=True)):
                    if cancel is not None and index % CANCEL_EVERY == 0 and cancel():
                        raise MergeCancelledError
                    if index % WRITE_EVERY == WRITE_EVERY - 1:
                        self._write_changesets()
                    self._apply(signed, change)
            finally:
                self._signatures = None
        self.write()

    def _apply(self, signed: cs.SignedChangeset,
               parsed: cs.Changeset | cs.ChangesetError | None) -> str:
        if self._status_of(signed.id) in ("applied", "refused"):
            self.report.duplicates += 1
            return "duplicate"
        if parsed is None:
            try:
                parsed = signed.changeset()
            except cs.ChangesetError as error:
                parsed = error
        if isinstance(parsed, cs.ChangesetError):
            return self._refuse(signed, None, str(parsed))
        change = parsed
        try:
            key = self.keys(change.agency_id, change.device_id, change.hlc)
        except RefusedError as error:
            return self._refuse(signed, change, str(error))
        except PendingError as error:
            self._keep(signed, change, "pending", str(error))
            self.report.pending += 1
            return "pending"
        verdict = (self._signatures.verdict(signed, change.device_id, key)
                   if self._signatures is not None else None)
        if verdict is None:
            try:
                cs.verify_signature(signed, key)
            except cs.ChangesetError as error:
                return self._refuse(signed, change, str(error))
        elif not verdict:
            return self._refuse(signed, change, cs.BAD_SIGNATURE)
        stamp = Stamp.decode(change.hlc)
        if stamp.wall_ms > self.now_ms + MAX_SKEW_MS:
            self._keep(signed, change, "quarantined",
                       "stamped more than ten minutes ahead of this machine's clock")
            self.report.quarantined += 1
            return "quarantined"
        self.session.info[RECORDING] = False
        try:
            steps = self._check_ops(change)
            if steps is None:
                self._apply_in_savepoint(change)
            else:
                self._apply_steps(change, steps)
        except RefusedError as error:
            return self._refuse(signed, change, str(error))
        except PendingError as error:
            self._keep(signed, change, "pending", str(error))
            self.report.pending += 1
            return "pending"
        self._keep(signed, change, "applied", "")
        self.clock.observe(stamp)
        self.report.applied += 1
        return "applied"

    def retry_pending(self) -> None:
        """Apply held changesets whose missing records have now arrived, until none do."""
        self.write()
        while True:
            self._statuses.clear()
            rows = self.session.scalars(select(ChangesetRecord).where(
                ChangesetRecord.status == "pending").order_by(ChangesetRecord.hlc)).all()
            if not rows:  # nothing held back: no need to count them again
                self.report.pending = 0
                return
            progress = False
            for row in rows:
                before = self.report.applied
                signed = cs.SignedChangeset(row.id, row.body, row.signature)
                row.status = self._statuses[row.id] = "retrying"
                self.session.flush()
                if self.apply(signed) == "applied" and self.report.applied > before:
                    progress = True
            if not progress:
                self.report.pending = len(self.session.scalars(select(ChangesetRecord.id).where(
                    ChangesetRecord.status == "pending")).all())
                return

    def write(self) -> None:
        """INSERT the new records and changeset rows held back so far."""
        by_model: dict[type[Any], list[dict[str, Any]]] = {}
        for fresh in self._fresh:
            by_model.setdefault(fresh._model, []).append(fresh._row)
            del self._records[(fresh._model, fresh._row["id"])]  # read back when needed
        # INSERTs of whole rows: the mapped bulk INSERT adds nothing here but time.
        for model, rows in by_model.items():
            insert_rows(self.session, model.__table__, rows)
        self._write_changesets()
        self._fresh.clear()

    def _write_changesets(self) -> None:
        """INSERT the new changeset rows held back so far. Unlike new records (a later
        changeset may change them), they are final once made: written while the merge
        goes on, their work shares the time the verifier needs anyway."""
        insert_rows(self.session, cast(Table, ChangesetRecord.__table__),
                    list(self._new_rows.values()))
        self.inserted.update(self._new_rows)
        self._new_rows.clear()
        self._new_stamps.clear()

    # ---- reading ahead ---------------------------------------------------------------

    def _read_statuses(self, items: Sequence[cs.SignedChangeset]) -> None:
        """Which of the changesets are held already, read in a few queries."""
        ids = list(dict.fromkeys(s.id for s in items if s.id not in self._statuses))
        for chunk in _chunks(ids, ID_CHUNK):
            self._statuses.update(dict.fromkeys(chunk))
            for held, status in self.session.execute(
                    select(ChangesetRecord.id, ChangesetRecord.status).where(
                        ChangesetRecord.id.in_(chunk))):
                self._statuses[held] = status

    def _read_records(self, changes: Sequence[cs.Changeset]) -> None:
        """The records the changesets' ops change, read in a few queries."""
        wanted: dict[type[Any], dict[str, None]] = {}
        for change in changes:
            for op in change.ops:
                model = SHAREABLE_KINDS.get(op.kind)
                if model is not None and (model, op.id) not in self._records:
                    wanted.setdefault(model, {})[op.id] = None
        for model, found in wanted.items():
            record_ids = list(found)
            self._records.update({(model, record_id): None for record_id in record_ids})
            held: list[str] = []
            for chunk in _chunks(record_ids, ID_CHUNK):
                held += self.session.scalars(select(model.id).where(model.id.in_(chunk)))
            for chunk in _chunks(held):
                for record in self.session.scalars(select(model).where(
                        model.id.in_(chunk))):
                    self._records[(model, record.id)] = record

    def _status_of(self, changeset_id: str) -> str | None:
        if changeset_id not in self._statuses:
            row = self.session.get(ChangesetRecord, changeset_id)
            self._statuses[changeset_id] = row.status if row is not None else None
        return self._statuses[changeset_id]

    def _record(self, model: type[Any], record_id: str) -> Any:
        key = (model, record_id)
        if key not in self._records:
            self._records[key] = self.session.get(model, record_id)
        return self._records[key]

    # ---- bookkeeping ---------------------------------------------------------------

    def _keep(self, signed: cs.SignedChangeset, change: cs.Changeset | None, status: str,
              reason: str) -> None:
        new = self._new_rows.get(signed.id)
        if new is not None:
            new["status"], new["reason"] = status, reason
        elif self._status_of(signed.id) is not None:
            row = self.session.get(ChangesetRecord, signed.id)
            assert row is not None
            row.status, row.reason = status, reason
        else:
            self._new_rows[signed.id] = {
                "id": signed.id, "body": signed.body, "signature": signed.signature,
                "device_id": change.device_id if change else "",
                "agency_id": change.agency_id if change else "",
                "hlc": change.hlc if change else "",
                "operation_id": change.operation_id if change else None,
                "tlp": change.tlp if change else "",
                # One shared empty list (never changed): encoded once by insert_rows.
                "red_to": list(change.red_to) if change and change.red_to else _NO_ONE,
                "seq": self._seq, "status": status, "reason": reason,
                "received_from": self.received_from, "received": self._received,
                "kinds": " ".join(sorted({op.kind for op in change.ops})) if change else ""}
            self._seq += 1
            self._new_stamps.setdefault((change.device_id if change else "",
                                         change.hlc if change else ""), signed.id)
        self._statuses[signed.id] = status

    def _refuse(self, signed: cs.SignedChangeset, change: cs.Changeset | None,
                reason: str) -> str:
        self._keep(signed, change, "refused", reason)
        self.report.refused.append((signed.id, reason))
        return "refused"

    def _knowledge_of(self, stamp: str) -> dict[str, str]:
        """The knowledge vector of the changeset that wrote ``stamp``."""
        if stamp not in self._knowledge_cache:
            hlc, _agency, device = stamp.split("/")
            body = self.session.scalars(select(ChangesetRecord.body).where(
                ChangesetRecord.device_id == device, ChangesetRecord.hlc == hlc)).first()
            if body is None and (device, hlc) in self._new_stamps:
                body = self._new_rows[self._new_stamps[(device, hlc)]]["body"]
            self._knowledge_cache[stamp] = (cs.Changeset.from_body(body).knowledge
                                            if body is not None else {})
        return self._knowledge_cache[stamp]

    # ---- ops -----------------------------------------------------------------------

    @staticmethod
    def _in_order(change: cs.Changeset) -> list[cs.Op]:
        if len(change.ops) == 1:
            return list(change.ops)
        return sorted(change.ops, key=lambda op: _RANK.get(op.kind, len(KIND_ORDER)))

    def _check_ops(self, change: cs.Changeset) -> list[_Step] | None:
        """Every check the ops must pass, in the order applying them would meet them,
        before anything is changed. None when two ops change the same record (the
        second is checked against the first's result): those go through a savepoint."""
        ops = self._in_order(change)
        if len(ops) > 1 and len({(op.kind, op.id) for op in ops}) != len(ops):
            return None
        steps = []
        for op in ops:
            shape = _shape(op.kind)
            if shape is None:
                raise RefusedError(f"unknown record kind {op.kind!r}")
            unknown = op.values.keys() - shape.known - BOOKKEEPING
            if unknown or not BOOKKEEPING.isdisjoint(op.values):
                raise RefusedError(f"unknown fields {', '.join(sorted(unknown))} in a {op.kind}")
            record = self._record(shape.model, op.id)
            if record is None:
                if "owner_agency_id" not in op.values:
                    raise PendingError(f"waits for the {op.kind} {op.id} it changes")
                self._authorised_creator(change, op)
            else:
                self._check_authority(change, record, op)
            steps.append(_Step(op, shape, record, shape.values(op.values)))
        return steps

    def _apply_steps(self, change: cs.Changeset, steps: list[_Step]) -> None:
        for step in steps:
            if step.record is None:
                self._create(change, step)
            else:
                self._update(change, step.record, step.op, step.values)

    def _apply_in_savepoint(self, change: cs.Changeset) -> None:
        """Ops applied one by one to mapped records, undone together if one fails."""
        self.write()
        for op in change.ops:
            if op.kind in SHAREABLE_KINDS:
                self._records.pop((SHAREABLE_KINDS[op.kind], op.id), None)
        counts = (dict(self.report.created), dict(self.report.updated), self.report.conflicts)
        savepoint = self.session.begin_nested()
        try:
            for op in self._in_order(change):
                model: type[Any] | None = SHAREABLE_KINDS.get(op.kind)
                if model is None:
                    raise RefusedError(f"unknown record kind {op.kind!r}")
                types = _column_types(model)
                unknown = set(op.values) - set(types) - BOOKKEEPING
                if unknown or BOOKKEEPING & set(op.values):
                    raise RefusedError(f"unknown fields {', '.join(sorted(unknown))} in a "
                                       f"{op.kind}")
                record = self.session.get(model, op.id)
                if record is None:
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
                else:
                    self._check_authority(change, record, op)
                    self._update(change, record, op, {
                        name: from_json_value(types[name], value)
                        for name, value in op.values.items()})
        except (RefusedError, PendingError):
            savepoint.rollback()
            # What was undone is not reported as done.
            self.report.created, self.report.updated, self.report.conflicts = counts
            raise
        savepoint.commit()

    def _authorised_creator(self, change: cs.Changeset, op: cs.Op) -> None:
        owner = op.values.get("owner_agency_id")
        if owner != change.agency_id:
            raise RefusedError(f"a device of agency {change.agency_id} may not create a "
                          f"{op.kind} owned by {owner}")
        if op.kind == "agency" and op.id != change.agency_id:
            # An agency may record what it knows of others (e.g. a partner named in a
            # plan) only as its own record; that is what the owner check above ensures.
            return

    def _create(self, change: cs.Changeset, step: _Step) -> None:
        shape = step.shape
        row = dict(shape.fixed)
        row["id"] = step.op.id
        for key, make in shape.made:
            if key not in step.values:
                row[key] = make()
        row.update(step.values)
        stamp = change.stamp
        row["stamps"] = dict.fromkeys(step.op.values, stamp)
        row["updated"] = stamp
        fresh = _Fresh(shape.model, row)
        self._records[(shape.model, step.op.id)] = fresh
        self._fresh.append(fresh)
        self.report.count(self.report.created, step.op.kind)

    def _check_authority(self, change: cs.Changeset, record: Any, op: cs.Op) -> None:
        owner = record.owner_agency_id
        if owner == change.agency_id:
            return
        if (issubclass(_model_of(record), Action) and record.agency_id == change.agency_id
                and set(op.values) <= ACTION_REPORT_FIELDS):
            return  # the assigned agency reports on its own action
        if owner is None:
            raise RefusedError(f"shipped reference {op.kind} {op.id} cannot be changed; an "
                          "agency records its correction as a record of its own")
        raise RefusedError(f"agency {change.agency_id} has no authority over {op.kind} {op.id} "
                      f"owned by {owner}")

    def _update(self, change: cs.Changeset, record: Any, op: cs.Op,
                values: dict[str, Any]) -> None:
        """Per field, the higher stamp wins; authority was checked before."""
        stamps = dict(record.stamps or {})
        incoming = change.stamp
        changed = False
        for name, value in values.items():
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
