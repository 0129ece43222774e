"""exchange tables

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27 05:31:20.066482
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


SHAREABLE = ("agency", "jurisdiction", "instrument", "operation", "participant", "target",
             "site", "action", "wallet", "transfer", "freeze_request", "note")


def upgrade() -> None:
    # Stamps now carry the total order (HLC, agency, device), not the HLC alone.
    for table in SHAREABLE:
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("updated", type_=sa.String(length=100),
                                  existing_type=sa.String(length=24))
    op.create_table('bundle_log',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('bundle_id', sa.String(length=64), nullable=False),
    sa.Column('direction', sa.String(length=8), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('result', sa.String(length=20), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('bundle_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bundle_log_bundle_id'), ['bundle_id'], unique=False)

    op.create_table('changeset',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('signature', sa.Text(), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('hlc', sa.String(length=24), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('red_to', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('received', sa.DateTime(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('seq')
    )
    with op.batch_alter_table('changeset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_changeset_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index('ix_changeset_device_hlc', ['device_id', 'hlc'], unique=False)
        batch_op.create_index(batch_op.f('ix_changeset_operation_id'), ['operation_id'], unique=False)

    op.create_table('delivery',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('changeset_id', sa.String(length=64), nullable=False),
    sa.Column('bundle_sequence', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('agency_id', 'changeset_id', 'bundle_sequence')
    )
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delivery_changeset_id'), ['changeset_id'], unique=False)

    op.create_table('local_key',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('device_id', sa.String(length=36), nullable=True),
    sa.Column('secret', sa.Text(), nullable=False),
    sa.Column('public', sa.Text(), nullable=False),
    sa.Column('created', sa.DateTime(), nullable=False),
    sa.Column('retired', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('partner',
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('trust', sa.String(length=20), nullable=False),
    sa.Column('tlp_ceiling', sa.String(length=12), nullable=False),
    sa.Column('fingerprint', sa.String(length=80), nullable=False),
    sa.Column('added', sa.DateTime(), nullable=False),
    sa.Column('next_sequence', sa.Integer(), nullable=False),
    sa.Column('last_manifest_hash', sa.String(length=64), nullable=False),
    sa.Column('received_sequence', sa.Integer(), nullable=False),
    sa.Column('acked_sequence', sa.Integer(), nullable=False),
    sa.Column('last_sent', sa.DateTime(), nullable=True),
    sa.Column('last_received', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('agency_id')
    )
    op.create_table('roster',
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('root_public', sa.Text(), nullable=False),
    sa.Column('expires', sa.DateTime(), nullable=False),
    sa.Column('received', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('agency_id')
    )



def downgrade() -> None:

    op.drop_table('roster')
    op.drop_table('partner')
    op.drop_table('local_key')
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_changeset_id'))
        batch_op.drop_index(batch_op.f('ix_delivery_agency_id'))

    op.drop_table('delivery')
    with op.batch_alter_table('changeset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_changeset_operation_id'))
        batch_op.drop_index('ix_changeset_device_hlc')
        batch_op.drop_index(batch_op.f('ix_changeset_agency_id'))

    op.drop_table('changeset')
    with op.batch_alter_table('bundle_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bundle_log_bundle_id'))

    op.drop_table('bundle_log')

