"""The records of following the money beyond DESIGN's Wallet, Transfer and FreezeRequest:
labels of addresses with their source, saved traces, and each freeze request's history.

All are shared like any other record (operation-scoped, owned, stamped), so a partner
sees the basis of a freeze request: the trace it came from and the labels it relied on.
Amounts are decimal strings, as in ``Transfer``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, OperationScoped

LABEL_CATEGORIES = ("exchange", "mixer", "bridge", "dex", "victim", "suspect")
FREEZE_STATUSES = ("drafted", "sent", "acknowledged", "frozen", "partly frozen", "rejected",
                   "released")
URGENCIES = ("routine", "urgent", "immediate")


class AddressLabel(OperationScoped, Base):
    """What an address is (an exchange, a mixer, a bridge, a DEX, a victim, a suspect),
    by whose word (``source``). For a service, the country and the compliance contact a
    freeze request goes to; bridge addresses with the same ``name`` on two chains are
    the two ends of one bridge."""

    __tablename__ = "address_label"
    __table_args__ = (Index("ix_address_label_op_address", "operation_id", "chain", "address"),)
    operation_index = False

    chain: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(Text, default="")
    country: Mapped[str] = mapped_column(String(8), default="")
    contact: Mapped[str] = mapped_column(Text, default="")


class TraceRecord(OperationScoped, Base):
    """A trace kept with its method, limits and results, as the basis of freeze requests.

    ``seeds``: [[chain, address], ...]; ``totals``: one dict per asset; ``endpoints``: one
    dict per endpoint with its path (see app/services/money.py)."""

    __tablename__ = "trace_record"

    direction: Mapped[str] = mapped_column(String(10))
    method: Mapped[str] = mapped_column(String(10))
    seeds: Mapped[list[Any]] = mapped_column(JSON, default=list)
    hops: Mapped[int] = mapped_column(Integer)
    min_amount: Mapped[str] = mapped_column(String(60), default="0")
    window_start: Mapped[datetime | None] = mapped_column(nullable=True)
    window_end: Mapped[datetime | None] = mapped_column(nullable=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    totals: Mapped[list[Any]] = mapped_column(JSON, default=list)
    endpoints: Mapped[list[Any]] = mapped_column(JSON, default=list)
    made_at: Mapped[datetime]


class FreezeEvent(OperationScoped, Base):
    """One step in a freeze request's life (drafted, sent, ..., released), when it
    happened, and what it says: the frozen amount, a note; the drafted step keeps the
    trace endpoint the request came from in ``detail``."""

    __tablename__ = "freeze_event"

    freeze_request_id: Mapped[str] = mapped_column(String(36), index=True)
    status: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime]
    frozen_amount: Mapped[str] = mapped_column(String(60), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
