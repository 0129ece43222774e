"""The outcomes of an operation that its other records do not already hold: the victims
(by reference, never by name) and the assets seized, frozen, recovered and returned.

Arrests (arrest actions done), sites shut down (their status) and the amounts frozen
(freeze requests) are read from the records that hold them, not typed in again here.
Both records are shared like any other (operation-scoped, owned, stamped), so partners
report the same figures. Amounts and values are exact decimal strings; dates are ISO
dates (YYYY-MM-DD), since what is reported is the day, not the instant.
"""

from __future__ import annotations

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, OperationScoped

# "frozen" is the value of a freeze request's frozen amount in the reporting currency:
# the amount itself stays the request's; the record only says what it was worth.
ASSET_STAGES = ("seized", "frozen", "recovered", "returned")
SOURCE_KINDS = ("action", "freeze_request")


class Victim(OperationScoped, Base):
    """A victim, known here by a reference (a complaint or case number): a name is
    personal data that a partner has no need of to count restitution."""

    __tablename__ = "victim"
    __table_args__ = (Index("ix_victim_op_live", "operation_id", "deleted"),)
    operation_index = False

    reference: Mapped[str] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(8))
    loss: Mapped[str] = mapped_column(String(60))
    currency: Mapped[str] = mapped_column(String(10))
    repaid: Mapped[str] = mapped_column(String(60), default="0")
    identified_on: Mapped[str] = mapped_column(String(10))
    repaid_on: Mapped[str] = mapped_column(String(10), default="")


class AssetRecord(OperationScoped, Base):
    """An amount of an asset seized, frozen (valued), recovered or returned, in a country
    on a day, with its value in the reporting currency (empty: not valued) and the action
    or freeze request it comes from."""

    __tablename__ = "asset_record"
    __table_args__ = (Index("ix_asset_record_op_live", "operation_id", "deleted"),)
    operation_index = False

    stage: Mapped[str] = mapped_column(String(20))
    asset: Mapped[str] = mapped_column(String(40))
    amount: Mapped[str] = mapped_column(String(60))
    value: Mapped[str] = mapped_column(String(60), default="")
    currency: Mapped[str] = mapped_column(String(10), default="")
    country: Mapped[str] = mapped_column(String(8))
    on: Mapped[str] = mapped_column(String(10))
    source_kind: Mapped[str] = mapped_column(String(20), default="")
    source_id: Mapped[str | None] = mapped_column(String(36), nullable=True, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
