"""PostgreSQL row-level security on screenings and case findings too: the rows that
carry another tenant's verdict evidence and the officer's findings on its cases.

Same rule as identity_0002: with ``flscreen.parties`` set (an importer's
transaction), a screening is visible and writable only when its shipment's importer
is one of them, a finding only when its case is visible. Supply tables stay with the
query layer (see docs/security.md: the shared supply graph cache and the import's
check that a shipment id is not another tenant's both read across tenants on
purpose). SQLite has no row-level security: this revision does nothing there.

Revision ID: identity_0003
Revises: identity_0002
"""

from __future__ import annotations

from alembic import op

from flscreen.store import row_security

revision = "identity_0003"
down_revision = "identity_0002"
branch_labels = None
depends_on = ("policy_0002",)

POLICIES = {
    "screenings": row_security.BY_SHIPMENT,
    "case_findings": row_security.BY_CASE,
}


def upgrade() -> None:
    row_security.enable(op, POLICIES)


def downgrade() -> None:
    row_security.disable(op, POLICIES)
