"""outcomes: victims (by reference) and assets seized, frozen, recovered, returned

Revision ID: 0007
Revises: 0006
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
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
    op.create_index(f"ix_{table}_op_live", table, ["operation_id", "deleted"])


def upgrade() -> None:
    op.create_table(
        "victim",
        sa.Column("reference", sa.String(length=120), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("loss", sa.String(length=60), nullable=False),
        sa.Column("currency", sa.String(length=10), nullable=False),
        sa.Column("repaid", sa.String(length=60), nullable=False),
        sa.Column("identified_on", sa.String(length=10), nullable=False),
        sa.Column("repaid_on", sa.String(length=10), nullable=False),
        *_sync_columns())
    _sync_indexes("victim")

    op.create_table(
        "asset_record",
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("asset", sa.String(length=40), nullable=False),
        sa.Column("amount", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=60), nullable=False),
        sa.Column("currency", sa.String(length=10), nullable=False),
        sa.Column("country", sa.String(length=8), nullable=False),
        sa.Column("on", sa.String(length=10), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=36), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        *_sync_columns())
    _sync_indexes("asset_record")
    op.create_index("ix_asset_record_source_id", "asset_record", ["source_id"])


def downgrade() -> None:
    for table in ("asset_record", "victim"):
        op.drop_table(table)
