"""Tables of the identity domain: tenants and the importer parties they speak for,
users, API tokens, sessions and recent failed sign-ins. Secrets are stored as hashes
only: an argon2 hash for a password, sha256 for a token or session id (both are
256-bit random, so a fast hash is enough and lookups stay an index probe)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

tenants = sa.Table(
    "identity_tenants",
    metadata,
    sa.Column("tenant", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

tenant_parties = sa.Table(
    "identity_tenant_parties",
    metadata,
    # An importer party id (shipments.importer_id) belongs to at most one tenant.
    sa.Column("party_id", sa.String(255), primary_key=True),
    sa.Column("tenant", sa.String(64), sa.ForeignKey("identity_tenants.tenant"), nullable=False),
)

users = sa.Table(
    "identity_users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(128), nullable=False, unique=True),
    sa.Column("display_name", sa.String(255), nullable=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("tenant", sa.String(64), sa.ForeignKey("identity_tenants.tenant"), nullable=True),
    sa.Column("password_hash", sa.String(255), nullable=True),
    sa.Column("os_user", sa.String(128), nullable=True, unique=True),
    sa.Column("oidc_subject", sa.String(255), nullable=True, unique=True),
    sa.Column("disabled", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.String(40), nullable=False),
)

api_tokens = sa.Table(
    "identity_tokens",
    metadata,
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

sessions = sa.Table(
    "identity_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("session_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("identity_users.id"), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", sa.String(40), nullable=False),
    sa.Column("expires_at", sa.String(40), nullable=False),
    sa.Column("revoked_at", sa.String(40), nullable=True),
    sa.Column("via", sa.String(16), nullable=False),
    # An OpenID sign-in's ID token, sent back to the provider as ``id_token_hint`` when
    # the session is signed out (RP-initiated logout); cleared when the session ends.
    sa.Column("id_token", sa.Text, nullable=True),
)

login_failures = sa.Table(
    "identity_login_failures",
    metadata,
    # One row per failed sign-in and key ("user:NAME", "address:IP"), kept for the
    # throttle's window: every server process on the store counts the same rows.
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("at", sa.Float, nullable=False),  # epoch seconds: the servers' clocks (NTP)
    sa.Index("ix_identity_login_failures_key_at", "key", "at"),
    sa.Index("ix_identity_login_failures_at", "at"),
)
