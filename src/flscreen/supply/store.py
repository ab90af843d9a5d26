"""Supply tables in the store: save a validated package, load it back, keep annotations.

A package is written in the caller's transaction: either every row lands or
none does. Records keep the import they came from; importing a record with
an id already stored replaces it (the later package is the importer's
correction). Annotations are append-only: re-annotation after a list update
adds a new current row and keeps the old one, so a past verdict's evidence stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.model.supply import (
    Annotation,
    Annotations,
    BomLine,
    Document,
    Facility,
    Ownership,
    Party,
    Shipment,
    SupplyPackage,
    Transaction,
)

metadata = sa.MetaData()


def _import_col() -> sa.Column[Any]:
    return sa.Column("import_id", sa.Integer, nullable=False)


imports = sa.Table(
    "supply_imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.String(40), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
)
parties = sa.Table(
    "supply_parties",
    metadata,
    sa.Column("party_id", sa.String(255), primary_key=True),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("aliases", sa.JSON, nullable=False),
    sa.Column("country", sa.String(64)),
    sa.Column("address", sa.Text),
    sa.Column("registration_id", sa.String(255)),
    sa.Column("phone", sa.String(255)),
    sa.Column("postal_code", sa.String(64)),
    _import_col(),
)
facilities = sa.Table(
    "supply_facilities",
    metadata,
    sa.Column("facility_id", sa.String(255), primary_key=True),
    sa.Column("operator_id", sa.String(255), nullable=False),
    sa.Column("name", sa.Text, nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("country", sa.String(64)),
    sa.Column("address", sa.Text),
    sa.Column("postal_code", sa.String(64)),
    sa.Column("phone", sa.String(255)),
    _import_col(),
)
ownership = sa.Table(
    "supply_ownership",
    metadata,
    sa.Column("owner_id", sa.String(255), primary_key=True),
    sa.Column("owned_id", sa.String(255), primary_key=True),
    sa.Column("share", sa.Float),
    sa.Column("control", sa.Boolean, nullable=False),
    _import_col(),
)
transactions = sa.Table(
    "supply_transactions",
    metadata,
    sa.Column("transaction_id", sa.String(255), primary_key=True),
    sa.Column("supplier_id", sa.String(255), nullable=False),
    sa.Column("buyer_id", sa.String(255), nullable=False, index=True),
    sa.Column("material", sa.Text, nullable=False),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("unit", sa.String(32), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("supplier_facility_id", sa.String(255)),
    sa.Column("buyer_facility_id", sa.String(255)),
    sa.Column("documents", sa.JSON, nullable=False),
    sa.Column("kind", sa.String(32), nullable=False, server_default="documented"),
    sa.Column("provenance", sa.Text),
    _import_col(),
)
bom = sa.Table(
    "supply_bom",
    metadata,
    sa.Column("product", sa.String(255), primary_key=True),
    sa.Column("material", sa.String(255), primary_key=True),
    sa.Column("quantity", sa.Float),
    sa.Column("unit", sa.String(32)),
    sa.Column("per", sa.String(32)),
    sa.Column("yield_", sa.Float),
    _import_col(),
)
shipments = sa.Table(
    "supply_shipments",
    metadata,
    sa.Column("shipment_id", sa.String(255), primary_key=True),
    sa.Column("importer_id", sa.String(255), nullable=False),
    sa.Column("exporter_id", sa.String(255), nullable=False),
    sa.Column("manufacturer_id", sa.String(255), nullable=False),
    sa.Column("product", sa.Text, nullable=False),
    sa.Column("hs_code", sa.String(32), nullable=False),
    sa.Column("quantity", sa.Float, nullable=False),
    sa.Column("unit", sa.String(32), nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("declared_origin", sa.String(64)),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("documents", sa.JSON, nullable=False),
    _import_col(),
)
documents = sa.Table(
    "supply_documents",
    metadata,
    sa.Column("document_id", sa.String(255), primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("sha256", sa.String(64)),
    sa.Column("path", sa.Text),
    _import_col(),
)
annotation_rows = sa.Table(
    "supply_annotations",
    metadata,
    sa.Column("annotation_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("subject_kind", sa.String(16), nullable=False),
    sa.Column("subject_id", sa.String(255), nullable=False),
    sa.Column("data", sa.JSON, nullable=False),
    sa.Column("list_versions", sa.JSON, nullable=False),
    sa.Column("matcher", sa.String(128)),
    sa.Column("gazetteer", sa.String(128)),
    sa.Column("annotated_at", sa.String(40), nullable=False),
    sa.Column("current", sa.Boolean, nullable=False),
    sa.Index("ix_supply_annotations_subject", "subject_kind", "subject_id"),
)

TABLE_KEYS: Sequence[tuple[sa.Table, tuple[str, ...]]] = (
    (parties, ("party_id",)),
    (facilities, ("facility_id",)),
    (ownership, ("owner_id", "owned_id")),
    (transactions, ("transaction_id",)),
    (bom, ("product", "material")),
    (shipments, ("shipment_id",)),
    (documents, ("document_id",)),
)
CHUNK = 500


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _rows(pkg: SupplyPackage, import_id: int) -> dict[str, list[dict[str, Any]]]:
    def base(**kw: Any) -> dict[str, Any]:
        return {**kw, "import_id": import_id}

    return {
        "supply_parties": [
            base(
                party_id=p.party_id,
                name=p.name,
                aliases=list(p.aliases),
                country=p.country,
                address=p.address,
                registration_id=p.registration_id,
                phone=p.phone,
                postal_code=p.postal_code,
            )
            for p in pkg.parties
        ],
        "supply_facilities": [
            base(
                facility_id=f.facility_id,
                operator_id=f.operator_id,
                name=f.name,
                kind=f.kind,
                country=f.country,
                address=f.address,
                postal_code=f.postal_code,
                phone=f.phone,
            )
            for f in pkg.facilities
        ],
        "supply_ownership": [
            base(owner_id=o.owner_id, owned_id=o.owned_id, share=o.share, control=o.control)
            for o in pkg.ownership
        ],
        "supply_transactions": [
            base(
                transaction_id=t.transaction_id,
                supplier_id=t.supplier_id,
                buyer_id=t.buyer_id,
                material=t.material,
                quantity=t.quantity,
                unit=t.unit,
                date=t.date,
                supplier_facility_id=t.supplier_facility_id,
                buyer_facility_id=t.buyer_facility_id,
                documents=list(t.documents),
                kind=t.kind,
                provenance=t.provenance,
            )
            for t in pkg.transactions
        ],
        "supply_bom": [
            base(
                product=b.product,
                material=b.material,
                quantity=b.quantity,
                unit=b.unit,
                per=b.per,
                yield_=b.yield_,
            )
            for b in pkg.bom
        ],
        "supply_shipments": [
            base(
                shipment_id=s.shipment_id,
                importer_id=s.importer_id,
                exporter_id=s.exporter_id,
                manufacturer_id=s.manufacturer_id,
                product=s.product,
                hs_code=s.hs_code,
                quantity=s.quantity,
                unit=s.unit,
                value=s.value,
                declared_origin=s.declared_origin,
                date=s.date,
                documents=list(s.documents),
            )
            for s in pkg.shipments
        ],
        "supply_documents": [
            base(document_id=d.document_id, kind=d.kind, sha256=d.sha256, path=d.path)
            for d in pkg.documents
        ],
    }


def save_package(conn: Connection, pkg: SupplyPackage, source: str) -> int:
    """Write ``pkg`` (already validated) in the caller's transaction; return the import id."""
    counts = {
        "parties": len(pkg.parties),
        "facilities": len(pkg.facilities),
        "ownership": len(pkg.ownership),
        "transactions": len(pkg.transactions),
        "bom": len(pkg.bom),
        "shipments": len(pkg.shipments),
        "documents": len(pkg.documents),
    }
    result = conn.execute(imports.insert().values(imported_at=_now(), source=source, counts=counts))
    key = result.inserted_primary_key
    assert key is not None
    import_id = int(key[0])
    rows = _rows(pkg, import_id)
    for table, key in TABLE_KEYS:
        records = rows[table.name]
        if not records:
            continue
        _delete_existing(conn, table, key, records)
        for start in range(0, len(records), CHUNK):
            conn.execute(table.insert(), records[start : start + CHUNK])
    return import_id


