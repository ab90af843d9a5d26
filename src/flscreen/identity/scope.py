"""Tenancy in the query layer: which shipments (and so which screenings, cases,
documents and dossiers) a principal may see.

A tenant is an importing company; it speaks for the importer party ids it was
created with, and its shipments are those whose ``importer_id`` is one of them.
Officers, analysts and auditors see every tenant. Services take a :class:`Scope`
and filter through these functions, so no view filters on its own; an object
outside the scope is reported exactly like a missing one (404, same message),
so an importer cannot even learn that another tenant's shipment exists.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from flscreen.errors import NotFound
from flscreen.supply import store as supply_store

from .roles import Principal
from .store import tenant_party_ids


class OutOfScope(NotFound):
    """An object that exists but belongs to another tenant: answered as "not found";
    ``detail`` (never shown to the caller) goes to the audit record of the refusal."""

    def __init__(self, message: str, detail: str) -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Scope:
    """What a principal may read: everything, or one tenant's importer parties."""

    tenant: str | None = None
    importer_ids: frozenset[str] | None = None
    """None: every shipment. Otherwise only shipments with one of these importers."""

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @property
    def unrestricted(self) -> bool:
        return self.importer_ids is None

    def sees_importer(self, importer_id: str) -> bool:
        return self.importer_ids is None or importer_id in self.importer_ids


def scope_for(conn: Connection, principal: Principal) -> Scope:
    """The scope of ``principal``: a tenant-bound role sees its tenant only (a tenant with
    no parties sees nothing), every other role sees everything."""
    if not principal.tenant_bound:
        return Scope.everything()
    if principal.tenant is None:
        return Scope(tenant=None, importer_ids=frozenset())
    return Scope(tenant=principal.tenant, importer_ids=tenant_party_ids(conn, principal.tenant))


def shipment_clause(scope: Scope, column: sa.ColumnElement[str]) -> sa.ColumnElement[bool]:
    """A WHERE clause keeping rows whose shipment id (``column``) is in the scope."""
    if scope.importer_ids is None:
        return sa.true()
    ship = supply_store.shipments
    return column.in_(
        sa.select(ship.c.shipment_id).where(ship.c.importer_id.in_(sorted(scope.importer_ids)))
    )


def visible_shipments(conn: Connection, scope: Scope) -> frozenset[str] | None:
    """The shipment ids in the scope (None when unrestricted)."""
    if scope.importer_ids is None:
        return None
    ship = supply_store.shipments
    rows = conn.execute(
        sa.select(ship.c.shipment_id).where(ship.c.importer_id.in_(sorted(scope.importer_ids)))
    )
    return frozenset(r.shipment_id for r in rows)


def require_shipment(conn: Connection, scope: Scope, shipment_id: str, message: str) -> None:
    """Raise :class:`OutOfScope` (404 with ``message``) unless the scope sees the shipment
    (an unknown one included: under row-level security the two look the same)."""
    if scope.importer_ids is None:
        return
    ship = supply_store.shipments
    importer = conn.execute(
        sa.select(ship.c.importer_id).where(ship.c.shipment_id == shipment_id)
    ).scalar()
    if importer is None:
        # Under row-level security (identity_0004) another tenant's shipment is
        # invisible, not absent: logged as a refusal either way, answered alike.
        raise not_visible(scope, f"shipment {shipment_id}", message)
    if importer not in scope.importer_ids:
        raise OutOfScope(
            message, f"shipment {shipment_id} belongs to another tenant (importer {importer})"
        )


def _tenant(scope: Scope) -> str:
    return f"tenant {scope.tenant} (another tenant's, or none)"


def not_visible(scope: Scope, what: str, message: str) -> NotFound:
    """The error for an object a restricted scope cannot see (perhaps because the wall
    hides it): OutOfScope, so the refusal is logged; NotFound when unrestricted."""
    if scope.importer_ids is None:
        return NotFound(message)
    return OutOfScope(message, f"{what} is not visible to {_tenant(scope)}")


# --- the second wall: PostgreSQL row-level security ------------------------------------

_ROW_PARTIES: ContextVar[str] = ContextVar("flscreen_row_parties", default="")
NO_PARTY = "\x1fnone"
"""Set for a tenant-bound principal whose tenant has no parties: matches no row."""


def set_row_scope(scope: Scope) -> None:
    """Make this request's database connections carry ``scope`` for the RLS policies
    (migration identity_0002); unrestricted scopes carry nothing and see every row."""
    if scope.importer_ids is None:
        _ROW_PARTIES.set("")
    else:
        _ROW_PARTIES.set(",".join(sorted(scope.importer_ids)) or NO_PARTY)


def install_row_scope(engine: Engine) -> None:
    """On PostgreSQL, start every transaction the app opens with ``SET LOCAL
    flscreen.parties`` (``set_config(..., true)``) from the request's scope
    (contextvars follow the request into its threadpool): the setting lasts exactly
    that transaction, so a pooled connection never carries one request's tenant into
    the next."""
    if engine.dialect.name != "postgresql":
        return

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        # On the DBAPI cursor: psycopg opens the transaction with this statement, so
        # the setting is local to the transaction SQLAlchemy is beginning.
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.execute("SELECT set_config('flscreen.parties', %s, true)", (_ROW_PARTIES.get(),))
        finally:
            cursor.close()


def row_scope_of(conn: Connection) -> str:
    """What the row-level security policies see on ``conn``'s transaction: the importer
    party ids it carries ("" for every row; always "" off PostgreSQL). Caches of what a
    transaction read are keyed by it, so one tenant's view never serves another."""
    if conn.dialect.name != "postgresql":
        return ""
    found = conn.execute(sa.text("SELECT current_setting('flscreen.parties', true)")).scalar()
    return str(found or "")
