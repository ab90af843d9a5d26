"""Tenants, the importer parties they speak for, users, API tokens and sessions.

Revision ID: identity_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "identity_0001"
down_revision = None
branch_labels = ("identity",)
depends_on = None


def upgrade() -> None:
    # DDL written out here so this revision keeps its meaning if flscreen.identity changes.
    op.create_table(
        "identity_tenants",
        sa.Column("tenant", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "identity_tenant_parties",
        sa.Column("party_id", sa.String(255), primary_key=True),
        sa.Column(
            "tenant", sa.String(64), sa.ForeignKey("identity_tenants.tenant"), nullable=False
        ),
    )
    op.create_table(
        "identity_users",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(128), nullable=False, unique=True),
        sa.Column("display_name", sa.String(255), nullable=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(64), sa.ForeignKey("identity_tenants.tenant"), nullable=True),
        sa.Column("password_hash", sa.String(255), nullable=True),
        sa.Column("os_user", sa.String(128), nullable=True, unique=True),
        sa.Column("oidc_subject", sa.String(255), nullable=True, unique=True),
        sa.Column("disabled", sa.Boolean, nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
    )
    op.create_table(
        "identity_tokens",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("token_id", sa.String(16), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("identity_users.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("tenant", sa.String(64), nullable=True),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.Column("last_used_at", sa.String(40), nullable=True),
    )
    op.create_table(
        "identity_sessions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("identity_users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.String(40), nullable=False),
        sa.Column("expires_at", sa.String(40), nullable=False),
        sa.Column("revoked_at", sa.String(40), nullable=True),
        sa.Column("via", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    for name in (
        "identity_sessions",
        "identity_tokens",
        "identity_users",
        "identity_tenant_parties",
        "identity_tenants",
    ):
        op.drop_table(name)
