"""Trade records (bills of lading) and the firms, edges and flags inferred from them.

Revision ID: trade_0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "trade_0001"
down_revision = None
branch_labels = ("trade",)
depends_on = None


def upgrade() -> None:
    # DDL written out so this revision keeps its meaning if flscreen.trade.store changes.
    op.create_table(
        "trade_edges",
        sa.Column("edge_id", sa.String(length=128), primary_key=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("supplier_firm", sa.String(length=64), nullable=False),
        sa.Column("buyer_firm", sa.String(length=64), nullable=False),
        sa.Column("material", sa.Text, nullable=True),
        sa.Column("hs_chapter", sa.String(length=4), nullable=True),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("first_date", sa.String(length=10), nullable=False),
        sa.Column("last_date", sa.String(length=10), nullable=False),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("weight_kg", sa.Float, nullable=True),
        sa.Column("bills", sa.JSON, nullable=False),
    )
    op.create_index("ix_trade_edges_buyer", "trade_edges", ["buyer_firm"])
    op.create_table(
        "trade_firms",
        sa.Column("firm_id", sa.String(length=64), primary_key=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("address", sa.Text, nullable=True),
        sa.Column("country", sa.String(length=8), nullable=True),
        sa.Column("records", sa.Integer, nullable=False),
        sa.Column("names", sa.JSON, nullable=False),
        sa.Column("explanation", sa.JSON, nullable=False),
        sa.Column("location", sa.JSON, nullable=True),
        sa.Column("hits", sa.JSON, nullable=False),
        sa.Column("parties", sa.JSON, nullable=False),
    )
    op.create_table(
        "trade_flags",
        sa.Column("flag_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("firm_id", sa.String(length=64), nullable=True),
        sa.Column("party_id", sa.String(length=255), nullable=True),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("evidence", sa.JSON, nullable=False),
    )
    op.create_table(
        "trade_imports",
        sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("imported_at", sa.String(length=40), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("records", sa.Integer, nullable=False),
    )
    op.create_table(
        "trade_records",
        sa.Column("record_id", sa.String(length=255), primary_key=True),
        sa.Column("import_id", sa.Integer, nullable=False),
        sa.Column("bill_number", sa.Text, nullable=False),
        sa.Column("master_bill", sa.Text, nullable=True),
        sa.Column("arrival_date", sa.Text, nullable=True),
        sa.Column("shipment_date", sa.Text, nullable=True),
        sa.Column("shipper_name", sa.Text, nullable=True),
        sa.Column("shipper_address", sa.Text, nullable=True),
        sa.Column("shipper_country", sa.Text, nullable=True),
        sa.Column("consignee_name", sa.Text, nullable=True),
        sa.Column("consignee_address", sa.Text, nullable=True),
        sa.Column("consignee_country", sa.Text, nullable=True),
        sa.Column("notify_name", sa.Text, nullable=True),
        sa.Column("notify_address", sa.Text, nullable=True),
        sa.Column("carrier", sa.Text, nullable=True),
        sa.Column("vessel", sa.Text, nullable=True),
        sa.Column("port_of_lading", sa.Text, nullable=True),
        sa.Column("port_of_unlading", sa.Text, nullable=True),
        sa.Column("place_of_receipt", sa.Text, nullable=True),
        sa.Column("country_of_origin", sa.Text, nullable=True),
        sa.Column("container_count", sa.Integer, nullable=True),
        sa.Column("hs_codes", sa.Text, nullable=True),
        sa.Column("goods_description", sa.Text, nullable=True),
        sa.Column("gross_weight", sa.Float, nullable=True),
        sa.Column("weight_unit", sa.Text, nullable=True),
        sa.Column("gross_weight_kg", sa.Float, nullable=True),
        sa.Column("quantity", sa.Float, nullable=True),
        sa.Column("quantity_unit", sa.Text, nullable=True),
        sa.Column("source", sa.Text, nullable=True),
        sa.Column("row", sa.Integer, nullable=True),
    )
    op.create_index("ix_trade_records_bill", "trade_records", ["bill_number"])
    op.create_table(
        "trade_runs",
        sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ran_at", sa.String(length=40), nullable=False),
        sa.Column("algorithm", sa.Text, nullable=False),
        sa.Column("counts", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_index("ix_trade_edges_buyer", table_name="trade_edges")
    op.drop_index("ix_trade_records_bill", table_name="trade_records")
    op.drop_table("trade_runs")
    op.drop_table("trade_records")
    op.drop_table("trade_imports")
    op.drop_table("trade_flags")
    op.drop_table("trade_firms")
    op.drop_table("trade_edges")
