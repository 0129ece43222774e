"""fewer indexes on what imports write; changesets remember whom they came from

Every index is one more B-tree that an import of a bundle or of a million transfers
writes a row into. Dropped: the `updated` and `owner_agency_id` index of every shared
table (no query looks a record up by either), the single-column `operation_id` index of
tables whose composite (operation_id, ...) index serves the same lookups, the transfer
hash and target country indexes (no query looks a record up by either), and two indexes
that repeat the first column of another (changeset.agency_id is only ever compared with
!=; delivery.agency_id leads the delivery unique key).

`changeset.received_from` names the partner a changeset first came from, so that a
bundle's receipt no longer writes a delivery row per changeset; the delivery rows of
earlier receipts (bundle_sequence 0) keep their meaning and stay. `changeset.kinds` names
the kinds of record a changeset changes, for an export's report (empty on older rows,
which are then read as before).

Revision ID: 0008
Revises: 0007
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

OPERATION_COVERED = ("target", "site", "action", "address_label", "victim", "asset_record")
SINGLE = (("transfer", "tx_hash"), ("target", "country"), ("changeset", "agency_id"),
          ("delivery", "agency_id"))


def _wanted(table: str) -> list[str]:
    """The columns of ``table`` whose single-column index this revision drops."""
    columns = ["updated", "owner_agency_id"]  # every shared table's, as 0001 to 0007 made them
    if table in OPERATION_COVERED:
        columns.append("operation_id")
    return columns + [c for t, c in SINGLE if t == table]


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for table in inspector.get_table_names():
        names = {index["name"] for index in inspector.get_indexes(table)}
        for column in _wanted(table):
            if f"ix_{table}_{column}" in names:
                op.drop_index(f"ix_{table}_{column}", table_name=table)
    op.add_column("changeset", sa.Column("received_from", sa.String(length=36),
                                         nullable=True))
    op.add_column("changeset", sa.Column("kinds", sa.String(length=400), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("changeset") as batch:
        batch.drop_column("kinds")
        batch.drop_column("received_from")
    inspector = sa.inspect(op.get_bind())
    for table in inspector.get_table_names():
        if table == "alembic_version":
            continue
        columns = {column["name"] for column in inspector.get_columns(table)}
        shared = "stamps" in columns
        for column in _wanted(table):
            if column in columns and (shared or (table, column) in SINGLE):
                op.create_index(f"ix_{table}_{column}", table, [column])
