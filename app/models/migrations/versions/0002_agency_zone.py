"""agency zone, for briefings in each agency's own clock

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agency") as batch_op:
        batch_op.add_column(sa.Column("zone", sa.String(length=64), nullable=False,
                                      server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("agency") as batch_op:
        batch_op.drop_column("zone")
