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

revision = "identity_0002"
down_revision = "identity_0001"
branch_labels = None
depends_on = ("policy_0001", "supply_0001")

PARTIES = "coalesce(current_setting('flscreen.parties', true), '')"
OWN_SHIPMENTS = (
    "SELECT shipment_id FROM supply_shipments "
    f"WHERE importer_id = ANY (string_to_array({PARTIES}, ','))"
)
POLICIES = {
    "cases": f"{PARTIES} = '' OR shipment_id IN ({OWN_SHIPMENTS})",
    # Through cases, whose own policy filters the subquery.
    "case_events": f"{PARTIES} = '' OR case_pk IN (SELECT id FROM cases)",
    "rebuttals": f"{PARTIES} = '' OR case_pk IN (SELECT id FROM cases)",
    "evidence_documents": f"{PARTIES} = '' OR case_pk IN (SELECT id FROM cases)",
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, rule in POLICIES.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_wall ON {table} USING ({rule}) WITH CHECK ({rule})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in POLICIES:
        op.execute(f"DROP POLICY IF EXISTS tenant_wall ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
