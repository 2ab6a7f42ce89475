"""digest deliveries (issue 5)

Revision ID: 0002_digests
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.store.models

revision = "0002_digests"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_delivery",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("office_id", sa.Integer(), nullable=False),
        sa.Column("digest_date", sa.Date(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("recipient", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", tracker.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("claimed_at", tracker.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("sent_at", tracker.store.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("created_at", tracker.store.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["office_id"], ["office.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["app_user.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "digest_date", "kind"),
    )
    with op.batch_alter_table("digest_delivery", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_digest_delivery_digest_date"), ["digest_date"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_digest_delivery_state"), ["state"], unique=False)
        batch_op.create_index(batch_op.f("ix_digest_delivery_user_id"), ["user_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("digest_delivery", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_digest_delivery_user_id"))
        batch_op.drop_index(batch_op.f("ix_digest_delivery_state"))
        batch_op.drop_index(batch_op.f("ix_digest_delivery_digest_date"))
    op.drop_table("digest_delivery")
