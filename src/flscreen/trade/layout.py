"""The trade-record layout: one bill-of-lading line per record (docs/trade.md).

The canonical fields and the headers they go by in common exports live in
``resources/trade/layouts.yml`` (reviewed data); a column map names the rest.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

FIELD_TYPES = ("text", "date", "country", "int", "float", "hs")


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    type: str
    required: bool
    aliases: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TradeRecord:
    """One bill-of-lading line as imported; ``record_id`` is 'bill#n' (the n-th line of a bill).

    Slotted: a year of one country's imports is millions of these.
    """

    record_id: str
    bill_number: str
    master_bill: str | None
    arrival_date: str | None
    shipment_date: str | None
    shipper_name: str
    shipper_address: str | None
    shipper_country: str | None
    consignee_name: str
    consignee_address: str | None
    consignee_country: str | None
    notify_name: str | None
    notify_address: str | None
    carrier: str | None
    vessel: str | None
    port_of_lading: str | None
    port_of_unlading: str | None
    place_of_receipt: str | None
    country_of_origin: str | None
    container_count: int | None
    hs_codes: tuple[str, ...]
    goods_description: str | None
    gross_weight: float | None
    weight_unit: str | None
    gross_weight_kg: float | None
    quantity: float | None
    quantity_unit: str | None
    source: str
    """File the record came from."""
    row: int
    """1-based row in that file (the header is row 1 in a CSV)."""

    @property
    def date(self) -> str | None:
        """The date the trade happened, for windows: arrival, else shipment."""
        return self.arrival_date or self.shipment_date

    def to_dict(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in RECORD_FIELDS}


RECORD_FIELDS: tuple[str, ...] = tuple(TradeRecord.__dataclass_fields__)

_FOLD = re.compile(r"[\s._/()\[\]#:-]+")


def fold_header(header: str) -> str:
    """'Bill of Lading Nbr.' and 'bill_of_lading_nbr' -> 'bill of lading nbr'."""
    return _FOLD.sub(" ", header.strip().lower()).strip()


@functools.cache
def _layout() -> dict[str, Any]:
    text = resources.files("flscreen.resources").joinpath("trade", "layouts.yml")
    data: dict[str, Any] = yaml.safe_load(text.read_text(encoding="utf-8"))
    return data


@functools.cache
def fields() -> tuple[FieldSpec, ...]:
    """The canonical fields in layout order."""
    out = []
    for name, spec in _layout()["fields"].items():
        if spec["type"] not in FIELD_TYPES:  # pragma: no cover - reviewed data
            raise ValueError(f"layouts.yml: field {name} has unknown type {spec['type']!r}")
        out.append(
            FieldSpec(
                name=name,
                type=spec["type"],
                required=bool(spec.get("required", False)),
                aliases=tuple(fold_header(a) for a in spec.get("aliases", ())),
            )
        )
    return tuple(out)


@functools.cache
def weight_units() -> dict[str, float]:
    """Weight unit -> factor to kilograms."""
    return {str(k): float(v) for k, v in _layout()["weight_units"].items()}


@functools.cache
def alias_index() -> dict[str, str]:
    """Folded header -> canonical field (canonical names map to themselves)."""
    index: dict[str, str] = {}
    for spec in fields():
        index[fold_header(spec.name)] = spec.name
        for alias in spec.aliases:
            index.setdefault(alias, spec.name)
    return index
