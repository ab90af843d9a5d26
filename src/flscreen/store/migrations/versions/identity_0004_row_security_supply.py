"""PostgreSQL row-level security on the supply records that belong to a tenant: its
shipments, and the party records of the importing companies themselves.

Same rule as identity_0002: with ``flscreen.parties`` set (an importer's
transaction), a shipment is visible and writable only when its importer is one of
them; a party record is hidden and unwritable when it is another tenant's importer
party (``identity_tenant_parties``). Suppliers, facilities, transactions and bills of
materials stay shared: they name no tenant. An importer's graph is then built from
what its transactions see (the app caches one graph per tenant), and a package that
reuses another tenant's shipment id cannot replace it: that row is invisible to the
delete, so the insert meets the primary key and the import is refused. SQLite has no
row-level security: this revision does nothing there.

Revision ID: identity_0004
Revises: identity_0003
"""

from __future__ import annotations

from alembic import op

from flscreen.store import row_security

revision = "identity_0004"
down_revision = "identity_0003"
branch_labels = None
depends_on = ("supply_0002",)

POLICIES = {
    "supply_shipments": row_security.BY_IMPORTER,
    "supply_parties": row_security.NOT_ANOTHER_TENANTS_PARTY,
}


def upgrade() -> None:
    row_security.enable(op, POLICIES)


def downgrade() -> None:
    row_security.disable(op, POLICIES)
