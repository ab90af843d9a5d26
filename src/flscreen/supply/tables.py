"""The tables of a supply package: their columns, which are required, and their types.

One description serves the loader, the validator, the JSON Schema test and the
docs, so the three cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


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


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    """Columns that identify a row; duplicates are rejected."""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


TABLES: dict[str, TableSpec] = {
    t.name: t
    for t in (
        TableSpec(
            "parties",
            (
                Column("party_id", required=True),
                Column("name", required=True),
                Column("aliases", "list"),
                Column("country"),
                Column("address"),
                Column("registration_id"),
                Column("phone"),
                Column("postal_code"),
            ),
            ("party_id",),
        ),
        TableSpec(
            "facilities",
            (
                Column("facility_id", required=True),
                Column("operator_id", required=True),
                Column("name", required=True),
                Column("kind", required=True),
                Column("country"),
                Column("address"),
                Column("postal_code"),
                Column("phone"),
            ),
            ("facility_id",),
        ),
        TableSpec(
            "ownership",
            (
                Column("owner_id", required=True),
                Column("owned_id", required=True),
                Column("share", "float"),
                Column("control", "bool"),
            ),
            ("owner_id", "owned_id"),
        ),
        TableSpec(
            "transactions",
            (
                Column("transaction_id", required=True),
                Column("supplier_id", required=True),
                Column("buyer_id", required=True),
                Column("material", required=True),
                Column("quantity", "float", required=True),
                Column("unit", required=True),
                Column("date", "date", required=True),
                Column("supplier_facility_id"),
                Column("buyer_facility_id"),
                Column("documents", "list"),
                Column("kind"),
                Column("provenance"),
            ),
            ("transaction_id",),
        ),
        TableSpec(
            "bom",
            (
                Column("product", required=True),
                Column("material", required=True),
                Column("quantity", "float"),
                Column("unit"),
                Column("per"),
                Column("yield", "float"),
                Column("loss", "float"),
            ),
            ("product", "material"),
        ),
        TableSpec(
            "shipments",
            (
                Column("shipment_id", required=True),
                Column("importer_id", required=True),
                Column("exporter_id", required=True),
                Column("manufacturer_id", required=True),
                Column("product", required=True),
                Column("hs_code", required=True),
                Column("quantity", "float", required=True),
                Column("unit", required=True),
                Column("value", "float"),
                Column("declared_origin"),
                Column("date", "date", required=True),
                Column("documents", "list"),
            ),
            ("shipment_id",),
        ),
        TableSpec(
            "documents",
            (
                Column("document_id", required=True),
                Column("kind", required=True),
                Column("sha256"),
                Column("path"),
            ),
            ("document_id",),
        ),
    )
}


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
