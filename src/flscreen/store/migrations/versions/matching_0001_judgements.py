"""Analysts' match judgements on (party, list entry) pairs.

Revision ID: matching_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "matching_0001"
down_revision = None
branch_labels = ("matching",)
depends_on = None


def upgrade() -> None:
    # DDL written out here so this revision keeps its meaning if
    # flscreen.matching.judgements changes. No foreign key into the lists
    # tables: a judgement names the entry by list name and entry id, which
    # survive list versions (and a judgement outlives an entry's removal).
    op.create_table(
        "match_judgements",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("party_key", sa.Text, nullable=False),
        sa.Column("query_name", sa.Text, nullable=False),
        sa.Column("registration_id", sa.Text, nullable=True),
        sa.Column("list_name", sa.Text, nullable=False),
        sa.Column("entry_id", sa.Text, nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("decided_by", sa.Text, nullable=False),
        sa.Column("decided_at", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("algorithm", sa.Text, nullable=True),
        sa.Column("score", sa.Float, nullable=True),
    )
    op.create_index("ix_match_judgements_party", "match_judgements", ["party_key"])
    op.create_index("ix_match_judgements_entry", "match_judgements", ["list_name", "entry_id"])


def downgrade() -> None:
    op.drop_index("ix_match_judgements_entry", table_name="match_judgements")
    op.drop_index("ix_match_judgements_party", table_name="match_judgements")
    op.drop_table("match_judgements")