def _delete_existing(
    conn: Connection, table: sa.Table, key: tuple[str, ...], records: list[dict[str, Any]]
) -> None:
    for start in range(0, len(records), CHUNK):
        chunk = records[start : start + CHUNK]
        if len(key) == 1:
            col = table.c[key[0]]
            conn.execute(table.delete().where(col.in_([r[key[0]] for r in chunk])))
        else:
            conn.execute(
                table.delete().where(
                    sa.tuple_(*(table.c[k] for k in key)).in_(
                        [tuple(r[k] for k in key) for r in chunk]
                    )
                )
            )


def load_package(conn: Connection) -> SupplyPackage:
    """Every supply record in the store as one package."""

    def rows(table: sa.Table, order: str) -> Iterable[Any]:
        return conn.execute(sa.select(table).order_by(table.c[order])).mappings()

    pkg = SupplyPackage()
    for r in rows(parties, "party_id"):
        pkg.parties.append(
            Party(
                r["party_id"],
                r["name"],
                tuple(r["aliases"] or ()),
                r["country"],
                r["address"],
                r["registration_id"],
                r["phone"],
                r["postal_code"],
            )
        )
    for r in rows(facilities, "facility_id"):
        pkg.facilities.append(
            Facility(
                r["facility_id"],
                r["operator_id"],
                r["name"],
                r["kind"],
                r["country"],
                r["address"],
                r["postal_code"],
                r["phone"],
            )
        )
    for r in rows(ownership, "owner_id"):
        pkg.ownership.append(
            Ownership(r["owner_id"], r["owned_id"], r["share"], bool(r["control"]))
        )
    for r in rows(transactions, "transaction_id"):
        pkg.transactions.append(
            Transaction(
                r["transaction_id"],
                r["supplier_id"],
                r["buyer_id"],
                r["material"],
                r["quantity"],
                r["unit"],
                r["date"],
                r["supplier_facility_id"],
                r["buyer_facility_id"],
                tuple(r["documents"] or ()),
                r["kind"] or "documented",
                r["provenance"],
            )
        )
    for r in rows(bom, "product"):
        pkg.bom.append(
            BomLine(r["product"], r["material"], r["quantity"], r["unit"], r["per"], r["yield_"])
        )
    for r in rows(shipments, "shipment_id"):
        pkg.shipments.append(
            Shipment(
                r["shipment_id"],
                r["importer_id"],
                r["exporter_id"],
                r["manufacturer_id"],
                r["product"],
                r["hs_code"],
                r["quantity"],
                r["unit"],
                r["value"],
                r["declared_origin"],
                r["date"],
                tuple(r["documents"] or ()),
            )
        )
    for r in rows(documents, "document_id"):
        pkg.documents.append(Document(r["document_id"], r["kind"], r["sha256"], r["path"]))
    return pkg


