"""office kinds and services needing review: offices of every kind, charters read by meaning

``office.office_kind`` says what an office is (ict, land, uno, union_parishad, …): every
office existing before this revision is an ICT office, so the column defaults to "ict".
``service.needs_review`` marks a service whose printed limit the parser could not read
safely; requests cannot be logged against it until a reviewer sets the limit. Existing
services were all understood or "per directive", so they default to false.

Revision ID: 0006_office_kinds
Revises: 0005_login_attempts
Create Date: 2026-12-03 13:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006_office_kinds"
down_revision = "0005_login_attempts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.add_column(sa.Column("office_kind", sqlmodel.sql.sqltypes.AutoString(),
                                      nullable=False, server_default="ict"))
        batch_op.create_index(batch_op.f("ix_office_office_kind"), ["office_kind"],
                              unique=False)
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.add_column(sa.Column("needs_review", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("service", schema=None) as batch_op:
        batch_op.drop_column("needs_review")
    with op.batch_alter_table("office", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_office_office_kind"))
        batch_op.drop_column("office_kind")
