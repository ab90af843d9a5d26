"""Importing a supply package: validate it whole, store it, match and locate its parties.

One import for `flscreen supply import`, `flscreen screen PACKAGE`, `POST
/shipments/import`, the shipments page and `flscreen.import_package`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.identity.roles import Forbidden
from flscreen.identity.scope import Scope
from flscreen.identity.tables import tenant_parties
from flscreen.model.supply import Annotations, Shipment, SupplyPackage
from flscreen.store import Store
from flscreen.supply import load_package
from flscreen.supply import store as supply_store
from flscreen.supply.annotate import annotate_package, real_annotator
from flscreen.supply.tables import TABLES


@dataclass(frozen=True, slots=True)
class PackageImport:
    """What one import stored: the records per package table, the shipments it brought,
    and the hits and places its annotation found."""

    import_id: int
    source: str
    counts: dict[str, int]
    shipment_ids: tuple[str, ...]
    annotations: Annotations


def import_package(
    store: Store, path: str | Path, *, source: str | None = None, scope: Scope | None = None
) -> PackageImport:
    """Validate the package at ``path`` (CSV folder, XLSX workbook or JSON file), then in
    one transaction store it and annotate its parties and facilities.

    Nothing is written when any row is wrong (InvalidInput lists every problem).
    ``source`` names the import (the absolute path by default; an upload's file names);
    a restricted ``scope`` (an importer) may send only its own shipments.
    """
    path = Path(path)
    pkg = load_package(path)
    restricted = scope if scope is not None and not scope.unrestricted else None
    label = source or str(path.resolve())
    try:
        with store.begin() as conn:
            if restricted is not None:
                check_own_records(conn, restricted, pkg)
            import_id = supply_store.save_package(conn, pkg, label)
            found = annotate_package(pkg, real_annotator(conn))
            supply_store.save_annotations(conn, found)
    except sa.exc.DBAPIError as exc:
        refusal = walled_write(store, exc, restricted, pkg) if restricted is not None else None
        if refusal is None:
            raise
        raise refusal from None
    return PackageImport(
        import_id=import_id,
        source=label,
        counts={name: len(getattr(pkg, name)) for name in TABLES},
        shipment_ids=tuple(s.shipment_id for s in pkg.shipments),
        annotations=found,
    )


def check_own_records(conn: Connection, scope: Scope, pkg: SupplyPackage) -> None:
    """Refuse (Forbidden, nothing written) a package naming another importer on a
    shipment, reusing the id of a shipment stored for another importer (it would
    replace it), or restating another tenant's own party record (its company)."""
    check_own_shipments(conn, scope, pkg.shipments)
    theirs = tenant_parties.c
    ids = sorted({p.party_id for p in pkg.parties} - (scope.importer_ids or frozenset()))
    taken = conn.execute(
        sa.select(theirs.party_id).where(theirs.party_id.in_(ids)).order_by(theirs.party_id)
    ).scalars()
    wrong = [f"party {party} (another tenant's)" for party in taken]
    if wrong:
        raise _refused(scope, wrong)


def _refused(scope: Scope, wrong: Sequence[str]) -> Forbidden:
    return Forbidden(
        f"tenant {scope.tenant!r} may only import its own shipments; refused: "
        + ", ".join(sorted(set(wrong))[:20])
    )


def walled_write(
    store: Store, exc: sa.exc.DBAPIError, scope: Scope, pkg: SupplyPackage
) -> Forbidden | None:
    """The refusal a write the database stopped amounts to, or None for any other
    failure. On PostgreSQL another tenant's shipment (or company record) is invisible to
    an importer's transaction (row-level security, identity_0004): the checks above
    cannot see it, the import's delete of the old row misses it, and the insert meets
    the primary key; a row naming another tenant's importer fails the policy's check.
    Either way nothing is written, and the answer is the checks' own refusal."""
    state = getattr(exc.orig, "sqlstate", None)
    table = getattr(getattr(exc.orig, "diag", None), "table_name", None)
    if state == "23505" and table == "supply_shipments":
        # PostgreSQL names no key of a table under row-level security (that would leak
        # it), so the refusal names the package's ids the tenant does not already hold.
        return _refused(scope, [_unheld(store, [s.shipment_id for s in pkg.shipments])])
    if state == "42501" and "row-level security" in str(exc.orig):
        return _refused(scope, ["a record of another tenant's (the tenant wall)"])
    return None


def _unheld(store: Store, ids: list[str]) -> str:
    ship = supply_store.shipments
    held: set[str] = set()
    with store.connect() as conn:
        for start in range(0, len(ids), supply_store.CHUNK):
            chunk = ids[start : start + supply_store.CHUNK]
            held.update(
                conn.execute(
                    sa.select(ship.c.shipment_id).where(ship.c.shipment_id.in_(chunk))
                ).scalars()
            )
    new = sorted(set(ids) - held)
    if len(new) == 1:
        return f"{new[0]} (id not available)"
    listed = ", ".join(new[:20]) + (f" and {len(new) - 20} more" if len(new) > 20 else "")
    return f"one of {listed} (id not available)"


def check_own_shipments(conn: Connection, scope: Scope, shipments: Sequence[Shipment]) -> None:
    """Refuse (Forbidden, nothing written) a package naming another importer on a
    shipment, or reusing the id of a shipment stored for another importer (it would
    replace it). Under row-level security the second is caught by the primary key
    (:func:`walled_write`)."""
    wrong = [
        f"{s.shipment_id} (importer {s.importer_id})"
        for s in shipments
        if not scope.sees_importer(s.importer_id)
    ]
    ship = supply_store.shipments
    stored = conn.execute(
        sa.select(ship.c.shipment_id, ship.c.importer_id).where(
            ship.c.shipment_id.in_([s.shipment_id for s in shipments])
        )
    )
    wrong += [
        f"{r.shipment_id} (id not available)"
        for r in stored
        if not scope.sees_importer(r.importer_id)
    ]
    if wrong:
        raise _refused(scope, wrong)