def save_annotations(conn: Connection, found: Annotations) -> int:
    """Store ``found`` as the current annotations of their subjects; keep earlier ones."""
    items = [*found.parties.values(), *found.facilities.values()]
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        for kind in ("party", "facility"):
            ids = [a.subject_id for a in chunk if a.subject_kind == kind]
            if ids:
                conn.execute(
                    annotation_rows.update()
                    .where(annotation_rows.c.subject_kind == kind)
                    .where(annotation_rows.c.subject_id.in_(ids))
                    .where(annotation_rows.c.current.is_(True))
                    .values(current=False)
                )
        conn.execute(
            annotation_rows.insert(),
            [
                {
                    "subject_kind": a.subject_kind,
                    "subject_id": a.subject_id,
                    "data": a.to_dict(),
                    "list_versions": list(a.list_versions),
                    "matcher": a.matcher,
                    "gazetteer": a.gazetteer,
                    "annotated_at": a.annotated_at or _now(),
                    "current": True,
                }
                for a in chunk
            ],
        )
    return len(items)


def load_annotations(conn: Connection) -> Annotations:
    """The current annotation of every party and facility."""
    found = Annotations()
    query = sa.select(annotation_rows.c.data).where(annotation_rows.c.current.is_(True))
    for (data,) in conn.execute(query):
        ann = Annotation.from_dict(data)
        bucket = found.parties if ann.subject_kind == "party" else found.facilities
        bucket[ann.subject_id] = ann
    return found


def annotation_history(conn: Connection, subject_kind: str, subject_id: str) -> list[Annotation]:
    """Every annotation ever stored for one subject, oldest first."""
    query = (
        sa.select(annotation_rows.c.data)
        .where(annotation_rows.c.subject_kind == subject_kind)
        .where(annotation_rows.c.subject_id == subject_id)
        .order_by(annotation_rows.c.annotation_id)
    )
    return [Annotation.from_dict(data) for (data,) in conn.execute(query)]


def list_imports(conn: Connection) -> list[dict[str, Any]]:
    query = sa.select(imports).order_by(imports.c.import_id)
    return [dict(r) for r in conn.execute(query).mappings()]
