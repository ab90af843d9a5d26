"""The tables of a supply package: their columns, which are required, and their types.

Each record is described once, here: the loader types and builds model objects
from it, the validator checks it, the JSON Schema and the docs are written from
it, and the store derives its SQL tables and row mappings from it (so a new field
is one `Column` and one migration; tests/test_migrations.py catches a missing one).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flscreen.model.supply import (
    BomLine,
    Document,
    Facility,
    Ownership,
    Party,
    Shipment,
    Transaction,
)


@dataclass(slots=True)
class Row:
    """One record as read, with where it came from (file or sheet, 1-based row)."""

    source: str
    row: int
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: str = "str"
    """str, float, date, bool, list (of strings; '|' or ';' separated in CSV/XLSX)."""
    required: bool = False
    width: int | None = None
    """A str column is stored as VARCHAR(width); None stores text of any length."""
    default: Any = None
    """The value of an empty cell; a column with a default is stored NOT NULL."""
    field: str | None = None
    """The model attribute and stored column, where it differs from the file's name."""
    file_only: bool = False
    """Read from files only (folded into another column by the loader), never stored."""
    fold_case: bool = False
    """A code word (a facility kind, an edge kind): lower-cased as read."""
    index: bool = False

    @property
    def attribute(self) -> str:
        return self.field or self.name


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    """Columns that identify a row; duplicates are rejected."""
    record: type[Any] = object
    """The model dataclass one row becomes (its fields are the stored columns)."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.file_only)


ID = 255
"""Width of an identifier column (party, facility, transaction... ids)."""

TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "parties",
            (
                Column("party_id", required=True, width=ID),
                Column("name", required=True),
                Column("aliases", "list"),
                Column("country", width=64),
                Column("address"),
                Column("registration_id", width=ID),
                Column("phone", width=ID),
                Column("postal_code", width=64),
            ),
            ("party_id",),
            Party,
        ),
        TableSpec(
            "facilities",
            (
                Column("facility_id", required=True, width=ID),
                Column("operator_id", required=True, width=ID),
                Column("name", required=True),
                Column("kind", required=True, width=64, fold_case=True),
                Column("country", width=64),
                Column("address"),
                Column("postal_code", width=64),
                Column("phone", width=ID),
            ),
            ("facility_id",),
            Facility,
        ),
        TableSpec(
            "ownership",
            (
                Column("owner_id", required=True, width=ID),
                Column("owned_id", required=True, width=ID),
                Column("share", "float"),
                Column("control", "bool", default=False),
            ),
            ("owner_id", "owned_id"),
            Ownership,
        ),
        TableSpec(
            "transactions",
            (
                Column("transaction_id", required=True, width=ID),
                Column("supplier_id", required=True, width=ID),
                Column("buyer_id", required=True, width=ID, index=True),
                Column("material", required=True),
                Column("quantity", "float", required=True),
                Column("unit", required=True, width=32),
                Column("date", "date", required=True),
                Column("supplier_facility_id", width=ID),
                Column("buyer_facility_id", width=ID),
                Column("documents", "list"),
                Column("kind", width=32, default="documented", fold_case=True),
                Column("provenance"),
            ),
            ("transaction_id",),
            Transaction,
        ),
        TableSpec(
            "bom",
            (
                Column("product", required=True, width=ID),
                Column("material", required=True, width=ID),
                Column("quantity", "float"),
                Column("unit", width=32),
                Column("per", width=32),
                Column("yield", "float", field="yield_"),
                Column("loss", "float", file_only=True),
            ),
            ("product", "material"),
            BomLine,
        ),
        TableSpec(
            "shipments",
            (
                Column("shipment_id", required=True, width=ID),
                Column("importer_id", required=True, width=ID),
                Column("exporter_id", required=True, width=ID),
                Column("manufacturer_id", required=True, width=ID),
                Column("product", required=True),
                Column("hs_code", required=True, width=32),
                Column("quantity", "float", required=True),
                Column("unit", required=True, width=32),
                Column("value", "float"),
                Column("declared_origin", width=64),
                Column("date", "date", required=True),
                Column("documents", "list"),
            ),
            ("shipment_id",),
            Shipment,
        ),
        TableSpec(
            "documents",
            (
                Column("document_id", required=True, width=ID),
                Column("kind", required=True, width=64),
                Column("sha256", width=64),
                Column("path"),
            ),
            ("document_id",),
            Document,
        ),
    )
}


def record_from_values(spec: TableSpec, values: dict[str, Any]) -> Any:
    """The model object of one row, from values keyed by column name (typed) or attribute
    (stored): defaults fill empty cells, lists become tuples, code words are lower-cased."""
    fields: dict[str, Any] = {}
    for col in spec.stored_columns:
        value = values.get(col.name, values.get(col.attribute))
        if col.kind == "list":
            value = tuple(value or ())
        elif value is None:
            value = col.default
        elif col.fold_case:
            value = str(value).lower()
        elif col.kind == "bool":
            value = bool(value)
        fields[col.attribute] = value
    return spec.record(**fields)


def values_of(spec: TableSpec, record: Any) -> dict[str, Any]:
    """The stored values of one model object, keyed by attribute (lists as lists)."""
    out: dict[str, Any] = {}
    for col in spec.stored_columns:
        value = getattr(record, col.attribute)
        out[col.attribute] = list(value) if col.kind == "list" else value
    return out


def _column_schema(col: Column) -> dict[str, Any]:
    if col.kind == "float":
        return {"type": ["number", "string"], "description": "a number (CSV cells are text)"}
    if col.kind == "date":
        return {"type": "string", "format": "date", "description": "ISO date YYYY-MM-DD"}
    if col.kind == "bool":
        return {"type": ["boolean", "string"], "description": "yes/no, true/false, 1/0"}
    if col.kind == "list":
        return {
            "type": ["array", "string"],
            "items": {"type": "string"},
            "description": "an array, or one string with values separated by | or ;",
        }
    return {"type": "string"}


def package_schema() -> dict[str, Any]:
    """JSON Schema (2020-12) of a package in its JSON form: one array per table."""
    tables: dict[str, Any] = {}
    for spec in TABLES.values():
        tables[spec.name] = {
            "type": "array",
            "items": {
                "type": "object",
                "required": [c.name for c in spec.columns if c.required],
                "properties": {c.name: _column_schema(c) for c in spec.columns},
            },
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://flscreen.example/schemas/supply-package.schema.json",
        "title": "flscreen supply-chain package",
        "description": "Parties, facilities, ownership, transactions, bills of materials, "
        "shipments and documents, as an importer keeps them. The same tables may be CSV "
        "files in a folder or sheets of an XLSX workbook. See docs/formats.md.",
        "type": "object",
        "required": ["parties"],
        "properties": {
            "$schema": {"type": "string"},
            "format_version": {"type": ["string", "integer"]},
            "description": {"type": "string"},
            **tables,
        },
        "additionalProperties": False,
    }
