"""Pieces, cartons and tonnes: conversion factors, yield ranges, per-facility balance.

The mixed-units sample (resources/sample/supply-mixed) counts garments by the piece,
fabric and yarn by the tonne, paste by the carton and tomatoes by the tonne and kg.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flscreen.batch import run_batch_on_graph
from flscreen.errors import InvalidInput
from flscreen.model.supply import BomLine, Facility, Party, Shipment, Transaction
from flscreen.policy import decide
from flscreen.policy.loader import load_policy
from flscreen.store import Store
from flscreen.supply import load_package, package_from_dict
from flscreen.supply import store as supply_store
from flscreen.supply.annotate import annotate_package
from flscreen.supply.bom import BillOfMaterials, line_factor
from flscreen.trace import SupplyGraph, TraceConfig, load_config, trace_shipment
from flscreen.trace.config import config_from_dict
from flscreen.trace.memory import seeds
from tests.batch.randomnet import normalize
from tests.supply.fakes import FAKE

MIXED = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample"
MIXED = MIXED / "supply-mixed"
TODAY = dt.date(2026, 11, 27)
CONFIG = load_config()


@pytest.fixture(scope="module")
def mixed() -> SupplyGraph:
    pkg = load_package(MIXED, today=TODAY)
    return SupplyGraph.from_package(
        pkg, annotate_package(pkg, FAKE, now="2026-11-27T00:00:00+00:00")
    )


def test_mixed_units_package_imports_and_round_trips(store: Store) -> None:
    pkg = load_package(MIXED, today=TODAY)
    units = {t.unit for t in pkg.transactions} | {s.unit for s in pkg.shipments}
    assert units == {"t", "kg", "ctn", "pcs", "cartons"}
    shirt = next(b for b in pkg.bom if b.product == "cotton t-shirts")
    assert (shirt.quantity, shirt.unit, shirt.per, shirt.yield_) == (0.18, "kg", "pcs", 0.9)
    with store.begin() as conn:
        supply_store.save_package(conn, pkg, "mixed")
    with store.connect() as conn:
        back = supply_store.load_package(conn)
    assert sorted(back.bom, key=lambda b: b.product) == sorted(pkg.bom, key=lambda b: b.product)
    assert {t.kind for t in back.transactions} == {"documented"}


def test_bom_factors_convert_units() -> None:
    # 0.18 kg net per piece with a 10% cutting loss: 0.2 kg gross
    f = line_factor(BomLine("t", "fabric", 0.18, "kg", "pcs", 0.9))
    assert (round(f.value, 9), f.input_dim, f.output_dim) == (0.2, "mass", "count")
    # 80 kg of tomatoes per carton; 1.2 t per dozen is 100 kg per piece
    assert line_factor(BomLine("paste", "tom", 80, "kg", "ctn")).value == 80
    assert line_factor(BomLine("x", "y", 1.2, "t", "dozen")).value == pytest.approx(100)
    bill = BillOfMaterials.build(
        [
            BomLine("solar module", "silicon wafer", 60, "pcs", "pcs"),
            BomLine("silicon wafer", "polysilicon", 0.012, "kg", "pcs"),
        ]
    )
    chain = bill.chain("solar module", "polysilicon")
    assert chain is not None and chain.value == pytest.approx(0.72)
    # 1,000 kg of polysilicon makes 1,388.9 modules; counted in pieces it cannot be converted
    assert bill.equivalent("solar module", "polysilicon", 1000.0, "mass") == pytest.approx(
        (1000 / 0.72, "count")
    )
    assert bill.equivalent("solar module", "polysilicon", 1000.0, "count") is None


def test_shares_pool_unlike_units_and_never_exceed_one(mixed: SupplyGraph) -> None:
    for sid in mixed.shipments:
        assert sum(w or 0.0 for _, w in seeds(mixed, sid, CONFIG)) <= 1.0 + 1e-9, sid
        r = trace_shipment(mixed, sid, CONFIG)
        by_source: dict[tuple[str, str], float] = {}
        for p in r.paths:
            key = (p.source.kind, p.source.party_id)
            by_source[key] = by_source.get(key, 0.0) + (p.share or 0.0)
        # every route to one source together carries at most the whole input
        assert all(v <= 1.0 + 1e-9 for v in by_source.values()), (sid, by_source)


def test_per_facility_balance_finds_the_short_mill(mixed: SupplyGraph) -> None:
    r = trace_shipment(mixed, "S-3001", CONFIG)
    [m] = r.mass_balance
    # Ha Nam wove 80 t of fabric from 40 t of (Xinjiang) yarn: at the best weaving yield
    # (0.95) that needs 84.2 t; the Can Tho mill's 200 t of US yarn does not cover it,
    # although the firm as a whole bought 240 t for 200 t of fabric (210.5 t needed)
    assert (m.party_id, m.facility_id, m.material, m.input_material) == (
        "VN-MEKONG",
        "F-MK-HANAM",
        "cotton fabric",
        "cotton yarn",
    )
    assert (m.outputs, m.inputs) == (80_000, 40_000)
    assert m.required == pytest.approx(80_000 / 0.95)
    assert m.shortfall == pytest.approx(80_000 / 0.95 - 40_000)
    assert (m.yield_min, m.yield_max, m.basis) == (0.9, 0.95, "yield")
    assert m.transactions == ("M-05",) and m.input_transactions == ("M-03",)
    # the garment maker's own balance (300,000 pieces at 0.2 kg: 60 t of 200 t) is fine
    assert r.tainted


def test_cartons_trace_and_balance(mixed: SupplyGraph) -> None:
    r = trace_shipment(mixed, "S-3002", CONFIG)
    # 600 t of 800 t of tomatoes came from Changji (Xinjiang); 8,000 cartons need 640 t
    [path] = r.paths
    assert (path.source.kind, path.source.party_id) == ("region", "CN-CJ-TOMATO")
    assert path.share == pytest.approx(0.75)
    assert r.mass_balance == () and r.gaps == ()


def test_missing_factor_is_a_gap_naming_the_pair(mixed: SupplyGraph) -> None:
    r = trace_shipment(mixed, "S-3003", CONFIG)
    [gap] = [g for g in r.gaps if g.reason == "missing_conversion"]
    assert (gap.party_id, gap.material) == ("IT-SALERNO", "tomato ketchup")
    assert "tomato paste" in gap.detail and "kg" in gap.detail and "carton" in gap.detail
    # the paste itself is still followed upstream, with its share unknown
    [path] = r.paths
    assert path.source.party_id == "CN-CJ-TOMATO" and path.share is None
    # a gap alone routes the shipment to review under UFLPA, it does not refuse anything
    clean = type(r)(r.shipment, False, (), (gap,), ())
    verdict = decide(clean, mixed.shipments["S-3003"], load_policy("uflpa"))
    assert verdict.outcome == "review"


def test_batch_equals_memory_on_mixed_units(mixed: SupplyGraph) -> None:
    batch = {r.shipment: r for r in run_batch_on_graph(mixed, CONFIG)}
    for sid in mixed.shipments:
        memory = trace_shipment(mixed, sid, CONFIG)
        assert normalize(batch[sid]) == normalize(memory), sid
        assert batch[sid].mass_balance == memory.mass_balance, sid
        assert sorted(g.detail for g in batch[sid].gaps) == sorted(g.detail for g in memory.gaps)


def _weaver(fabric_kg: float) -> SupplyGraph:
    parties = [Party(p, p, country="VN") for p in ("SPIN", "WEAVE", "SEW", "IMP")]
    t = [
        Transaction("Y1", "SPIN", "WEAVE", "cotton yarn", 8_500, "kg", "2026-02-01", None, "F-W"),
        Transaction("F1", "WEAVE", "SEW", "cotton fabric", fabric_kg, "kg", "2026-03-01", "F-W"),
    ]
    return SupplyGraph.build(
        parties=parties,
        facilities=[Facility("F-W", "WEAVE", "weaving mill", "mill")],
        transactions=t,
        shipments=[
            Shipment(
                "S", "IMP", "SEW", "SEW", "cotton fabric", "5208", 1, "t", None, None, "2026-04-01"
            )
        ],
        bom=[BomLine("cotton fabric", "cotton yarn")],
    )


@pytest.mark.parametrize(
    ("fabric_kg", "short"),
    [
        (8_000, False),  # 94%: inside the 90-95% weaving yield, nothing to explain
        (8_075, False),  # exactly 95%
        (8_300, True),  # 97.6%: beyond the best yield by 236.8 kg of yarn
    ],
)
def test_yield_inside_the_range_is_no_finding(fabric_kg: float, short: bool) -> None:
    r = trace_shipment(_weaver(fabric_kg), "S", CONFIG)
    assert bool(r.mass_balance) == short
    if short:
        [m] = r.mass_balance
        assert m.shortfall == pytest.approx(fabric_kg / 0.95 - 8_500)
        assert m.facility_id == "F-W"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"yield": 0.9}, (0.9, 0.9)),
        ({"yield": [0.9, 0.95]}, (0.9, 0.95)),
        ({"yield": "90-95%"}, (0.9, 0.95)),
        ({"yield": "0.85-0.9"}, (0.85, 0.9)),
        ({"min": 0.3, "max": 0.4}, (0.3, 0.4)),
    ],
)
def test_yield_ranges_in_config(spec: dict[str, object], expected: tuple[float, float]) -> None:
    config = config_from_dict({"yields": [{"input": "a", "output": "b", **spec}]})
    assert config.yield_range("a", "b") == pytest.approx(expected)


@pytest.mark.parametrize("bad", [[0.95, 0.9], "ninety", 0, [0.5], 2.0])
def test_bad_yield_ranges_are_reported(bad: object) -> None:
    with pytest.raises(InvalidInput, match="yield"):
        config_from_dict({"yields": [{"input": "a", "output": "b", "yield": bad}]})


def test_bom_yield_and_loss_are_checked() -> None:
    base = {
        "parties": [{"party_id": "P", "name": "P"}],
        "bom": [
            {"product": "a", "material": "b", "quantity": 1, "unit": "kg", "yield": 92},
            {"product": "c", "material": "d", "quantity": 1, "unit": "kg", "loss": 1.2},
            {"product": "e", "material": "f", "quantity": 1, "unit": "kg", "per": "bales"},
            {"product": "g", "material": "h", "yield": 0.9},
        ],
    }
    with pytest.raises(InvalidInput) as caught:
        package_from_dict(base, today=TODAY)
    found = {(p.row, p.field) for p in caught.value.problems}
    assert found == {(1, "yield"), (2, "loss"), (3, "per"), (4, "quantity")}
    assert "write 0.92 for 92%" in str(caught.value)


def test_trace_config_tolerance_default_is_zero(config: TraceConfig) -> None:
    # the ranges carry the spread; a tolerance on top would hide real shortfalls
    assert config.mass_balance_tolerance == 0.0
