"""Tables of the exchange: keys, rosters, partners, changesets and bundles.

These are local bookkeeping, not shared records: they say who is who, what has been
written, received and sent, and what each partner has acknowledged.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class LocalKey(Base):
    """A private key of this store: the agency root, or this device's signing or age key.

    Kept only inside the encrypted database."""

    __tablename__ = "local_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))  # root | device-sign | device-age
    device_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    secret: Mapped[str] = mapped_column(Text)
    public: Mapped[str] = mapped_column(Text)
    created: Mapped[datetime] = mapped_column(default=utcnow)
    retired: Mapped[bool] = mapped_column(default=False)


class RosterRecord(Base):
    """The highest roster version held for an agency (ours or a partner's)."""

    __tablename__ = "roster"

    agency_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    version: Mapped[int] = mapped_column(Integer)
    document: Mapped[str] = mapped_column(Text)  # the signed roster file, as received
    root_public: Mapped[str] = mapped_column(Text)
    expires: Mapped[datetime]
    received: Mapped[datetime] = mapped_column(default=utcnow)


class Partner(Base):
    """A partner agency and how far this store trusts it."""

    __tablename__ = "partner"

    agency_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    trust: Mapped[str] = mapped_column(String(20), default="pending")  # pending|trusted|revoked
    tlp_ceiling: Mapped[str] = mapped_column(String(12), default="AMBER")
    fingerprint: Mapped[str] = mapped_column(String(80))
    added: Mapped[datetime] = mapped_column(default=utcnow)
    next_sequence: Mapped[int] = mapped_column(Integer, default=1)  # of bundles we send it
    last_manifest_hash: Mapped[str] = mapped_column(String(64), default="")
    received_sequence: Mapped[int] = mapped_column(Integer, default=0)  # of its bundles to us
    acked_sequence: Mapped[int] = mapped_column(Integer, default=0)  # of ours, it has applied
    last_sent: Mapped[datetime | None] = mapped_column(nullable=True)
    last_received: Mapped[datetime | None] = mapped_column(nullable=True)


class ChangesetRecord(Base):
    """A signed changeset, ours or received, kept unchanged for relaying.

    ``status``: applied, pending (waits for a record it changes), refused (with reason),
    quarantined (stamped too far in the future)."""

    __tablename__ = "changeset"
    __table_args__ = (Index("ix_changeset_device_hlc", "device_id", "hlc"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 of the body
    body: Mapped[bytes] = mapped_column(LargeBinary)  # canonical JSON (RFC 8785)
    signature: Mapped[str] = mapped_column(Text)
    device_id: Mapped[str] = mapped_column(String(36))
    agency_id: Mapped[str] = mapped_column(String(36))
    hlc: Mapped[str] = mapped_column(String(24))
    operation_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    tlp: Mapped[str] = mapped_column(String(12))
    red_to: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default="applied")
    reason: Mapped[str] = mapped_column(Text, default="")
    received: Mapped[datetime] = mapped_column(default=utcnow)
    seq: Mapped[int] = mapped_column(Integer, unique=True)  # local arrival order
    # The partner this changeset first came from (None: written here): it has it, so it is
    # never sent back. A copy received later from another partner is a Delivery of
    # bundle_sequence 0, as every receipt was before migration 0008.
    received_from: Mapped[str | None] = mapped_column(String(36), nullable=True)
    # The kinds of record its ops change, sorted, space-separated ("site target"), for an
    # export's report without parsing every body again; None on rows from before 0008.
    kinds: Mapped[str | None] = mapped_column(String(400), nullable=True)


def kinds_of(body: bytes) -> str:
    """``kinds`` for a changeset body ("" when it cannot be read)."""
    try:
        return " ".join(sorted({str(op["kind"]) for op in json.loads(body)["ops"]}))
    except (ValueError, KeyError, TypeError):
        return ""


@event.listens_for(ChangesetRecord, "before_insert")
def _fill_kinds(_mapper: Any, _connection: Any, row: ChangesetRecord) -> None:
    # Rows written through the ORM (this store's own saves); a merge fills it itself.
    if row.kinds is None:
        row.kinds = kinds_of(row.body)


class Delivery(Base):
    """A changeset sent to a partner in a bundle; acknowledged once the partner says it
    has applied that bundle."""

    __tablename__ = "delivery"
    __table_args__ = (UniqueConstraint("agency_id", "changeset_id", "bundle_sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # The unique key (agency, changeset, bundle) serves lookups by agency.
    agency_id: Mapped[str] = mapped_column(String(36))
    changeset_id: Mapped[str] = mapped_column(String(64), index=True)
    bundle_sequence: Mapped[int] = mapped_column(Integer)


class BundleLog(Base):
    """Every bundle written or read, with its result."""

    __tablename__ = "bundle_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    bundle_id: Mapped[str] = mapped_column(String(64), index=True)
    direction: Mapped[str] = mapped_column(String(8))  # sent | received
    agency_id: Mapped[str] = mapped_column(String(36), default="")  # partner
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    result: Mapped[str] = mapped_column(String(20))  # written | applied | duplicate | refused
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
