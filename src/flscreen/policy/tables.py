"""Tables of the verdicts domain: screenings, cases, case events, documents, rebuttals,
findings.

Each row that changes what people see also holds the anchor (sequence number
and hash) of the audit record that logged it, so the audit log cannot lose its
tail unnoticed.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()

screenings = sa.Table(
    "screenings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(40), nullable=False),
    sa.Column("shipment_id", sa.String(255), nullable=False),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("policy_version", sa.String(64), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),
    # The verdict as JSON, exactly as `flscreen screen` wrote it, and the trace it
    # rests on, so a dossier shows what the screen saw then.
    sa.Column("verdict", sa.Text, nullable=False),
    sa.Column("trace", sa.Text, nullable=False),
    sa.Column("list_versions", sa.Text, nullable=False),
    sa.Column("screened_at", sa.String(40), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("audit_seq", sa.Integer, nullable=False),
    sa.Column("audit_hash", sa.String(64), nullable=False),
    sa.Index("ix_screenings_shipment", "shipment_id", "id"),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(40), nullable=False, unique=True),
    sa.Column("shipment_id", sa.String(255), nullable=False, index=True),
    sa.Column("screening_id", sa.Integer, sa.ForeignKey("screenings.id"), nullable=False),
    sa.Column("policy", sa.String(64), nullable=False),
    sa.Column("policy_version", sa.String(64), nullable=False),
    # The policy's exception requirements when the case opened (JSON).
    sa.Column("exception_rule", sa.Text, nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("opened_at", sa.String(40), nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    # Who works the case now (assign/reassign are case events in the audit log).
    sa.Column("assignee", sa.String(255), nullable=True),
    # When the goods were first held (a detain or exclude verdict): the detention clock.
    sa.Column("detained_at", sa.String(40), nullable=True),
)

case_events = sa.Table(
    "case_events",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("from_state", sa.String(32), nullable=True),
    sa.Column("to_state", sa.String(32), nullable=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("clear_and_convincing", sa.Boolean, nullable=False, default=False),
    sa.Column("audit_seq", sa.Integer, nullable=False),
    sa.Column("audit_hash", sa.String(64), nullable=False),
)

rebuttals = sa.Table(
    "rebuttals",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    sa.Column("statement", sa.Text, nullable=False),
    sa.Column("supplied_by", sa.String(255), nullable=False),
    sa.Column("submitted_at", sa.String(40), nullable=False),
    sa.Column("audit_seq", sa.Integer, nullable=False),
    sa.Column("audit_hash", sa.String(64), nullable=False),
)

evidence_documents = sa.Table(
    "evidence_documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("filename", sa.Text, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("supplied_by", sa.String(255), nullable=False),
    sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=True, index=True),
    sa.Column("transaction_id", sa.String(255), nullable=True, index=True),
    sa.Column("rebuttal_id", sa.Integer, sa.ForeignKey("rebuttals.id"), nullable=True),
    sa.Column("added_at", sa.String(40), nullable=False),
    sa.Column("audit_seq", sa.Integer, nullable=False),
    sa.Column("audit_hash", sa.String(64), nullable=False),
)

case_findings = sa.Table(
    "case_findings",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_pk", sa.Integer, sa.ForeignKey("cases.id"), nullable=False, index=True),
    # 'applicability' (the law does not apply to these goods) or 'exception'.
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("statement", sa.Text, nullable=False),
    # JSON list of the evidence_documents ids the finding rests on.
    sa.Column("document_ids", sa.Text, nullable=False),
    sa.Column("clear_and_convincing", sa.Boolean, nullable=False, default=False),
    sa.Column("actor", sa.String(255), nullable=False),
    sa.Column("at", sa.String(40), nullable=False),
    sa.Column("audit_seq", sa.Integer, nullable=False),
    sa.Column("audit_hash", sa.String(64), nullable=False),
)

ANCHORED = (screenings, case_events, rebuttals, evidence_documents, case_findings)


def inserted_id(result: sa.CursorResult[Any]) -> int:
    """The primary key an INSERT produced (both backends return it)."""
    key = result.inserted_primary_key
    if key is None:
        raise RuntimeError("the database returned no primary key for an insert")
    return int(key[0])
