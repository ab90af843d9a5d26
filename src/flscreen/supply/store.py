"""Supply tables in the store: save a validated package, load it back, keep annotations.

A package is written in the caller's transaction: either every row lands or
none does. Records keep the import they came from; importing a record with
an id already stored replaces it (the later package is the importer's
correction). Annotations are append-only: re-annotation after a list update
adds a new current row and keeps the old one, so a past verdict's evidence stays.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.model.supply import Annotation, Annotations, SupplyPackage
from flscreen.supply.tables import TABLES, Column, TableSpec, record_from_values, values_of

metadata = sa.MetaData()


def _sql_column(col: Column, key: tuple[str, ...]) -> sa.Column[Any]:
    """The stored column of one package column (its type, nullability and index)."""
    kind: sa.types.TypeEngine[Any]
    if col.kind == "float":
        kind = sa.Float()
    elif col.kind == "bool":
        kind = sa.Boolean()
    elif col.kind == "list":
        kind = sa.JSON()
    elif col.kind == "date":
        kind = sa.String(10)
    else:
        kind = sa.String(col.width) if col.width else sa.Text()
    not_null = col.required or col.kind == "list" or col.default is not None
    return sa.Column(
        col.attribute,
        kind,
        primary_key=col.name in key,
        nullable=not not_null,
        index=col.index or None,
        # A text default is also the server's, so rows stored before the column read as it.
        server_default=col.default if isinstance(col.default, str) else None,
    )


def _record_table(spec: TableSpec) -> sa.Table:
    return sa.Table(
        f"supply_{spec.name}",
        metadata,
        *(_sql_column(c, spec.key) for c in spec.stored_columns),
        sa.Column("import_id", sa.Integer, nullable=False),
    )


imports = sa.Table(
    "supply_imports",
    metadata,
    sa.Column("import_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("imported_at", sa.String(40), nullable=False),
    sa.Column("source", sa.Text, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
)
RECORD_TABLES: dict[str, sa.Table] = {name: _record_table(spec) for name, spec in TABLES.items()}
"""One stored table per package table, derived from its spec (flscreen.supply.tables)."""
parties = RECORD_TABLES["parties"]
facilities = RECORD_TABLES["facilities"]
ownership = RECORD_TABLES["ownership"]
transactions = RECORD_TABLES["transactions"]
bom = RECORD_TABLES["bom"]
shipments = RECORD_TABLES["shipments"]
documents = RECORD_TABLES["documents"]
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

CHUNK = 500


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def save_package(conn: Connection, pkg: SupplyPackage, source: str) -> int:
    """Write ``pkg`` (already validated) in the caller's transaction; return the import id."""
    counts = {name: len(getattr(pkg, name)) for name in TABLES}
    result = conn.execute(imports.insert().values(imported_at=_now(), source=source, counts=counts))
    inserted = result.inserted_primary_key
    assert inserted is not None
    import_id = int(inserted[0])
    for name, spec in TABLES.items():
        records = [
            {**values_of(spec, record), "import_id": import_id} for record in getattr(pkg, name)
        ]
        if not records:
            continue
        table = RECORD_TABLES[name]
        _delete_existing(conn, table, spec.key, records)
        for start in range(0, len(records), CHUNK):
            conn.execute(table.insert(), records[start : start + CHUNK])
    return import_id


def _key_clause(
    table: sa.Table, key: tuple[str, ...], records: list[dict[str, Any]]
) -> sa.ColumnElement[bool]:
    """Rows of ``table`` with the key of one of ``records``."""
    if len(key) == 1:
        return table.c[key[0]].in_([r[key[0]] for r in records])
    return sa.tuple_(*(table.c[k] for k in key)).in_([tuple(r[k] for k in key) for r in records])


def _delete_existing(
    conn: Connection, table: sa.Table, key: tuple[str, ...], records: list[dict[str, Any]]
) -> None:
    for start in range(0, len(records), CHUNK):
        conn.execute(table.delete().where(_key_clause(table, key, records[start : start + CHUNK])))


def already_stored(conn: Connection, pkg: SupplyPackage) -> bool:
    """Whether every record of ``pkg`` is stored exactly as it would be written: importing
    it again would change nothing (``flscreen screen PACKAGE`` then skips the import)."""
    for name, spec in TABLES.items():
        wanted = [values_of(spec, record) for record in getattr(pkg, name)]
        table = RECORD_TABLES[name]
        stored: dict[tuple[Any, ...], dict[str, Any]] = {}
        for start in range(0, len(wanted), CHUNK):
            clause = _key_clause(table, spec.key, wanted[start : start + CHUNK])
            for row in conn.execute(sa.select(table).where(clause)).mappings():
                stored[tuple(row[k] for k in spec.key)] = dict(row)
        for values in wanted:
            got = stored.get(tuple(values[k] for k in spec.key))
            if got is None or any(got.get(k) != v for k, v in values.items()):
                return False
    return True


def load_package(conn: Connection) -> SupplyPackage:
    """Every supply record in the store as one package, each table in key order."""
    pkg = SupplyPackage()
    for name, spec in TABLES.items():
        table = RECORD_TABLES[name]
        order = [table.c[k] for k in spec.key]
        records = getattr(pkg, name)
        for row in conn.execute(sa.select(table).order_by(*order)).mappings():
            records.append(record_from_values(spec, dict(row)))
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
