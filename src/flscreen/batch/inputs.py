"""Batch input tables from a supply graph: integer ids, base quantities, flags.

The generator in ``bench/gen_network.py`` writes the same tables directly,
so both paths feed the same SQL.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flscreen.model.trace import TaintSource
from flscreen.supply.bom import IDENTITY, BillOfMaterials, material_key
from flscreen.supply.units import parse_unit
from flscreen.trace.config import TraceConfig
from flscreen.trace.graph import SupplyGraph, day_number
from flscreen.trace.massbalance import base_unit, facility_resolver
from flscreen.trace.taint import TaintIndex, build_taint_index

Columns = tuple[tuple[str, str], ...]

SCHEMAS: dict[str, Columns] = {
    "fl_txn": (
        ("t", "INTEGER"),
        ("supplier", "INTEGER"),
        ("buyer", "INTEGER"),
        ("material", "INTEGER"),
        ("qty", "DOUBLE"),
        ("day", "INTEGER"),
        ("facility", "INTEGER"),
        ("period", "INTEGER"),
        ("dim", "INTEGER"),
        ("mfac", "INTEGER"),
        ("bfac", "INTEGER"),
    ),
    "fl_um": (
        ("material", "INTEGER"),
        ("input", "INTEGER"),
        ("factor", "DOUBLE"),
        ("idim", "INTEGER"),
        ("odim", "INTEGER"),
    ),
    "fl_ship": (
        ("s", "INTEGER"),
        ("manufacturer", "INTEGER"),
        ("product", "INTEGER"),
        ("day", "INTEGER"),
        ("qty", "DOUBLE"),
        ("dim", "INTEGER"),
        ("period", "INTEGER"),
        ("mfac", "INTEGER"),
    ),
    "fl_src": (("supplier", "INTEGER"), ("facility", "INTEGER"), ("flag", "INTEGER")),
    "fl_mat": (("material", "INTEGER"), ("priority", "BOOLEAN"), ("raw", "BOOLEAN")),
    "fl_unknown": (("party", "INTEGER"),),
    "fl_raw_party": (("party", "INTEGER"),),
    "fl_raw_facility": (("facility", "INTEGER"),),
    # decoding: names and originals for the rows that are reported
    "fl_txn_detail": (
        ("t", "INTEGER"),
        ("id", "VARCHAR"),
        ("supplier_id", "VARCHAR"),
        ("buyer_id", "VARCHAR"),
        ("material", "VARCHAR"),
        ("quantity", "DOUBLE"),
        ("unit", "VARCHAR"),
        ("date", "VARCHAR"),
        ("facility_id", "VARCHAR"),
        ("documents", "VARCHAR"),
        ("kind", "VARCHAR"),
        ("provenance", "VARCHAR"),
    ),
    "fl_fac": (("f", "INTEGER"), ("id", "VARCHAR")),
    # mass balance, loaded back after Python balanced the SQL aggregates
    "fl_mb": (
        ("key", "INTEGER"),
        ("party", "INTEGER"),
        ("output", "INTEGER"),
        ("period", "INTEGER"),
    ),
    "fl_mbf": (
        ("fid", "INTEGER"),
        ("party", "INTEGER"),
        ("facility", "INTEGER"),
        ("output", "INTEGER"),
        ("period", "INTEGER"),
    ),
    "fl_mbm": (("fid", "INTEGER"), ("material", "INTEGER")),
    # the order routes are listed in (trace.memory.flag_order)
    "fl_flag": (("flag", "INTEGER"), ("prefix", "INTEGER"), ("frank", "INTEGER")),
    "fl_party": (("p", "INTEGER"), ("id", "VARCHAR"), ("name", "VARCHAR")),
    "fl_ship_detail": (
        ("s", "INTEGER"),
        ("id", "VARCHAR"),
        ("manufacturer_id", "VARCHAR"),
        ("exporter_id", "VARCHAR"),
        ("product", "VARCHAR"),
    ),
    "fl_mat_name": (
        ("material", "INTEGER"),
        ("name", "VARCHAR"),
        ("sector", "VARCHAR"),
        ("base_unit", "VARCHAR"),
    ),
    # the taint sources as JSON and in route order, for the lines (batch.render)
    "fl_rflag": (
        ("flag", "INTEGER"),
        ("json", "VARCHAR"),
        ("prefix", "INTEGER"),
        ("frank", "INTEGER"),
        ("confirmed", "BOOLEAN"),
    ),
}


DIMENSIONS = {
    "mass": 0,
    "count": 1,
    "length": 2,
    "area": 3,
    "volume": 4,
    "power": 5,
    "carton": 6,
}
DIMENSION_NAMES = {v: k for k, v in DIMENSIONS.items()}


def period_number(date: str, period: str) -> int:
    """The mass-balance period as an integer that sorts like the label."""
    year, month = int(date[:4]), int(date[5:7])
    if period == "month":
        return year * 100 + month
    if period == "quarter":
        return year * 10 + (month - 1) // 3 + 1
    return year


def period_label(number: int, period: str) -> str:
    if period == "month":
        return f"{number // 100}-{number % 100:02d}"
    if period == "quarter":
        return f"{number // 10}-Q{number % 10}"
    return str(number)


@dataclass
class BatchInputs:
    """Rows of every input table, plus what the runner needs to decode results."""

    tables: dict[str, list[tuple[Any, ...]]]
    flags: list[TaintSource]
    """Taint source per flag number."""
    zero_step: dict[str, tuple[TaintSource, ...]]
    """Sources of a party when it is the shipment's own manufacturer or exporter."""
    bom: dict[str, tuple[str, ...]]
    unknown_parties: frozenset[str] = field(default_factory=frozenset)
    bill: BillOfMaterials | None = None
    """Conversion factors for mass balance; None: the BOM above, 1:1 (no quantities)."""

    def bill_of_materials(self) -> BillOfMaterials:
        if self.bill is not None:
            return self.bill
        return BillOfMaterials({p: dict.fromkeys(ins, IDENTITY) for p, ins in self.bom.items()})


