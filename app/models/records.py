"""The records of DESIGN.md's data model, as typed SQLAlchemy tables.

References between shared records (an action's target, a site's jurisdiction) are
plain ids, not foreign keys: a store may rightly hold an action whose target it may not
see (a RED target addressed to others), and changesets may arrive in any order.

Shareable records take the sync fields from ``Shareable``; ``operation_id`` is the
record's scope (none for reference data and agencies). Lists (zones, parties,
nationalities) are JSON columns: they are read whole and never queried inside.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, OperationScoped, Shareable, utcnow
from app.models.money_records import AddressLabel, FreezeEvent, TraceRecord
from app.models.outcome_records import AssetRecord, Victim

TARGET_KINDS = ("person", "organisation", "wallet", "premises", "server")
ACTION_KINDS = ("arrest", "search", "seizure", "takedown")
OPERATION_STATUSES = ("planning", "ready", "executing", "concluded", "cancelled")
ACTION_STATUSES = ("planned", "in progress", "done", "aborted")
# What became of a site on the day: "shut down" counts among the outcomes (a server taken
# offline, premises closed); "searched" was entered but goes on; "not found" was empty or wrong.
SITE_STATUSES = ("planned", "searched", "shut down", "not found")
PARTICIPANT_ROLES = ("lead", "participant", "observer")


class Agency(Shareable, Base):
    __tablename__ = "agency"

    name: Mapped[str] = mapped_column(String(200), index=True)
    country: Mapped[str] = mapped_column(String(8))
    contact_24_7: Mapped[str] = mapped_column(Text, default="")
    # The IANA zone of the agency's headquarters, for briefings in its own clock; empty
    # means the country's only (or first listed) zone.
    zone: Mapped[str] = mapped_column(String(64), default="")
    root_fingerprint: Mapped[str | None] = mapped_column(String(100), nullable=True)


class Jurisdiction(Shareable, Base):
    """A country or subdivision with the legal facts the planner and legal routes need.

    ``search_rule`` is data: ``{"kind": "window", "start": "06:00", "end": "21:00"}``,
    ``{"kind": "solar"}``, ``{"kind": "none"}`` or ``{"kind": "unknown"}``, with an optional
    ``"weekdays"`` override map. ``*_source`` hold the list of sources as shipped.
    """

    __tablename__ = "jurisdiction"

    code: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200))
    country: Mapped[str] = mapped_column(String(8), index=True)
    zones: Mapped[list[str]] = mapped_column(JSON, default=list)
    search_rule: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    search_rule_text: Mapped[str] = mapped_column(Text, default="")
    search_source: Mapped[list[Any]] = mapped_column(JSON, default=list)
    search_as_of: Mapped[str] = mapped_column(String(40), default="")
    search_confidence: Mapped[str] = mapped_column(String(60), default="")
    nationals_bar: Mapped[str | None] = mapped_column(String(40), nullable=True)
    nationals_basis: Mapped[str] = mapped_column(Text, default="")
    nationals_source: Mapped[list[Any]] = mapped_column(JSON, default=list)
    nationals_as_of: Mapped[str] = mapped_column(String(40), default="")
    nationals_confidence: Mapped[str] = mapped_column(String(60), default="")
    overrides_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Instrument(Shareable, Base):
    """An extradition, legal-assistance or asset-sharing instrument.

    ``parties`` is None when the party list is unknown: a gap, not "no parties".
    """

    __tablename__ = "instrument"

    ref_key: Mapped[str] = mapped_column(String(80), index=True)
    name: Mapped[str] = mapped_column(Text)
    purpose: Mapped[str] = mapped_column(String(40), default="extradition")
    form: Mapped[str] = mapped_column(String(40), default="multilateral convention")
    binding: Mapped[bool] = mapped_column(default=True)
    parties: Mapped[list[Any] | None] = mapped_column(JSON, nullable=True)
    in_force: Mapped[str] = mapped_column(String(200), default="")
    conditions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notes: Mapped[str] = mapped_column(Text, default="")
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    as_of: Mapped[str] = mapped_column(String(40), default="")
    confidence: Mapped[str] = mapped_column(String(80), default="")
    overrides_id: Mapped[str | None] = mapped_column(String(36), nullable=True)


class Operation(OperationScoped, Base):
    __tablename__ = "operation"

    codename: Mapped[str] = mapped_column(String(120), unique=True)
    lead_agency_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(20), default="planning")
    h_hour: Mapped[datetime | None] = mapped_column(nullable=True)
    crime_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    description: Mapped[str] = mapped_column(Text, default="")
    # Where the victims are, so that a seizure elsewhere needs a basis to bring the
    # assets back; empty means the lead agency's country (see app/services/legal.py).
    victim_states: Mapped[list[str]] = mapped_column(JSON, default=list)


class Participant(OperationScoped, Base):
    __tablename__ = "participant"
    __table_args__ = (UniqueConstraint("operation_id", "agency_id"),)

    agency_id: Mapped[str] = mapped_column(String(36))
    role: Mapped[str] = mapped_column(String(20), default="participant")
    tlp_ceiling: Mapped[str] = mapped_column(String(12), default="AMBER")


class Target(OperationScoped, Base):
    __tablename__ = "target"
    __table_args__ = (Index("ix_target_op_name", "operation_id", "name"),
                      Index("ix_target_op_live", "operation_id", "deleted"))
    operation_index = False

    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(300))
    aliases: Mapped[list[str]] = mapped_column(JSON, default=list)
    nationality: Mapped[list[str]] = mapped_column(JSON, default=list)
    country: Mapped[str] = mapped_column(String(8), default="")
    location: Mapped[str] = mapped_column(Text, default="")
    grading: Mapped[str] = mapped_column(String(4), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    # Legal routes: the states that want the person (requesting states) and the states
    # it is known to travel through (other places where it could be arrested).
    wanted_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    travels: Mapped[list[str]] = mapped_column(JSON, default=list)


class Site(OperationScoped, Base):
    __tablename__ = "site"
    __table_args__ = (Index("ix_site_op_name", "operation_id", "name"),
                      Index("ix_site_op_live", "operation_id", "deleted"))
    operation_index = False

    name: Mapped[str] = mapped_column(String(300))
    address: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(8))
    jurisdiction_id: Mapped[str | None] = mapped_column(
        String(36), nullable=True)
    zone: Mapped[str] = mapped_column(String(64))
    lat: Mapped[float | None] = mapped_column(Float, nullable=True)
    lon: Mapped[float | None] = mapped_column(Float, nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="planned")


class Action(OperationScoped, Base):
    __tablename__ = "action"
    # Counting an operation's live rows reads this index only, not the wide rows.
    __table_args__ = (Index("ix_action_op_live", "operation_id", "deleted"),)
    operation_index = False

    kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[str] = mapped_column(String(36), index=True)
    site_id: Mapped[str | None] = mapped_column(
        String(36), nullable=True, index=True)
    agency_id: Mapped[str | None] = mapped_column(
        String(36), nullable=True)
    offset_min: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="planned")
    outcome: Mapped[str] = mapped_column(Text, default="")
    authorisation_ref: Mapped[str] = mapped_column(String(200), default="")
    authorisation_date: Mapped[str] = mapped_column(String(10), default="")


class Wallet(OperationScoped, Base):
    __tablename__ = "wallet"
    __table_args__ = (Index("ix_wallet_chain_address", "chain", "address"),)

    chain: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(120))
    label: Mapped[str] = mapped_column(String(200), default="")
    category: Mapped[str] = mapped_column(String(40), default="")
    target_id: Mapped[str | None] = mapped_column(
        String(36), nullable=True)


class Transfer(OperationScoped, Base):
    """A transfer between two addresses. Amounts are decimal strings in whole units,
    so no float ever touches money."""

    __tablename__ = "transfer"

    tx_hash: Mapped[str] = mapped_column(String(120))  # no query looks a hash up
    chain: Mapped[str] = mapped_column(String(20))
    from_address: Mapped[str] = mapped_column(String(120), index=True)
    to_address: Mapped[str] = mapped_column(String(120), index=True)
    asset: Mapped[str] = mapped_column(String(20))
    amount: Mapped[str] = mapped_column(String(60))
    time: Mapped[datetime]


class FreezeRequest(OperationScoped, Base):
    __tablename__ = "freeze_request"

    wallet_id: Mapped[str | None] = mapped_column(
        String(36), nullable=True)
    addressee: Mapped[str] = mapped_column(String(300))
    asset: Mapped[str] = mapped_column(String(20), default="")
    amount: Mapped[str] = mapped_column(String(60), default="0")
    frozen_amount: Mapped[str] = mapped_column(String(60), default="0")
    legal_basis: Mapped[str] = mapped_column(Text, default="")
    urgency: Mapped[str] = mapped_column(String(20), default="urgent")
    status: Mapped[str] = mapped_column(String(20), default="drafted")
    drafted_at: Mapped[datetime | None] = mapped_column(nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(nullable=True)
    frozen_at: Mapped[datetime | None] = mapped_column(nullable=True)
    released_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Note(OperationScoped, Base):
    __tablename__ = "note"

    record_kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    text: Mapped[str] = mapped_column(Text)


class Conflict(Base):
    """A concurrent write that lost the merge, kept for a person to resolve (local only)."""

    __tablename__ = "conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_kind: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(60))
    winner: Mapped[dict[str, Any]] = mapped_column(JSON)
    loser: Mapped[dict[str, Any]] = mapped_column(JSON)
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved: Mapped[bool] = mapped_column(default=False)


class AuditEntry(Base):
    """What happened to the store, and who did it (local only, append-only)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(200), default="")
    action: Mapped[str] = mapped_column(String(60))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Setting(Base):
    """Local facts of this store: which agency it belongs to, the clock, preferences."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


SHAREABLE_KINDS: dict[str, type[Shareable]] = {
    "agency": Agency,
    "jurisdiction": Jurisdiction,
    "instrument": Instrument,
    "operation": Operation,
    "participant": Participant,
    "target": Target,
    "site": Site,
    "action": Action,
    "wallet": Wallet,
    "transfer": Transfer,
    "freeze_request": FreezeRequest,
    "note": Note,
    "address_label": AddressLabel,
    "trace_record": TraceRecord,
    "freeze_event": FreezeEvent,
    "victim": Victim,
    "asset_record": AssetRecord,
}
