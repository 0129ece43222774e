"""money: address labels with their source, saved traces, freeze request history

Revision ID: 0006
Revises: 0005
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _sync_columns() -> list[sa.schema.SchemaItem]:
    return [
        sa.Column("operation_id", sa.String(length=36), nullable=True),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("tlp", sa.String(length=12), nullable=False),
        sa.Column("stamps", sa.JSON(), nullable=False),
        sa.Column("updated", sa.String(length=100), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("owner_agency_id", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    ]


def _sync_indexes(table: str) -> None:
    for column in ("operation_id", "owner_agency_id", "updated"):
        op.create_index(f"ix_{table}_{column}", table, [column])


def upgrade() -> None:
    op.create_table(
        "address_label",
        sa.Column("chain", sa.String(length=20), nullable=False),
        sa.Column("address", sa.String(length=120), nullable=False),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        *_sync_columns())
    _sync_indexes("address_label")
    op.create_index("ix_address_label_op_address", "address_label",
                    ["operation_id", "chain", "address"])

    op.create_table(
        "trace_record",
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("seeds", sa.JSON(), nullable=False),
        sa.Column("hops", sa.Integer(), nullable=False),
        sa.Column("min_amount", sa.String(length=60), nullable=False),
        sa.Column("window_start", sa.DateTime(), nullable=True),
        sa.Column("window_end", sa.DateTime(), nullable=True),
        sa.Column("statement", sa.Text(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
        sa.Column("endpoints", sa.JSON(), nullable=False),
        sa.Column("made_at", sa.DateTime(), nullable=False),
        *_sync_columns())
    _sync_indexes("trace_record")

    op.create_table(
        "freeze_event",
        sa.Column("freeze_request_id", sa.String(length=36), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("frozen_amount", sa.String(length=60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        *_sync_columns())
    _sync_indexes("freeze_event")
    op.create_index("ix_freeze_event_freeze_request_id", "freeze_event", ["freeze_request_id"])


def downgrade() -> None:
    for table in ("freeze_event", "trace_record", "address_label"):
        op.drop_table(table)