class _Ids:
    def __init__(self) -> None:
        self.ids: dict[str, int] = {}

    def __call__(self, key: str) -> int:
        found = self.ids.get(key)
        if found is None:
            found = self.ids[key] = len(self.ids)
        return found


def dim_number(dimension: str | None) -> int | None:
    return None if dimension is None else DIMENSIONS.get(dimension, 9)


def um_rows(
    materials: Mapping[str, int], bill: BillOfMaterials
) -> list[tuple[int, int, float, int | None, int | None]]:
    """fl_um rows: each material, each material its bills of materials can contain, and the
    factor (input per unit of the material) that converts one into the other."""
    rows = []
    for name, m in materials.items():
        for inp in sorted(bill.closure(name)):
            factor = bill.chain(name, inp)
            if factor is None or inp not in materials:
                continue
            rows.append(
                (
                    m,
                    materials[inp],
                    factor.value,
                    dim_number(factor.input_dim),
                    dim_number(factor.output_dim),
                )
            )
    return sorted(rows)


def from_graph(
    graph: SupplyGraph, config: TraceConfig, taint: TaintIndex | None = None
) -> BatchInputs:
    """Input tables for every transaction and shipment of ``graph``."""
    taint = taint or build_taint_index(graph, config)
    parties, materials, facilities = _Ids(), _Ids(), _Ids()
    for pid in sorted(graph.parties):
        parties(pid)
    for fid in sorted(graph.facilities):
        facilities(fid)
    txn_rows, detail_rows = [], []
    dims: dict[str, str | None] = {}
    only = facility_resolver(
        {p: [f.facility_id for f in fs] for p, fs in graph.facilities_of.items()}
    )

    def fac_id(fid: str | None) -> int | None:
        return None if fid is None else facilities(fid)

    txn_ids = {tid: i for i, tid in enumerate(sorted(graph.transactions))}
    for tid, i in txn_ids.items():
        flow = graph.transactions[tid]
        t = flow.txn
        dims[flow.material] = flow.dimension
        fac = t.supplier_facility_id
        txn_rows.append(
            (
                i,
                parties(t.supplier_id),
                parties(t.buyer_id),
                materials(flow.material),
                flow.base_quantity,
                flow.day,
                None if fac is None else facilities(fac),
                period_number(t.date, config.period),
                dim_number(flow.dimension),
                fac_id(fac or only.get(t.supplier_id)),
                fac_id(t.buyer_facility_id or only.get(t.buyer_id)),
            )
        )
        detail_rows.append(
            (
                i,
                tid,
                t.supplier_id,
                t.buyer_id,
                t.material,
                t.quantity,
                t.unit,
                t.date,
                fac,
                json.dumps(list(t.documents)),
                t.kind,
                t.provenance,
            )
        )
    ship_rows, ship_detail = [], []
    for i, sid in enumerate(sorted(graph.shipments)):
        s = graph.shipments[sid]
        shipped = material_key(s.product)
        product = materials(shipped)
        unit = parse_unit(s.unit)
        dims.setdefault(shipped, unit.dimension if unit else None)
        ship_rows.append(
            (
                i,
                parties(s.manufacturer_id),
                product,
                day_number(s.date),
                s.quantity * unit.factor if unit else None,
                dim_number(unit.dimension) if unit else None,
                period_number(s.date, config.period),
                fac_id(only.get(s.manufacturer_id)),
            )
        )
        ship_detail.append((i, sid, s.manufacturer_id, s.exporter_id, s.product))
    for product_key, needs in graph.bom.items():
        materials(product_key)
        for m in needs:
            materials(m)
    for name in list(materials.ids):
        for inp in graph.closure(name):
            materials(inp)
    flags: list[TaintSource] = []
    flag_ids: dict[int, int] = {}
    src_rows = []
    for pid in sorted(graph.parties):
        candidates: list[str | None] = [None]
        candidates += [f.facility_id for f in graph.facilities_of.get(pid, [])]
        for fac in candidates:
            for src in taint.for_supplier(pid, fac):
                key = id(src)
                if key not in flag_ids:
                    flag_ids[key] = len(flags)
                    flags.append(src)
                src_rows.append(
                    (parties(pid), None if fac is None else facilities(fac), flag_ids[key])
                )
    mat_rows = [
        (m, config.sector(name) is not None, config.is_raw(name))
        for name, m in materials.ids.items()
    ]
    mat_names = [
        (m, name, config.sector(name), base_unit(dims.get(name)))
        for name, m in materials.ids.items()
    ]
    tables: dict[str, list[tuple[Any, ...]]] = {
        "fl_txn": txn_rows,
        "fl_um": um_rows(materials.ids, graph.bill),
        "fl_ship": ship_rows,
        "fl_src": list(dict.fromkeys(src_rows)),
        "fl_mat": mat_rows,
        "fl_unknown": [(parties(p),) for p in sorted(taint.unknown)],
        "fl_raw_party": [(parties(p),) for p in sorted(taint.raw_producers)],
        "fl_raw_facility": [
            (facilities(f.facility_id),)
            for f in graph.facilities.values()
            if f.kind in config.raw_producer_kinds
        ],
        "fl_txn_detail": detail_rows,
        "fl_party": [(i, pid, graph.party_name(pid)) for pid, i in parties.ids.items()],
        "fl_ship_detail": ship_detail,
        "fl_mat_name": mat_names,
        "fl_fac": [(i, fid) for fid, i in facilities.ids.items()],
    }
    zero = {pid: sources for pid in graph.parties if (sources := taint.for_supplier(pid, None))}
    return BatchInputs(tables, flags, zero, dict(graph.bom), taint.unknown, graph.bill)


def closure_of(bom: Mapping[str, Sequence[str]], material: str) -> frozenset[str]:
    seen = {material}
    stack = [material]
    while stack:
        for child in bom.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return frozenset(seen)


def rows_as_text(rows: Iterable[tuple[Any, ...]]) -> Iterable[list[str]]:
    """CSV cells with ``\\N`` for NULL, as the engines' CSV readers expect."""
    for row in rows:
        yield [
            "\\N" if v is None else ("true" if v is True else "false" if v is False else str(v))
            for v in row
        ]
