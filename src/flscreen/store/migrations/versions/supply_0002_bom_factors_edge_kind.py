"""Bill-of-materials conversion factors (per unit, yield) and the evidence kind of
each supply edge ('documented', or e.g. 'inferred' from bills of lading).

Revision ID: supply_0002
Revises: supply_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "supply_0002"
down_revision = "supply_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("supply_bom") as batch:
        batch.add_column(sa.Column("per", sa.String(32)))
        batch.add_column(sa.Column("yield_", sa.Float))
    with op.batch_alter_table("supply_transactions") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(32), nullable=False, server_default="documented")
        )
        batch.add_column(sa.Column("provenance", sa.Text))


def downgrade() -> None:
    with op.batch_alter_table("supply_transactions") as batch:
        batch.drop_column("provenance")
        batch.drop_column("kind")
    with op.batch_alter_table("supply_bom") as batch:
        batch.drop_column("yield_")
        batch.drop_column("per")
