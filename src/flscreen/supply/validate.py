"""Whole-package checks: references, quantities, units, dates, duplicates, identifiers.

Pure: takes typed rows (with their file and row) and returns every problem;
the loader decides to reject. Each message says what is wrong and, where it
helps, what would be right.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flscreen.errors import Problem
from flscreen.supply.tables import TABLES, Row
from flscreen.supply.units import parse_unit

Typed = Mapping[str, list[tuple[Row, dict[str, Any]]]]

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
SHA256 = re.compile(r"^[0-9a-fA-F]{64}$")


def uscc_check_char(code17: str) -> str | None:
    """The check character (GB 32100-2015) for the first 17 characters, or None."""
    total = 0
    for char, weight in zip(code17.upper(), USCC_WEIGHTS, strict=True):
        index = USCC_ALPHABET.find(char)
        if index < 0:
            return None
        total += index * weight
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_problem(value: str) -> str | None:
    """Why an 18-character value shaped like a USCC is not a valid one, else None."""
    code = value.strip().upper()
    if len(code) != 18 or not USCC_SHAPE.match(code):
        return None
    expected = uscc_check_char(code[:17])
    if expected != code[17]:
        return (
            f"unified social credit code {value!r} fails its check character "
            f"(expected {expected!r}); a typo here hides where the party is registered"
        )
    return None


def _p(row: Row, field: str | None, message: str) -> Problem:
    return Problem(row.source, message, row=row.row, field=field)


def _duplicates(typed: Typed) -> list[Problem]:
    problems: list[Problem] = []
    for name, spec in TABLES.items():
        seen: dict[tuple[Any, ...], Row] = {}
        for row, v in typed.get(name, []):
            key = tuple(v.get(k) for k in spec.key)
            if any(k is None for k in key):
                continue
            if key in seen:
                first = seen[key]
                label = "/".join(str(k) for k in key)
                problems.append(
                    _p(
                        row,
                        spec.key[0],
                        f"duplicate {'/'.join(spec.key)} {label!r} "
                        f"(first at {first.source} row {first.row})",
                    )
                )
            else:
                seen[key] = row
    return problems


def _ids(typed: Typed, table: str, key: str) -> dict[str, dict[str, Any]]:
    return {v[key]: v for _, v in typed.get(table, []) if v.get(key)}


def _references(typed: Typed) -> list[Problem]:
    problems: list[Problem] = []
    parties = _ids(typed, "parties", "party_id")
    facilities = _ids(typed, "facilities", "facility_id")
    documents = _ids(typed, "documents", "document_id")

    def party(row: Row, v: dict[str, Any], field: str) -> None:
        ref = v.get(field)
        if ref is not None and ref not in parties:
            problems.append(_p(row, field, f"unknown party {ref!r} (not in the parties table)"))

    def docs(row: Row, v: dict[str, Any]) -> None:
        for ref in v.get("documents") or ():
            if ref not in documents:
                problems.append(
                    _p(row, "documents", f"unknown document {ref!r} (not in the documents table)")
                )

    for row, v in typed.get("facilities", []):
        party(row, v, "operator_id")
    for row, v in typed.get("ownership", []):
        party(row, v, "owner_id")
        party(row, v, "owned_id")
        if v.get("owner_id") and v.get("owner_id") == v.get("owned_id"):
            problems.append(_p(row, "owned_id", "a party cannot own itself"))
    for row, v in typed.get("transactions", []):
        party(row, v, "supplier_id")
        party(row, v, "buyer_id")
        if v.get("supplier_id") and v.get("supplier_id") == v.get("buyer_id"):
            problems.append(_p(row, "buyer_id", "supplier and buyer are the same party"))
        for field, owner_field in (
            ("supplier_facility_id", "supplier_id"),
            ("buyer_facility_id", "buyer_id"),
        ):
            ref = v.get(field)
            if ref is None:
                continue
            facility = facilities.get(ref)
            if facility is None:
                problems.append(_p(row, field, f"unknown facility {ref!r}"))
            elif v.get(owner_field) and facility["operator_id"] != v[owner_field]:
                problems.append(
                    _p(
                        row,
                        field,
                        f"facility {ref!r} is operated by {facility['operator_id']!r}, "
                        f"not by {owner_field[:-3]} {v[owner_field]!r}",
                    )
                )
        docs(row, v)
    for row, v in typed.get("shipments", []):
        for field in ("importer_id", "exporter_id", "manufacturer_id"):
            party(row, v, field)
        docs(row, v)
    return problems


def _quantities(typed: Typed) -> list[Problem]:
    problems: list[Problem] = []
    for table, fields in (
        ("transactions", ("quantity",)),
        ("bom", ("quantity",)),
        ("shipments", ("quantity", "value")),
    ):
        for row, v in typed.get(table, []):
            for field in fields:
                number = v.get(field)
                if number is not None and number < 0:
                    problems.append(_p(row, field, f"negative {field}: {number:g}"))
    for row, v in typed.get("ownership", []):
        share = v.get("share")
        if share is not None and not 0 <= share <= 100:
            problems.append(_p(row, "share", f"share {share:g} is not a percentage (0-100)"))
        if share is None and not v.get("control"):
            problems.append(
                _p(row, "share", "give a share (percent) or control=yes; the row says neither")
            )
    return problems


def _units(typed: Typed) -> list[Problem]:
    """Units must be known; bill-of-materials yields and losses must be fractions.

    One material may be counted in different dimensions (garments by the piece in a
    shipment and by the kg in a purchase; wafers by the piece, polysilicon by the
    tonne): the bill of materials converts between them, and a pair it gives no factor
    for is a gap the trace reports, not a reason to refuse the package.
    """
    problems: list[Problem] = []
    sites: list[tuple[Row, str, Any]] = [
        (row, "unit", v.get("unit")) for row, v in typed.get("transactions", [])
    ]
    sites += [(row, "unit", v.get("unit")) for row, v in typed.get("bom", [])]
    sites += [(row, "per", v.get("per")) for row, v in typed.get("bom", [])]
    sites += [(row, "unit", v.get("unit")) for row, v in typed.get("shipments", [])]
    for row, field, unit in sites:
        if unit is not None and parse_unit(unit) is None:
            problems.append(
                _p(row, field, f"unknown unit {unit!r} (see the unit table in docs/formats.md)")
            )
    for row, v in typed.get("bom", []):
        if v.get("quantity") is not None and not v.get("unit"):
            problems.append(_p(row, "unit", "a bill-of-materials quantity needs its unit"))
        y, loss = v.get("yield"), v.get("loss")
        if y is not None and not 0 < y <= 1:
            problems.append(
                _p(row, "yield", f"yield {y:g} is not a fraction in (0, 1]; write 0.92 for 92%")
            )
        if loss is not None and not 0 <= loss < 1:
            problems.append(
                _p(row, "loss", f"loss {loss:g} is not a fraction in [0, 1); write 0.08 for 8%")
            )
        if y is not None and loss is not None and abs(y + loss - 1) > 1e-9:
            problems.append(
                _p(row, "loss", f"yield {y:g} and loss {loss:g} disagree (they must add to 1)")
            )
        if (y is not None or loss is not None or v.get("per")) and v.get("quantity") is None:
            problems.append(
                _p(row, "quantity", "a yield, loss or per unit needs the quantity it applies to")
            )
    for row, v in typed.get("transactions", []):
        kind = v.get("kind")
        if kind is not None and not kind.replace("_", "").replace("-", "").isalnum():
            problems.append(_p(row, "kind", f"evidence kind {kind!r} is not a single word"))
    return problems


def _dates(typed: Typed, today: dt.date) -> list[Problem]:
    problems: list[Problem] = []
    for table in ("transactions", "shipments"):
        for row, v in typed.get(table, []):
            date = v.get("date")
            if date is not None and dt.date.fromisoformat(date) > today:
                problems.append(
                    _p(row, "date", f"date {date} is in the future (today is {today.isoformat()})")
                )
    return problems


def _identifiers(typed: Typed) -> list[Problem]:
    problems: list[Problem] = []
    for row, v in typed.get("parties", []):
        reg = v.get("registration_id")
        if reg and (v.get("country") or "CN").upper() in ("CN", "CHN", "CHINA"):
            message = uscc_problem(reg)
            if message:
                problems.append(_p(row, "registration_id", message))
    return problems


def _documents(typed: Typed, base_dir: Path | None) -> list[Problem]:
    problems: list[Problem] = []
    for row, v in typed.get("documents", []):
        digest = v.get("sha256")
        if digest and not SHA256.match(digest):
            problems.append(_p(row, "sha256", "not a SHA-256 digest (64 hexadecimal characters)"))
            continue
        path = v.get("path")
        if not (digest and path and base_dir):
            continue
        file = (base_dir / path).resolve()
        if file.is_file():
            actual = hashlib.sha256(file.read_bytes()).hexdigest()
            if actual != digest.lower():
                problems.append(
                    _p(row, "sha256", f"{path} has SHA-256 {actual}, not the {digest} stated")
                )
    return problems


def validate_rows(typed: Typed, today: dt.date, base_dir: Path | None = None) -> list[Problem]:
    """Every problem in the package, in table order."""
    return [
        *_duplicates(typed),
        *_references(typed),
        *_quantities(typed),
        *_units(typed),
        *_dates(typed, today),
        *_identifiers(typed),
        *_documents(typed, base_dir),
    ]
