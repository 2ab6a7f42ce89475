"""login attempts: one row per dashboard login attempt and per unlock (the throttle's memory)

The login throttle (tracker.services.auth) counts an account's and a client's recent
failures in this table, and administrators read it with ``tracker user attempts``. A new
table only: nothing existing changes, so downgrading just drops it (and its history).

Revision ID: 0005_login_attempts
Revises: 0004_merge_heads
Create Date: 2026-12-02 15:49:21.228345
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import tracker.store.models

revision = "0005_login_attempts"
down_revision = "0004_merge_heads"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("client", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("at", tracker.store.models.UTCDateTime(timezone=True), nullable=False),
        # The outcome enum is stored as its text value (a plain VARCHAR), like request.state.
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_attempt_at"), ["at"], unique=False)
        batch_op.create_index("ix_login_attempt_client_outcome_at",
                              ["client", "outcome", "at"], unique=False)
        batch_op.create_index("ix_login_attempt_username_outcome_at",
                              ["username", "outcome", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_attempt", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempt_username_outcome_at")
        batch_op.drop_index("ix_login_attempt_client_outcome_at")
        batch_op.drop_index(batch_op.f("ix_login_attempt_at"))
    op.drop_table("login_attempt")
