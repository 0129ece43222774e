"""indexes on (operation_id, deleted), so per-operation counts stay index-only

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TABLES = ("target", "site", "action")


def upgrade() -> None:
    for table in TABLES:
        op.create_index(f"ix_{table}_op_live", table, ["operation_id", "deleted"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"ix_{table}_op_live", table_name=table)
