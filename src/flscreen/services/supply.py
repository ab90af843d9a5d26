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
from flscreen.model.supply import Annotations, Shipment
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
    with store.begin() as conn:
        if scope is not None and not scope.unrestricted:
            check_own_shipments(conn, scope, pkg.shipments)
        label = source or str(path.resolve())
        import_id = supply_store.save_package(conn, pkg, label)
        found = annotate_package(pkg, real_annotator(conn))
        supply_store.save_annotations(conn, found)
    return PackageImport(
        import_id=import_id,
        source=label,
        counts={name: len(getattr(pkg, name)) for name in TABLES},
        shipment_ids=tuple(s.shipment_id for s in pkg.shipments),
        annotations=found,
    )


def check_own_shipments(conn: Connection, scope: Scope, shipments: Sequence[Shipment]) -> None:
    """Refuse (Forbidden, nothing written) a package naming another importer on a
    shipment, or reusing the id of a shipment stored for another importer (it would
    replace it)."""
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
        raise Forbidden(
            f"tenant {scope.tenant!r} may only import its own shipments; refused: "
            + ", ".join(sorted(set(wrong))[:20])
        )
