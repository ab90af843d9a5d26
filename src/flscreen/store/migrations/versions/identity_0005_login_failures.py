"""Recent failed sign-ins per user name and per client address, so the login throttle
is shared by every server process on the store instead of counted per process.

Revision ID: identity_0005
Revises: identity_0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "identity_0005"
down_revision = "identity_0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_login_failures",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_identity_login_failures_key_at", "identity_login_failures", ["key", "at"])
    op.create_index("ix_identity_login_failures_at", "identity_login_failures", ["at"])


def downgrade() -> None:
    op.drop_index("ix_identity_login_failures_at", table_name="identity_login_failures")
    op.drop_index("ix_identity_login_failures_key_at", table_name="identity_login_failures")
    op.drop_table("identity_login_failures")
