"""The ID token of an OpenID sign-in, kept with its session so signing out can end the
provider's session too (OpenID Connect RP-Initiated Logout: ``id_token_hint``).

Revision ID: identity_0006
Revises: identity_0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "identity_0006"
down_revision = "identity_0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("identity_sessions") as batch:
        batch.add_column(sa.Column("id_token", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("identity_sessions") as batch:
        batch.drop_column("id_token")
