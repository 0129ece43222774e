"""legal routes: the states that want a person target and those it travels through, and
the victims' states of an operation

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("target") as batch_op:
        batch_op.add_column(sa.Column("wanted_by", sa.JSON(), nullable=False,
                                      server_default="[]"))
        batch_op.add_column(sa.Column("travels", sa.JSON(), nullable=False,
                                      server_default="[]"))
    with op.batch_alter_table("operation") as batch_op:
        batch_op.add_column(sa.Column("victim_states", sa.JSON(), nullable=False,
                                      server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("operation") as batch_op:
        batch_op.drop_column("victim_states")
    with op.batch_alter_table("target") as batch_op:
        batch_op.drop_column("travels")
        batch_op.drop_column("wanted_by")
