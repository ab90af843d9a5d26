"""Supply-chain records (parties, facilities, ownership, transactions, BOM, shipments,
documents), their imports, and party/facility annotations.

Revision ID: supply_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "supply_0001"
down_revision = None
branch_labels = ("supply",)
depends_on = None

ID = sa.String(255)


def upgrade() -> None:
    # DDL written out here (not imported from flscreen.supply.store) so this
    # revision keeps its meaning when later revisions change the tables.
    op.create_table(
        "supply_imports",
        sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("imported_at", sa.String(40), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
    )
    op.create_table(
        "supply_parties",
        sa.Column("party_id", ID, primary_key=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("aliases", sa.JSON, nullable=False),
        sa.Column("country", sa.String(64)),
        sa.Column("address", sa.Text),
        sa.Column("registration_id", ID),
        sa.Column("phone", ID),
        sa.Column("postal_code", sa.String(64)),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "supply_facilities",
        sa.Column("facility_id", ID, primary_key=True),
        sa.Column("operator_id", ID, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("country", sa.String(64)),
        sa.Column("address", sa.Text),
        sa.Column("postal_code", sa.String(64)),
        sa.Column("phone", ID),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "supply_ownership",
        sa.Column("owner_id", ID, primary_key=True),
        sa.Column("owned_id", ID, primary_key=True),
        sa.Column("share", sa.Float),
        sa.Column("control", sa.Boolean, nullable=False),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "supply_transactions",
        sa.Column("transaction_id", ID, primary_key=True),
        sa.Column("supplier_id", ID, nullable=False),
        sa.Column("buyer_id", ID, nullable=False),
        sa.Column("material", sa.Text, nullable=False),
        sa.Column("quantity", sa.Float, nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("supplier_facility_id", ID),
        sa.Column("buyer_facility_id", ID),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_index("ix_supply_transactions_buyer_id", "supply_transactions", ["buyer_id"])
    op.create_table(
        "supply_bom",
        sa.Column("product", ID, primary_key=True),
        sa.Column("material", ID, primary_key=True),
        sa.Column("quantity", sa.Float),
        sa.Column("unit", sa.String(32)),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "supply_shipments",
        sa.Column("shipment_id", ID, primary_key=True),
        sa.Column("importer_id", ID, nullable=False),
        sa.Column("exporter_id", ID, nullable=False),
        sa.Column("manufacturer_id", ID, nullable=False),
        sa.Column("product", sa.Text, nullable=False),
        sa.Column("hs_code", sa.String(32), nullable=False),
        sa.Column("quantity", sa.Float, nullable=False),
        sa.Column("unit", sa.String(32), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("declared_origin", sa.String(64)),
        sa.Column("date", sa.String(10), nullable=False),
        sa.Column("documents", sa.JSON, nullable=False),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "supply_documents",
        sa.Column("document_id", ID, primary_key=True),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64)),
        sa.Column("path", sa.Text),
        sa.Column("import_id", sa.Integer, nullable=False),
    )
    op.create_table(
        "supply_annotations",
        sa.Column("annotation_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subject_kind", sa.String(16), nullable=False),
        sa.Column("subject_id", ID, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("list_versions", sa.JSON, nullable=False),
        sa.Column("matcher", sa.String(128)),
        sa.Column("gazetteer", sa.String(128)),
        sa.Column("annotated_at", sa.String(40), nullable=False),
        sa.Column("current", sa.Boolean, nullable=False),
    )
    op.create_index(
        "ix_supply_annotations_subject", "supply_annotations", ["subject_kind", "subject_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_supply_annotations_subject", table_name="supply_annotations")
    op.drop_table("supply_annotations")
    op.drop_index("ix_supply_transactions_buyer_id", table_name="supply_transactions")
    for table in (
        "supply_documents",
        "supply_shipments",
        "supply_bom",
        "supply_transactions",
        "supply_ownership",
        "supply_facilities",
        "supply_parties",
        "supply_imports",
    ):
        op.drop_table(table)
