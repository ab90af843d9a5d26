"""Tracing rules on small hand-made chains: ownership, facilities, dates, cycles, mass balance."""

from __future__ import annotations

import pytest

from flscreen.model.supply import (
    Annotation,
    Annotations,
    BomLine,
    Facility,
    ListHitFact,
    LocationFact,
    Ownership,
    Party,
    Shipment,
    Transaction,
)
from flscreen.model.trace import TraceResult
from flscreen.trace import SupplyGraph, build_taint_index, load_config, trace_shipment

CONFIG = load_config()
BOM = [
    BomLine("cotton t-shirts", "cotton fabric"),
    BomLine("cotton fabric", "cotton yarn"),
    BomLine("cotton yarn", "cotton lint"),
    BomLine("cotton lint", "seed cotton"),
]


def listed(pid: str, status: str = "match") -> Annotation:
    hit = ListHitFact(f"E-{pid}", "uflpa", 2, f"Listed {pid}", pid, 0.95, status)  # type: ignore[arg-type]
    return Annotation("party", pid, hits=(hit,), list_versions=("uflpa@2",))


def xinjiang(kind: str, sid: str) -> Annotation:
    return Annotation(kind, sid, location=LocationFact("xinjiang", division_name="阿克苏地区"))  # type: ignore[arg-type]


def txn(
    tid: str, s: str, b: str, material: str, qty: float, date: str, fac: str | None = None
) -> Transaction:
    return Transaction(tid, s, b, material, qty, "t", date, fac, None, (f"INV-{tid}",))


def graph(
    txns: list[Transaction],
    parties: list[str] | None = None,
    ownership: list[Ownership] = (),  # type: ignore[assignment]
    facilities: list[Facility] = (),  # type: ignore[assignment]
    ann: Annotations | None = None,
    ship_date: str = "2026-06-30",
    names: dict[str, str] | None = None,
) -> SupplyGraph:
    ids = set(parties or ()) | {t.supplier_id for t in txns} | {t.buyer_id for t in txns} | {"M"}
    for o in ownership:
        ids |= {o.owner_id, o.owned_id}
    return SupplyGraph.build(
        parties=[
            Party(p, (names or {}).get(p, f"Party {p}"), country="CN", address="somewhere")
            for p in sorted(ids)
        ],
        facilities=facilities,
        transactions=txns,
        shipments=[
            Shipment(
                "S", "IMP", "M", "M", "cotton t-shirts", "6109", 1000, "pcs", None, "VN", ship_date
            )
        ],
        ownership=ownership,
        bom=BOM,
        annotations=ann or Annotations(),
    )


def kinds(r: TraceResult) -> set[tuple[str, str, str]]:
    return {(p.source.kind, p.source.party_id, p.source.confidence) for p in r.paths}


CHAIN = [
    txn("T1", "MILL", "M", "cotton fabric", 10, "2026-05-01"),
    txn("T2", "SPIN", "MILL", "cotton yarn", 12, "2026-03-01"),
]


@pytest.mark.parametrize(
    ("links", "threshold", "expected"),
    [
        # two listed owners with 30% and 25%: 55% together reaches OFAC's 50% rule
        ([("L1", 30.0, False), ("L2", 25.0, False)], 50.0, "confirmed"),
        ([("L1", 30.0, False), ("L2", 25.0, False)], 60.0, None),
        # control taints whatever the share
        ([("L1", 10.0, True)], 50.0, "confirmed"),
        # a clean owner's share does not count
        ([("L1", 30.0, False), ("CLEAN", 70.0, False)], 50.0, None),
        # the only listed owner is a possible match: the ownership taint is possible too
        ([("LP", 80.0, False)], 50.0, "possible"),
    ],
)
def test_ownership_rule(
    links: list[tuple[str, float, bool]], threshold: float, expected: str | None
) -> None:
    ann = Annotations(
        parties={"L1": listed("L1"), "L2": listed("L2"), "LP": listed("LP", "possible")}
    )
    own = [Ownership(owner, "SPIN", share, control) for owner, share, control in links]
    r = trace_shipment(
        graph(CHAIN, ownership=own, ann=ann), "S", CONFIG.replace(ownership_threshold=threshold)
    )
    found = {c for k, p, c in kinds(r) if k == "ownership" and p == "SPIN"}
    assert found == ({expected} if expected else set())


def test_ownership_is_transitive_and_cites_the_chain() -> None:
    ann = Annotations(parties={"L1": listed("L1")})
    own = [
        Ownership("L1", "HOLD", 100.0),
        Ownership("HOLD", "MID", 51.0),
        Ownership("MID", "SPIN", 50.0),
    ]
    index = build_taint_index(graph(CHAIN, ownership=own, ann=ann), CONFIG)
    [src] = [s for s in index.party["SPIN"] if s.kind == "ownership"]
    assert [(h["owner"], h["owned"]) for h in src.evidence["chain"]] == [
        ("L1", "HOLD"),
        ("HOLD", "MID"),
        ("MID", "SPIN"),
    ]
    assert "through 2 intermediate owner(s)" in src.detail


