"""Turns every local write to shared records into signed changesets, in the same
transaction, so nothing changes the store behind the exchange's back.

A listener on the session's ``before_flush`` sees every new shareable record and every
changed field, however it was changed. It stamps those fields with the stamp of the
changeset they will travel in, (HLC, agency, device), in the same INSERT or UPDATE, and
keeps only their plain values, grouped by distribution (operation and marking). A
group is sealed into a signed changeset when the transaction ends, or as soon as it
holds ``CHUNK`` records, so a large import keeps little in memory.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import event, func, inspect, select
from sqlalchemy.orm import Session

from app.core.errors import KnownError
from app.core.hlc import HybridClock
from app.models.base import Shareable
from app.models.records import SHAREABLE_KINDS
from app.models.sync_records import ChangesetRecord
from app.sync import canonical
from app.sync import changeset as cs
from app.sync.keys import LocalIdentity

KIND_OF: dict[type[Any], str] = {model: kind for kind, model in SHAREABLE_KINDS.items()}
BOOKKEEPING = {"stamps", "updated"}
# The agency an action is assigned to may report on it, though another agency owns it.
ACTION_REPORT_FIELDS = {"status", "outcome"}
RECORDING = "jointops.recording"
RECORDER = "jointops.recorder"
CHUNK = 2000
# How a changeset body without ops ends (keys in canonical order).
_EMPTY_OPS = b'"ops":[],"type":"' + cs.TYPE.encode() + b'","v":1}'


def to_json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _fill_defaults(obj: Shareable) -> None:
    """Apply Python-side column defaults now rather than at INSERT, so the changeset
    carries the values the row will really hold."""
    for key, make in _defaults(type(obj)).items():
        if getattr(obj, key) is None:
            setattr(obj, key, make())


def _defaults(model: type[Any]) -> dict[str, Any]:
    """Column key -> a function giving its Python-side default."""
    found: dict[str, Any] = {}
    for column in inspect(model).columns:
        default = column.default
        if default is None or column.key is None or column.key in BOOKKEEPING:
            continue
        if getattr(default, "is_scalar", False):
            found[column.key] = lambda value=default.arg: value
        elif getattr(default, "is_callable", False):
            found[column.key] = lambda make=default.arg: make(None)
    return found


def _encode_op(kind: str, record_id: str, values: dict[str, Any]) -> bytes:
    return canonical.dumps(cs.Op(kind, record_id, values).to_json())


def _decode_op(op: bytes) -> dict[str, Any]:
    values = json.loads(op)["set"]
    assert isinstance(values, dict)
    return values


def _column_keys(model: type[Any]) -> list[str]:
    return [a.key for a in inspect(model).column_attrs if a.key not in BOOKKEEPING]


def knowledge(session: Session) -> dict[str, str]:
    """Device id -> highest HLC applied from it: what this store has seen.

    Asked device by device, each from the top of the (device, hlc) index down to its
    first applied changeset: one grouped query would read every changeset row (the
    status is not in the index), a second or more with 100,000 changesets, and every
    write transaction asks."""
    found: dict[str, str] = {}
    devices = session.scalars(select(ChangesetRecord.device_id).distinct()).all()
    for device in devices:
        hlc = session.scalar(select(ChangesetRecord.hlc).where(
            ChangesetRecord.device_id == device, ChangesetRecord.status == "applied")
            .order_by(ChangesetRecord.hlc.desc()).limit(1))
        if hlc is not None:
            found[device] = hlc
    return found


def next_seq(session: Session) -> int:
    return int(session.scalar(select(func.coalesce(func.max(ChangesetRecord.seq), 0))) or 0) + 1


class NotOwnedError(KnownError):
    """A write to a record this agency does not own."""


@dataclass
class _Group:
    hlc: str
    # (kind, id) -> the values, or the whole op already in canonical JSON (bulk_rows)
    ops: dict[tuple[str, str], dict[str, Any] | bytes] = field(default_factory=dict)

    def values_of(self, kind: str, record_id: str) -> dict[str, Any]:
        """The values recorded so far for a record (none yet: an empty dict, kept)."""
        found = self.ops.setdefault((kind, record_id), {})
        if isinstance(found, bytes):
            found = self.ops[(kind, record_id)] = _decode_op(found)
        return found


class Recorder:
    def __init__(self, session: Session, me: LocalIdentity, clock: HybridClock) -> None:
        self.session = session
        self.me = me
        self.clock = clock
        self.groups: dict[tuple[str | None, str], _Group] = {}
        self.sealed: list[str] = []
        self._knowledge: dict[str, str] | None = None
        self._seq: int | None = None
        session.info[RECORDING] = True
        session.info[RECORDER] = self
        event.listen(session, "before_flush", self._before_flush)

    def _stamp(self, group: _Group) -> str:
        return f"{group.hlc}/{self.me.agency_id}/{self.me.device_id}"

    def _group(self, obj: Shareable) -> tuple[tuple[str | None, str], _Group]:
        key = (getattr(obj, "operation_id", None), obj.tlp or "AMBER")
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = _Group(self.clock.tick().encode())
        return key, group

    def _write(self, kind: str, obj: Shareable, names: list[str]) -> None:
        key, group = self._group(obj)
        stamp = self._stamp(group)
        stamps = dict(obj.stamps or {})
        stamps.update({n: stamp for n in names if n != "id"})
        obj.stamps = stamps
        obj.updated = max(stamps.values(), default=stamp)
        values = group.values_of(kind, obj.id)
        values.update({n: to_json_value(getattr(obj, n)) for n in names if n != "id"})
        if len(group.ops) >= CHUNK:
            self._seal_group(key)

    def _before_flush(self, session: Session, _context: Any, _instances: Any) -> None:
        if not session.info.get(RECORDING, False):
            return
        for obj in list(session.new):
            kind = KIND_OF.get(type(obj))
            if kind is not None:
                _fill_defaults(obj)
                self._write(kind, obj, _column_keys(type(obj)))
        for obj in list(session.dirty):
            kind = KIND_OF.get(type(obj))
            if kind is None:
                continue
            state = inspect(obj)
            changed = [a.key for a in state.attrs
                       if a.key not in BOOKKEEPING and a.history.has_changes()
                       and list(a.history.added) != list(a.history.deleted)]
            if changed:
                self._check_authority(kind, obj, changed)
                self._write(kind, obj, changed)

    def _check_creator(self, kind: str, owner: str | None) -> None:
        if owner != self.me.agency_id:
            raise NotOwnedError(f"A new {kind} must be owned by this agency; partners "
                                "would refuse one written in another agency's name.")

    def _check_authority(self, kind: str, obj: Shareable, changed: list[str]) -> None:
        """The rule every receiver applies, applied here first: a store never writes
        what its partners would refuse."""
        owner = obj.owner_agency_id
        if owner == self.me.agency_id:
            return
        if (kind == "action" and getattr(obj, "agency_id", None) == self.me.agency_id
                and set(changed) <= ACTION_REPORT_FIELDS):
            return
        if owner is None:
            raise NotOwnedError("Shipped reference data cannot be changed; record the "
                                "correction as your agency's own.")
        raise NotOwnedError(f"This {kind} belongs to another agency; only that agency can "
                            "change it (add a note instead).")

    def bulk_rows(self, model: type[Any], rows: list[dict[str, Any]],
                  ops: Sequence[bytes] | None = None) -> None:
        """Record rows about to be written by a bulk INSERT, which bypasses the unit of
        work and so ``before_flush``: fills their defaults and stamps them in place.

        ``ops``, if given, are the rows' ops already in canonical JSON, one a row (made
        where the rows were checked, in another process for a large import): they are
        signed as given. The first is checked against the row it stands for."""
        kind = KIND_OF[model]
        keys = [k for k in _column_keys(model) if k != "id"]
        defaults = list(_defaults(model).items())
        if ops is not None and len(ops) != len(rows):
            raise ValueError("one encoded op a row")
        # The rows of one changeset share one stamps dict, not to be changed: a bulk
        # INSERT then encodes it once (see app/sync/bulk_insert.py).
        shared: dict[str, dict[str, str]] = {}
        agency = self.me.agency_id
        # The group of the row before, with its stamp: rows come in runs of one group.
        last: tuple[tuple[str | None, str], _Group, str, dict[str, str]] | None = None
        for index, row in enumerate(rows):
            if row.get("owner_agency_id") != agency:
                self._check_creator(kind, row.get("owner_agency_id"))
            for key, make in defaults:
                if row.get(key) is None:
                    row[key] = make()
            group_key = (row.get("operation_id"), row.get("tlp") or "AMBER")
            if last is None or last[0] != group_key:
                group = self.groups.get(group_key)
                if group is None:
                    group = self.groups[group_key] = _Group(self.clock.tick().encode())
                stamp = self._stamp(group)
                stamps = shared.get(stamp)
                if stamps is None:
                    stamps = shared[stamp] = dict.fromkeys(keys, stamp)
                last = (group_key, group, stamp, stamps)
            else:
                group, stamp, stamps = last[1:]
            row["stamps"] = stamps
            row["updated"] = stamp
            if ops is not None and index:
                group.ops[(kind, row["id"])] = ops[index]
            else:
                values = {k: row.get(k) for k in keys}
                for k, value in values.items():
                    if isinstance(value, datetime):
                        values[k] = value.isoformat()  # as to_json_value gives it
                if ops is not None and ops[0] != _encode_op(kind, row["id"], values):
                    raise ValueError("an encoded op differs from its row's values")
                group.ops[(kind, row["id"])] = values
            if len(group.ops) >= CHUNK:
                self._seal_group(group_key)
                last = None

    def publish_whole(self, obj: Shareable) -> None:
        """Record every field of an existing record, as if it were new (used once, for
        the records a store is born with before it has keys to sign)."""
        kind = KIND_OF[type(obj)]
        self._write(kind, obj, _column_keys(type(obj)))

    def _seal_group(self, key: tuple[str | None, str]) -> None:
        group = self.groups.pop(key)
        if not group.ops:
            return
        with self.session.no_autoflush:
            if self._knowledge is None:
                self._knowledge = knowledge(self.session)
                self._seq = next_seq(self.session)
        assert self._seq is not None
        if any(isinstance(values, bytes) for values in group.ops.values()):
            signed = self._sign_encoded(group, key)
        else:
            draft = cs.Changeset(self.me.device_id, self.me.agency_id, group.hlc, key[0],
                                 key[1], (), self._knowledge,
                                 tuple(cs.Op(kind, record_id, group.values_of(kind, record_id))
                                       for kind, record_id in group.ops))
            signed = cs.sign(draft, self.me.sign_key)
        self.session.add(ChangesetRecord(
            id=signed.id, body=signed.body, signature=signed.signature,
            device_id=self.me.device_id, agency_id=self.me.agency_id, hlc=group.hlc,
            operation_id=key[0], tlp=key[1], red_to=[], status="applied", seq=self._seq,
            # What kinds_of would read from the body, known here without parsing it.
            kinds=" ".join(sorted({kind for kind, _record_id in group.ops}))))
        self._seq += 1
        self.sealed.append(signed.id)

    def _sign_encoded(self, group: _Group, key: tuple[str | None, str]) -> cs.SignedChangeset:
        """The changeset of a group holding encoded ops (see ``bulk_rows``), byte for
        byte the one ``cs.sign`` makes of the same ops: canonical JSON writes an array
        as its items' own canonical forms between commas, and the body's keys in order,
        "ops" between "operation" and "type"."""
        assert self._knowledge is not None
        envelope = cs.Changeset(self.me.device_id, self.me.agency_id, group.hlc, key[0],
                                key[1], (), self._knowledge, ()).body()
        if not envelope.endswith(_EMPTY_OPS):
            # Another layout of the body than this splicing knows: the ops decoded and
            # signed the ordinary way.
            ops = tuple(cs.Op(kind, record_id, group.values_of(kind, record_id))
                        for kind, record_id in list(group.ops))
            return cs.sign(cs.Changeset(self.me.device_id, self.me.agency_id, group.hlc,
                                        key[0], key[1], (), self._knowledge, ops),
                           self.me.sign_key)
        parts = [values if isinstance(values, bytes) else _encode_op(kind, record_id, values)
                 for (kind, record_id), values in group.ops.items()]
        body = b"".join((envelope[:-len(_EMPTY_OPS)], b'"ops":[', b",".join(parts),
                         _EMPTY_OPS[len(b'"ops":['):]))
        signature = self.me.sign_key.sign(cs.SIGNED_PREFIX + body)
        return cs.SignedChangeset(cs.changeset_id(body), body,
                                  base64.b64encode(signature).decode())

    def seal(self) -> list[str]:
        """Seal what is left at the end of the transaction; returns all changeset ids."""
        self.session.flush()
        self.session.info[RECORDING] = False
        try:
            for key in sorted(self.groups, key=lambda k: (k[0] or "", k[1])):
                self._seal_group(key)
            self.session.flush()
        finally:
            event.remove(self.session, "before_flush", self._before_flush)
            self.session.info.pop(RECORDER, None)
        return self.sealed
