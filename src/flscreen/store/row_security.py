"""PostgreSQL row-level security policies for the tenant wall, shared by the migrations
that add them (identity_0002, identity_0003, identity_0004).

A policy keeps a row when ``flscreen.parties`` (set per transaction for an importer,
see :func:`flscreen.identity.scope.install_row_scope`) is empty, or when the row's
shipment has one of those importer parties (a party record: unless it is another
tenant's importer). FORCEd, so the tables' owner (which the
app connects as) is bound too; superusers and BYPASSRLS roles are not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

PARTIES = "coalesce(current_setting('flscreen.parties', true), '')"
OWN = f"string_to_array({PARTIES}, ',')"
"""The tenant's importer party ids, as an array."""
OWN_SHIPMENTS = f"SELECT shipment_id FROM supply_shipments WHERE importer_id = ANY ({OWN})"
"""Since identity_0004 supply_shipments has its own policy, which keeps the same rows."""
UNSET = f"{PARTIES} = ''"
BY_SHIPMENT = f"{UNSET} OR shipment_id IN ({OWN_SHIPMENTS})"
BY_CASE = f"{UNSET} OR case_pk IN (SELECT id FROM cases)"
"""Through cases, whose own policy filters the subquery."""
BY_IMPORTER = f"{UNSET} OR importer_id = ANY ({OWN})"
"""A shipment: its importer is one of the tenant's parties."""
NOT_ANOTHER_TENANTS_PARTY = (
    f"{UNSET} OR party_id NOT IN (SELECT t.party_id FROM identity_tenant_parties t "
    f"WHERE t.party_id <> ALL ({OWN}))"
)
"""A party record, unless it is another tenant's own company (an importer party id
registered to another tenant): suppliers stay shared, importers' records do not."""


def enable(op: Any, policies: Mapping[str, str]) -> None:
    """Turn on (and force) the ``tenant_wall`` policy of each table; PostgreSQL only."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, rule in policies.items():
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
        op.execute(f"CREATE POLICY tenant_wall ON {table} USING ({rule}) WITH CHECK ({rule})")


def disable(op: Any, tables: Mapping[str, str]) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in tables:
        op.execute(f"DROP POLICY IF EXISTS tenant_wall ON {table}")
        op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


def bypassed_by(conn: Any) -> str | None:
    """Why row-level security does not bind ``conn``'s role (it is a superuser, or has
    BYPASSRLS), or None when it does or the store is not PostgreSQL: then the wall is
    off, and only the query layer keeps tenants apart."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.exec_driver_sql(
        "SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user"
    ).first()
    if row is None or not (row[1] or row[2]):
        return None
    return f"role {row[0]!r} is {'a superuser' if row[1] else 'BYPASSRLS'}"
