"""merge the digests (0002) and GRS (0003) branches into one head

Both were written against 0001 at the same time. Nothing to change in the schema: this
revision only joins the history so that ``upgrade head`` has exactly one target.

Revision ID: 0004_merge_heads
Revises: 0002_digests, 0003_grs
"""

from __future__ import annotations

revision = "0004_merge_heads"
down_revision = ("0002_digests", "0003_grs")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
