"""Case findings (applicability, exception), case assignee and detention start.

Revision ID: policy_0002
Revises: policy_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "policy_0002"
down_revision = "policy_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("assignee", sa.String(255), nullable=True))
        batch.add_column(sa.Column("detained_at", sa.String(40), nullable=True))
    # Cases opened on a detain or exclude verdict were held from the day they opened.
    op.execute("UPDATE cases SET detained_at = opened_at WHERE verdict IN ('detain', 'exclude')")
    op.create_table(
        "case_findings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("document_ids", sa.Text, nullable=False),
        sa.Column("clear_and_convincing", sa.Boolean, nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("audit_seq", sa.Integer, nullable=False),
        sa.Column("audit_hash", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("case_findings")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("detained_at")
        batch.drop_column("assignee")
