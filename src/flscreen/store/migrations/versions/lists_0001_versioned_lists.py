"""Versioned screening lists: lists, versions, content-addressed entry bodies.

Revision ID: lists_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "lists_0001"
down_revision = None
branch_labels = ("lists",)
depends_on = None


def upgrade() -> None:
    # DDL written out here (not imported from flscreen.lists.store) so this
    # migration keeps meaning what it meant when later revisions change the tables.
    op.create_table(
        "lists",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_table(
        "list_versions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("list_id", sa.Integer, sa.ForeignKey("lists.id"), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("imported_at", sa.String(32), nullable=False),
        sa.Column("retrieved_at", sa.String(32), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("entries_digest", sa.String(64), nullable=False),
        sa.Column("entry_count", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Integer, nullable=False, server_default="0"),
        sa.UniqueConstraint("list_id", "version", name="uq_list_versions_list_version"),
    )
    op.create_table(
        "list_entry_bodies",
        sa.Column("content_hash", sa.String(64), primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    op.create_table(
        "list_version_entries",
        sa.Column(
            "version_id",
            sa.Integer,
            sa.ForeignKey("list_versions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("entry_id", sa.String(255), primary_key=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("list_version_entries")
    op.drop_table("list_entry_bodies")
    op.drop_table("list_versions")
    op.drop_table("lists")
