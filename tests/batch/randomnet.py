"""Random tiered cotton networks for checking the engines against each other and networkx.

Each transaction has its own day, so the "feeds" relation is acyclic and the
networkx reference can be a plain DAG computation.
"""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import networkx as nx

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
from flscreen.trace import SupplyGraph, TraceConfig, build_taint_index
from flscreen.trace.graph import Flow

TIERS = [
    ("farm", "seed cotton"),
    ("ginner", "cotton lint"),
    ("spinner", "cotton yarn"),
    ("mill", "cotton fabric"),
    ("cut-and-sew", "cotton t-shirts"),
]


def random_network(seed: int, size: int = 6) -> SupplyGraph:
    rng = random.Random(seed)
    parties: list[Party] = []
    facilities: list[Facility] = []
    by_tier: dict[int, list[str]] = defaultdict(list)
    ann = Annotations()
    for tier, (kind, _) in enumerate(TIERS):
        for i in range(rng.randint(2, size)):
            pid = f"P{tier}-{i}"
            unknown = tier == 2 and i == 0 and rng.random() < 0.5
            parties.append(
                Party(pid, "Unknown supplier" if unknown else f"Party {pid}", country="CN")
            )
            by_tier[tier].append(pid)
            n_fac = 2 if rng.random() < 0.25 else 1
            for k in range(n_fac):
                fid = f"F{pid}-{k}"
                facilities.append(Facility(fid, pid, f"plant {fid}", kind))
                if rng.random() < 0.15:
                    ann.facilities[fid] = Annotation(
                        "facility", fid, location=LocationFact("xinjiang", rng.random() < 0.3)
                    )
            r = rng.random()
            if r < 0.12:
                ann.parties[pid] = Annotation("party", pid, location=LocationFact("xinjiang"))
            elif r < 0.2:
                status = "match" if rng.random() < 0.6 else "possible"
                hit = ListHitFact(f"E{pid}", "uflpa", 1, f"Listed {pid}", pid, 0.9, status)  # type: ignore[arg-type]
                ann.parties[pid] = Annotation("party", pid, hits=(hit,))
    ownership = []
    for _ in range(rng.randint(0, 3)):
        a, b = rng.sample([p.party_id for p in parties], 2)
        ownership.append(Ownership(a, b, float(rng.choice([30, 50, 60, 100])), rng.random() < 0.1))
    fac_of: dict[str, list[str]] = defaultdict(list)
    for f in facilities:
        fac_of[f.operator_id].append(f.facility_id)
    days = rng.sample(range(1, 5000), 400)
    txns: list[Transaction] = []
    for tier in range(len(TIERS) - 1):
        material = TIERS[tier][1]
        for _ in range(rng.randint(4, size * 3)):
            if tier == 2 and rng.random() < 0.3 and by_tier[2]:
                # yarn resold between spinners (a trader-like hop)
                supplier, buyer = rng.sample(by_tier[2], 2) if len(by_tier[2]) > 1 else (None, None)
                if supplier is None:
                    continue
            else:
                supplier = rng.choice(by_tier[tier])
                buyer = rng.choice(by_tier[tier + 1])
            day = days.pop()
            unit, qty = rng.choice([("kg", rng.randint(100, 5000)), ("t", rng.randint(1, 5))])
            fac = rng.choice([None, *fac_of[supplier]])
            txns.append(
                Transaction(
                    f"T{len(txns):04d}",
                    supplier,
                    buyer,
                    material,
                    float(qty),
                    unit,
                    _date(800 + day // 3),
                    fac,
                    None,
                    (f"D{len(txns)}",),
                )
            )
    shipments = []
    for i in range(rng.randint(3, 8)):
        m = rng.choice(by_tier[4])
        shipments.append(
            Shipment(
                f"S{i}",
                "IMP",
                m,
                m,
                "cotton t-shirts",
                "6109",
                1000,
                "pcs",
                None,
                "VN",
                _date(800 + rng.randint(600, 1800)),
            )
        )
    bom = [BomLine(TIERS[k + 1][1], TIERS[k][1]) for k in range(len(TIERS) - 2)]
    # garments are shipped by the piece: the bill of materials converts them to fabric
    bom.append(BomLine(TIERS[4][1], TIERS[3][1], 0.2, "kg", "pcs"))
    return SupplyGraph.build(
        parties=parties,
        facilities=facilities,
        transactions=txns,
        shipments=shipments,
        ownership=ownership,
        bom=bom,
        annotations=ann,
    )


def _date(n: int) -> str:
    import datetime as dt

    return (dt.date(2022, 1, 1) + dt.timedelta(days=n)).isoformat()


def normalize(result: TraceResult) -> dict[str, Any]:
    """What both engines must agree on: per source and first hop, the summed share."""
    taint: dict[tuple[Any, ...], float] = defaultdict(float)
    for p in result.paths:
        s = p.source
        seed = p.steps[0].transaction_id if p.steps else None
        taint[(s.kind, s.party_id, s.facility_id, s.confidence, seed)] += p.share or 0.0
    return {
        "tainted": result.tainted,
        # per-path shares are rounded to 6 places before they are summed
        "taint": {k: round(v, 4) for k, v in taint.items()},
        "gaps": sorted(
            (g.party_id, g.material, g.reason, g.steps[-1].transaction_id if g.steps else None)
            for g in result.gaps
        ),
        "mass": sorted(
            (m.party_id, m.material, m.period, round(m.shortfall, 3)) for m in result.mass_balance
        ),
    }


def networkx_shares(
    graph: SupplyGraph, config: TraceConfig
) -> dict[str, dict[tuple[str, str], float]]:
    """Per shipment, (kind, party) -> share, computed independently on a networkx DAG."""
    taint = build_taint_index(graph, config)
    flows = list(graph.transactions.values())
    dag = nx.DiGraph()
    dag.add_nodes_from(f.txn.transaction_id for f in flows)
    for down in flows:
        ups = [
            u
            for u in flows
            if u.txn.buyer_id == down.txn.supplier_id
            and down.day - config.lookback_days <= u.day <= down.day
            and u.material in graph.closure(down.material)
            and u is not down
        ]
        total = sum(u.base_quantity or 0.0 for u in ups)  # all mass in these networks
        for u in ups:
            dag.add_edge(
                down.txn.transaction_id, u.txn.transaction_id, w=(u.base_quantity or 0.0) / total
            )
    by_id = {f.txn.transaction_id: f for f in flows}
    sources: dict[str, set[tuple[str, str]]] = {
        f.txn.transaction_id: {(s.kind, s.party_id) for s in taint.for_flow(f)} for f in flows
    }
    memo: dict[tuple[str, tuple[str, str]], float] = {}

    def share(t: str, src: tuple[str, str]) -> float:
        key = (t, src)
        if key in memo:
            return memo[key]
        if src in sources[t]:
            value = 1.0
        elif by_id[t].txn.supplier_id == src[1]:
            value = 0.0
        else:
            value = sum(dag.edges[t, u]["w"] * share(u, src) for u in dag.successors(t))
        memo[key] = value
        return value

    out: dict[str, dict[tuple[str, str], float]] = {}
    for sid, s in graph.shipments.items():
        from flscreen.trace.memory import seeds

        result: dict[tuple[str, str], float] = defaultdict(float)
        for flow, w in seeds(graph, sid, config):
            reach = {flow.txn.transaction_id} | nx.descendants(dag, flow.txn.transaction_id)
            for src in {x for t in reach for x in sources[t]}:
                result[src] += (w or 0.0) * share(flow.txn.transaction_id, src)
        out[sid] = {k: round(v, 9) for k, v in result.items() if v > 0}
        del s
    return out


def collapse(result: TraceResult) -> dict[tuple[str, str], float]:
    """(kind, party) -> share summed over paths (zero-step paths left out)."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    for p in result.paths:
        if p.steps:
            out[(p.source.kind, p.source.party_id)] += p.share or 0.0
    return {k: round(v, 9) for k, v in out.items() if v > 0}


def flows_of(graph: SupplyGraph) -> list[Flow]:
    return list(graph.transactions.values())


def routes(result: TraceResult) -> dict[str, Any]:
    """Everything a dossier shows of the routes: each listed taint route (source and every
    transaction) with its share, how many routes are not listed, each gap with its route."""
    listed: dict[tuple[Any, ...], float | None] = {}
    for p in result.paths:
        s = p.source
        key = (s.kind, s.party_id, s.facility_id, s.confidence, s.detail, p.evidence)
        listed[(*key, tuple(step.transaction_id for step in p.steps))] = p.share
    return {
        "tainted": result.tainted,
        "listed": listed,
        "unlisted": result.unlisted_paths,
        "gaps": sorted(
            (g.party_id, g.material, g.reason, g.detail, tuple(s.transaction_id for s in g.steps))
            for g in result.gaps
        ),
    }


def same_routes(a: TraceResult, b: TraceResult, tolerance: float = 2e-6) -> bool:
    """``routes`` equal, each route's share within ``tolerance`` (both engines round shares
    to 6 places; sums taken in another order can round one unit apart)."""
    ra, rb = routes(a), routes(b)
    if {k: v for k, v in ra.items() if k != "listed"} != {
        k: v for k, v in rb.items() if k != "listed"
    }:
        return False
    la, lb = ra["listed"], rb["listed"]
    if la.keys() != lb.keys():
        return False
    for key, share in la.items():
        other = lb[key]
        if (share is None) != (other is None):
            return False
        if share is not None and other is not None and abs(share - other) > tolerance:
            return False
    return True
