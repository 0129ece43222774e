"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-27 05:18:34.581064
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('agency',
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('contact_24_7', sa.Text(), nullable=False),
    sa.Column('root_fingerprint', sa.String(length=100), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agency_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agency_updated'), ['updated'], unique=False)

    op.create_table('audit_entry',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=200), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('conflict',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('record_kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('field', sa.String(length=60), nullable=False),
    sa.Column('winner', sa.JSON(), nullable=False),
    sa.Column('loser', sa.JSON(), nullable=False),
    sa.Column('detected_at', sa.DateTime(), nullable=False),
    sa.Column('resolved', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conflict_record_id'), ['record_id'], unique=False)

    op.create_table('setting',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('key')
    )
    op.create_table('instrument',
    sa.Column('ref_key', sa.String(length=80), nullable=False),
    sa.Column('name', sa.Text(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('form', sa.String(length=40), nullable=False),
    sa.Column('binding', sa.Boolean(), nullable=False),
    sa.Column('parties', sa.JSON(), nullable=True),
    sa.Column('in_force', sa.String(length=200), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('sources', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.String(length=40), nullable=False),
    sa.Column('confidence', sa.String(length=80), nullable=False),
    sa.Column('overrides_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instrument_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instrument_ref_key'), ['ref_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_instrument_updated'), ['updated'], unique=False)

    op.create_table('jurisdiction',
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('zones', sa.JSON(), nullable=False),
    sa.Column('search_rule', sa.JSON(), nullable=False),
    sa.Column('search_rule_text', sa.Text(), nullable=False),
    sa.Column('search_source', sa.JSON(), nullable=False),
    sa.Column('search_as_of', sa.String(length=40), nullable=False),
    sa.Column('search_confidence', sa.String(length=60), nullable=False),
    sa.Column('nationals_bar', sa.String(length=40), nullable=True),
    sa.Column('nationals_basis', sa.Text(), nullable=False),
    sa.Column('nationals_source', sa.JSON(), nullable=False),
    sa.Column('nationals_as_of', sa.String(length=40), nullable=False),
    sa.Column('nationals_confidence', sa.String(length=60), nullable=False),
    sa.Column('overrides_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('jurisdiction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jurisdiction_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_jurisdiction_country'), ['country'], unique=False)
        batch_op.create_index(batch_op.f('ix_jurisdiction_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jurisdiction_updated'), ['updated'], unique=False)

    op.create_table('operation',
    sa.Column('codename', sa.String(length=120), nullable=False),
    sa.Column('lead_agency_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('h_hour', sa.DateTime(), nullable=True),
    sa.Column('crime_types', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('codename')
    )
    with op.batch_alter_table('operation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operation_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operation_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_operation_updated'), ['updated'], unique=False)

    op.create_table('note',
    sa.Column('record_kind', sa.String(length=40), nullable=False),
    sa.Column('record_id', sa.String(length=36), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_note_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_note_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_note_record_id'), ['record_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_note_updated'), ['updated'], unique=False)

    op.create_table('participant',
    sa.Column('agency_id', sa.String(length=36), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('tlp_ceiling', sa.String(length=12), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('operation_id', 'agency_id')
    )
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_participant_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_participant_updated'), ['updated'], unique=False)

    op.create_table('site',
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('address', sa.Text(), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('jurisdiction_id', sa.String(length=36), nullable=True),
    sa.Column('zone', sa.String(length=64), nullable=False),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.create_index('ix_site_op_name', ['operation_id', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_site_updated'), ['updated'], unique=False)

    op.create_table('target',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('aliases', sa.JSON(), nullable=False),
    sa.Column('nationality', sa.JSON(), nullable=False),
    sa.Column('country', sa.String(length=8), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('grading', sa.String(length=4), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_target_country'), ['country'], unique=False)
        batch_op.create_index('ix_target_op_name', ['operation_id', 'name'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_target_updated'), ['updated'], unique=False)

    op.create_table('transfer',
    sa.Column('tx_hash', sa.String(length=120), nullable=False),
    sa.Column('chain', sa.String(length=20), nullable=False),
    sa.Column('from_address', sa.String(length=120), nullable=False),
    sa.Column('to_address', sa.String(length=120), nullable=False),
    sa.Column('asset', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.String(length=60), nullable=False),
    sa.Column('time', sa.DateTime(), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_transfer_from_address'), ['from_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_to_address'), ['to_address'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_tx_hash'), ['tx_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_transfer_updated'), ['updated'], unique=False)

    op.create_table('action',
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('target_id', sa.String(length=36), nullable=False),
    sa.Column('site_id', sa.String(length=36), nullable=True),
    sa.Column('agency_id', sa.String(length=36), nullable=True),
    sa.Column('offset_min', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome', sa.Text(), nullable=False),
    sa.Column('authorisation_ref', sa.String(length=200), nullable=False),
    sa.Column('authorisation_date', sa.String(length=10), nullable=False),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_site_id'), ['site_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_target_id'), ['target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_updated'), ['updated'], unique=False)

    op.create_table('wallet',
    sa.Column('chain', sa.String(length=20), nullable=False),
    sa.Column('address', sa.String(length=120), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('target_id', sa.String(length=36), nullable=True),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('wallet', schema=None) as batch_op:
        batch_op.create_index('ix_wallet_chain_address', ['chain', 'address'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_wallet_updated'), ['updated'], unique=False)

    op.create_table('freeze_request',
    sa.Column('wallet_id', sa.String(length=36), nullable=True),
    sa.Column('addressee', sa.String(length=300), nullable=False),
    sa.Column('asset', sa.String(length=20), nullable=False),
    sa.Column('amount', sa.String(length=60), nullable=False),
    sa.Column('frozen_amount', sa.String(length=60), nullable=False),
    sa.Column('legal_basis', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=20), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('drafted_at', sa.DateTime(), nullable=True),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.Column('acknowledged_at', sa.DateTime(), nullable=True),
    sa.Column('frozen_at', sa.DateTime(), nullable=True),
    sa.Column('released_at', sa.DateTime(), nullable=True),
    sa.Column('operation_id', sa.String(length=36), nullable=True),
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('tlp', sa.String(length=12), nullable=False),
    sa.Column('stamps', sa.JSON(), nullable=False),
    sa.Column('updated', sa.String(length=24), nullable=False),
    sa.Column('deleted', sa.Boolean(), nullable=False),
    sa.Column('owner_agency_id', sa.String(length=36), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('freeze_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_freeze_request_operation_id'), ['operation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freeze_request_owner_agency_id'), ['owner_agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_freeze_request_updated'), ['updated'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('freeze_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_freeze_request_updated'))
        batch_op.drop_index(batch_op.f('ix_freeze_request_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_freeze_request_operation_id'))

    op.drop_table('freeze_request')
    with op.batch_alter_table('wallet', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_wallet_updated'))
        batch_op.drop_index(batch_op.f('ix_wallet_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_wallet_operation_id'))
        batch_op.drop_index('ix_wallet_chain_address')

    op.drop_table('wallet')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_updated'))
        batch_op.drop_index(batch_op.f('ix_action_target_id'))
        batch_op.drop_index(batch_op.f('ix_action_site_id'))
        batch_op.drop_index(batch_op.f('ix_action_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_action_operation_id'))

    op.drop_table('action')
    with op.batch_alter_table('transfer', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_transfer_updated'))
        batch_op.drop_index(batch_op.f('ix_transfer_tx_hash'))
        batch_op.drop_index(batch_op.f('ix_transfer_to_address'))
        batch_op.drop_index(batch_op.f('ix_transfer_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_operation_id'))
        batch_op.drop_index(batch_op.f('ix_transfer_from_address'))

    op.drop_table('transfer')
    with op.batch_alter_table('target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_target_updated'))
        batch_op.drop_index(batch_op.f('ix_target_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_target_operation_id'))
        batch_op.drop_index('ix_target_op_name')
        batch_op.drop_index(batch_op.f('ix_target_country'))

    op.drop_table('target')
    with op.batch_alter_table('site', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_updated'))
        batch_op.drop_index(batch_op.f('ix_site_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_site_operation_id'))
        batch_op.drop_index('ix_site_op_name')

    op.drop_table('site')
    with op.batch_alter_table('participant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_participant_updated'))
        batch_op.drop_index(batch_op.f('ix_participant_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_participant_operation_id'))

    op.drop_table('participant')
    with op.batch_alter_table('note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_note_updated'))
        batch_op.drop_index(batch_op.f('ix_note_record_id'))
        batch_op.drop_index(batch_op.f('ix_note_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_note_operation_id'))

    op.drop_table('note')
    with op.batch_alter_table('operation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operation_updated'))
        batch_op.drop_index(batch_op.f('ix_operation_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_operation_operation_id'))

    op.drop_table('operation')
    with op.batch_alter_table('jurisdiction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jurisdiction_updated'))
        batch_op.drop_index(batch_op.f('ix_jurisdiction_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_jurisdiction_country'))
        batch_op.drop_index(batch_op.f('ix_jurisdiction_code'))

    op.drop_table('jurisdiction')
    with op.batch_alter_table('instrument', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_instrument_updated'))
        batch_op.drop_index(batch_op.f('ix_instrument_ref_key'))
        batch_op.drop_index(batch_op.f('ix_instrument_owner_agency_id'))

    op.drop_table('instrument')
    op.drop_table('setting')
    with op.batch_alter_table('conflict', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conflict_record_id'))

    op.drop_table('conflict')
    op.drop_table('audit_entry')
    with op.batch_alter_table('agency', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agency_updated'))
        batch_op.drop_index(batch_op.f('ix_agency_owner_agency_id'))
        batch_op.drop_index(batch_op.f('ix_agency_name'))

    op.drop_table('agency')

