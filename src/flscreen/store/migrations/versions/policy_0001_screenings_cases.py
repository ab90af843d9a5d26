"""Screenings, cases, case events, rebuttals and evidence documents.

Revision ID: policy_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "policy_0001"
down_revision = None
branch_labels = ("policy",)
depends_on = None


def _anchor() -> list[sa.Column[object]]:
    """The audit record that logged the row: (sequence number, hash)."""
    return [
        sa.Column("audit_seq", sa.Integer, nullable=False),
        sa.Column("audit_hash", sa.String(64), nullable=False),
    ]


def upgrade() -> None:
    # DDL written out here so this revision keeps its meaning if flscreen.policy.tables changes.
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(40), nullable=False),
        sa.Column("shipment_id", sa.String(255), nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("outcome", sa.String(16), nullable=False),
        sa.Column("verdict", sa.Text, nullable=False),
        sa.Column("trace", sa.Text, nullable=False),
        sa.Column("list_versions", sa.Text, nullable=False),
        sa.Column("screened_at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        *_anchor(),
    )
    op.create_index("ix_screenings_shipment", "screenings", ["shipment_id", "id"])
    op.create_table(
        "cases",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(40), nullable=False, unique=True),
        sa.Column("shipment_id", sa.String(255), nullable=False),
        sa.Column("screening_id", sa.Integer, sa.ForeignKey("screenings.id"), nullable=False),
        sa.Column("policy", sa.String(64), nullable=False),
        sa.Column("policy_version", sa.String(64), nullable=False),
        sa.Column("exception_rule", sa.Text, nullable=False),
        sa.Column("verdict", sa.String(16), nullable=False),
        sa.Column("state", sa.String(32), nullable=False),
        sa.Column("opened_at", sa.String(40), nullable=False),
        sa.Column("updated_at", sa.String(40), nullable=False),
    )
    op.create_index("ix_cases_shipment_id", "cases", ["shipment_id"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("from_state", sa.String(32), nullable=True),
        sa.Column("to_state", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("clear_and_convincing", sa.Boolean, nullable=False),
        *_anchor(),
    )
    op.create_index("ix_case_events_case_pk", "case_events", ["case_pk"])
    op.create_table(
        "rebuttals",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("statement", sa.Text, nullable=False),
        sa.Column("supplied_by", sa.String(255), nullable=False),
        sa.Column("submitted_at", sa.String(40), nullable=False),
        *_anchor(),
    )
    op.create_index("ix_rebuttals_case_pk", "rebuttals", ["case_pk"])
    op.create_table(
        "evidence_documents",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("supplied_by", sa.String(255), nullable=False),
        sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=True),
        sa.Column("transaction_id", sa.String(255), nullable=True),
        sa.Column("rebuttal_id", sa.Integer, sa.ForeignKey("rebuttals.id"), nullable=True),
        sa.Column("added_at", sa.String(40), nullable=False),
        *_anchor(),
    )
    op.create_index("ix_evidence_documents_sha256", "evidence_documents", ["sha256"])
    op.create_index("ix_evidence_documents_case_pk", "evidence_documents", ["case_pk"])
    op.create_index(
        "ix_evidence_documents_transaction_id", "evidence_documents", ["transaction_id"]
    )


def downgrade() -> None:
    for table in ("evidence_documents", "rebuttals", "case_events", "cases", "screenings"):
        op.drop_table(table)
