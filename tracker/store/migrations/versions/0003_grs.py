"""GRS complaints: tier limits per charter version, complaints, tier steps, events

Revision ID: 0003_grs
Revises: 0001
Create Date: 2026-11-22 02:13:05.010593
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.store.models

revision = '0003_grs'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('grstierlimit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('charter_version_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('raw', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('title_bn', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('officer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['charter_version_id'], ['charterversion.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('charter_version_id', 'tier')
    )
    with op.batch_alter_table('grstierlimit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grstierlimit_charter_version_id'),
                              ['charter_version_id'],
                              unique=False)

    op.create_table('complaint',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('charter_version_id', sa.Integer(), nullable=True),
    sa.Column('complainant_name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('complainant_contact', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('summary', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('external_ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('received_at', tracker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('received_date', sa.Date(), nullable=False),
    sa.Column('tier_limits', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('limits_default', sa.Boolean(), nullable=False),
    sa.Column('calendar_version', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', tracker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['charter_version_id'], ['charterversion.id'], ),
    sa.ForeignKeyConstraint(['created_by'], ['app_user.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], ),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('office_id', 'external_ref')
    )
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_office_id'), ['office_id'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_received_at'), ['received_at'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_received_date'), ['received_date'],
                              unique=False)
        batch_op.create_index(batch_op.f('ix_complaint_request_id'), ['request_id'],
                              unique=False)

    op.create_table('complaintevent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('at', tracker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=True),
    sa.Column('old_value', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('new_value', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('complaintevent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaintevent_complaint_id'), ['complaint_id'],
                              unique=False)

    op.create_table('complaintstep',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('started_at', tracker.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', tracker.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('resolved_date', sa.Date(), nullable=True),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('resolved_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaint.id'], ),
    sa.ForeignKeyConstraint(['resolved_by'], ['app_user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('complaint_id', 'tier')
    )
    with op.batch_alter_table('complaintstep', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaintstep_complaint_id'), ['complaint_id'],
                              unique=False)



def downgrade() -> None:
    with op.batch_alter_table('complaintstep', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaintstep_complaint_id'))

    op.drop_table('complaintstep')
    with op.batch_alter_table('complaintevent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaintevent_complaint_id'))

    op.drop_table('complaintevent')
    with op.batch_alter_table('complaint', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_request_id'))
        batch_op.drop_index(batch_op.f('ix_complaint_received_date'))
        batch_op.drop_index(batch_op.f('ix_complaint_received_at'))
        batch_op.drop_index(batch_op.f('ix_complaint_office_id'))

    op.drop_table('complaint')
    with op.batch_alter_table('grstierlimit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_grstierlimit_charter_version_id'))

    op.drop_table('grstierlimit')