def test_xpcc_named_party() -> None:
    g = graph(CHAIN, names={"SPIN": "新疆生产建设兵团第一师棉麻公司"})
    r = trace_shipment(g, "S", CONFIG)
    assert ("xpcc", "SPIN", "confirmed") in kinds(r) and r.tainted


@pytest.mark.parametrize(
    ("sale_facility", "expected"),
    [
        ("F-XJ", {("region", "SPIN", "confirmed")}),  # the sale names the Xinjiang plant
        ("F-JS", set()),  # the sale names the Jiangsu plant
        (None, {("region", "SPIN", "possible")}),  # unnamed: could be either plant
    ],
)
def test_facility_taint(sale_facility: str | None, expected: set[tuple[str, str, str]]) -> None:
    facilities = [
        Facility("F-XJ", "SPIN", "Aksu plant", "spinner"),
        Facility("F-JS", "SPIN", "Wuxi plant", "spinner"),
    ]
    ann = Annotations(facilities={"F-XJ": xinjiang("facility", "F-XJ")})
    txns = [CHAIN[0], txn("T2", "SPIN", "MILL", "cotton yarn", 12, "2026-03-01", sale_facility)]
    r = trace_shipment(graph(txns, facilities=facilities, ann=ann), "S", CONFIG)
    assert kinds(r) == expected
    assert r.tainted == any(c == "confirmed" for _, _, c in expected)


def test_purchases_after_the_sale_are_not_followed() -> None:
    ann = Annotations(parties={"GIN": xinjiang("party", "GIN")})
    late = [*CHAIN, txn("T3", "GIN", "SPIN", "cotton lint", 20, "2026-03-02")]  # a day after T2
    early = [*CHAIN, txn("T3", "GIN", "SPIN", "cotton lint", 20, "2026-02-28")]
    assert kinds(trace_shipment(graph(late, ann=ann), "S", CONFIG)) == set()
    assert kinds(trace_shipment(graph(early, ann=ann), "S", CONFIG)) == {
        ("region", "GIN", "confirmed")
    }


def test_same_day_cycle_terminates_and_reports_a_party_once() -> None:
    ann = Annotations(parties={"SPIN": xinjiang("party", "SPIN")})
    txns = [
        *CHAIN,
        txn("T3", "TRADER", "SPIN", "cotton yarn", 5, "2026-03-01"),
        txn("T4", "SPIN", "TRADER", "cotton yarn", 5, "2026-03-01"),
    ]
    r = trace_shipment(graph(txns, ann=ann), "S", CONFIG)
    spin_paths = [p for p in r.paths if p.source.party_id == "SPIN"]
    # SPIN is reported where it first appears (T2), not again after the detour through TRADER
    assert [[s.transaction_id for s in p.steps] for p in spin_paths] == [["T1", "T2"]]


def test_mass_balance_is_a_running_balance() -> None:
    lint = txn("L1", "GIN", "SPIN", "cotton lint", 100, "2025-03-01")
    carried = [CHAIN[0], lint, txn("T2", "SPIN", "MILL", "cotton yarn", 80, "2026-03-01")]
    # 80 t yarn needs at least 88.9 t lint (spinning yields 0.85-0.90): the 100 t bought
    # the year before cover it
    assert trace_shipment(graph(carried), "S", CONFIG).mass_balance == ()
    # 90 t is still inside the range (100 t of lint at the best yield, 0.90)
    inside = [CHAIN[0], lint, txn("T2", "SPIN", "MILL", "cotton yarn", 90, "2026-03-01")]
    assert trace_shipment(graph(inside), "S", CONFIG).mass_balance == ()
    short = [CHAIN[0], lint, txn("T2", "SPIN", "MILL", "cotton yarn", 95, "2026-03-01")]
    [m] = trace_shipment(graph(short), "S", CONFIG).mass_balance
    assert (m.party_id, m.period, m.input_material) == ("SPIN", "2026", "cotton lint")
    assert m.shortfall == pytest.approx(95_000 / 0.90 - 100_000)
    assert (m.yield_min, m.yield_max, m.basis) == (0.85, 0.90, "yield")
    quarterly = trace_shipment(graph(short), "S", CONFIG.replace(period="quarter"))
    assert [f.period for f in quarterly.mass_balance] == ["2026-Q1"]


def test_possible_list_match_is_listed_but_does_not_taint() -> None:
    ann = Annotations(parties={"SPIN": listed("SPIN", "possible")})
    r = trace_shipment(graph(CHAIN, ann=ann), "S", CONFIG)
    assert kinds(r) == {("list", "SPIN", "possible")} and not r.tainted
