"""PostgreSQL row-level security on cases, their events, rebuttals and documents: a
second tenant wall under the query layer's filter.

A request of an importer sets ``flscreen.parties`` (its tenant's importer party ids,
comma-separated) on its connection; rows of cases whose shipment has another importer
are then invisible and cannot be written, even by a query that forgot its filter.
Unset or empty (officers, analysts, auditors, the CLI, migrations) sees every row.
The policies are FORCEd so they bind the tables' owner, which the app connects as.
SQLite has no row-level security: this revision does nothing there.

Revision ID: identity_0002
Revises: identity_0001
"""

from __future__ import annotations

from alembic import op

from flscreen.store import row_security

revision = "identity_0002"
down_revision = "identity_0001"
branch_labels = None
depends_on = ("policy_0001", "supply_0001")

POLICIES = {
    "cases": row_security.BY_SHIPMENT,
    "case_events": row_security.BY_CASE,
    "rebuttals": row_security.BY_CASE,
    "evidence_documents": row_security.BY_CASE,
}


def upgrade() -> None:
    row_security.enable(op, POLICIES)


def downgrade() -> None:
    row_security.disable(op, POLICIES)
