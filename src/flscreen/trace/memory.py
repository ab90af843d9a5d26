"""Trace one shipment in memory: every tainted path, every gap, the mass-balance findings.

From the shipment's manufacturer, follow purchases upstream: a purchase feeds
a sale when the seller bought it at most ``lookback_days`` before the sale (or
the shipment) and its material is the sold material or one of its inputs by
the bills of materials (transitively, so integrated mills are followed). A
path reports a taint source the first time its party appears on the path;
search continues past it to find sources further up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from flscreen.model.trace import (
    Gap,
    MassBalanceFinding,
    Step,
    TaintedPath,
    TaintSource,
    TraceResult,
)
from flscreen.supply.bom import material_key
from flscreen.trace.config import TraceConfig, period_of
from flscreen.trace.graph import Flow, SupplyGraph, day_number
from flscreen.trace.inferred import mark_inferred
from flscreen.trace.massbalance import MassBalanceIndex, finding_order, mass_balance
from flscreen.trace.taint import TaintIndex, build_taint_index

KIND_ORDER = {"list": 0, "ownership": 1, "xpcc": 2, "region": 3}

RouteKey = tuple[bool, int, float, int, tuple[str, ...], str, str, str]


def route_share(weights: Sequence[float | None]) -> float:
    """A route's share for ordering, from its weights (the seed's first, then each hop's):
    the product taken from the source downstream, as the batch SQL multiplies it, so both
    engines order on the same number; a weight not known counts 0."""
    o = -1.0
    for w in reversed(weights[1:]):
        o *= w or 0.0
    return -(o * (weights[0] or 0.0)) if weights else 1.0


def route_key(share: float, path: TaintedPath) -> RouteKey:
    """The order both engines list a shipment's routes in: confirmed sources first, then
    lists, ownership, XPCC and region; a larger ``share`` (:func:`route_share`) first,
    then fewer steps; ties by the transactions (manufacturer's end first) and the source."""
    src = path.source
    return (
        src.confidence != "confirmed",
        KIND_ORDER[src.kind],
        -share,
        len(path.steps),
        tuple(s.transaction_id or "" for s in path.steps),
        src.party_id,
        src.facility_id or "",
        src.detail,
    )


Route = tuple[RouteKey, TaintedPath]


def ranked(share: float, path: TaintedPath) -> Route:
    return route_key(share, path), path


def flag_order(sources: Sequence[TaintSource]) -> list[tuple[int, int]]:
    """Per source (by position), the (prefix, rank) the batch SQL orders routes by so that
    its cut agrees with :func:`route_key`: prefix from confidence and kind, rank among the
    sources by party, facility and detail."""
    ranked = sorted(
        range(len(sources)),
        key=lambda i: (sources[i].party_id, sources[i].facility_id or "", sources[i].detail),
    )
    rank = {i: n for n, i in enumerate(ranked)}
    return [
        ((s.confidence != "confirmed") * 10 + KIND_ORDER[s.kind], rank[i])
        for i, s in enumerate(sources)
    ]


def list_routes(
    paths: Sequence[Route], total: int, config: TraceConfig, party_id: str, product: str
) -> tuple[list[TaintedPath], Gap | None]:
    """The first ``max_paths`` of a shipment's ``total`` tainted routes (each with its
    :func:`route_key`) in that order, and a 'path_limit' gap saying how many more there
    are (None when all fit)."""
    listed = [p for _, p in sorted(paths, key=lambda r: r[0])[: config.max_paths]]
    more = total - len(listed)
    if more <= 0:
        return listed, None
    gap = Gap(
        party_id,
        product,
        "path_limit",
        f"{total:,} tainted routes: the first {len(listed):,} (max_paths) are listed, "
        f"confirmed sources and larger shares first; {more:,} more are not",
    )
    return listed, gap


@dataclass
class Prepared:
    """What every trace under one config shares: taint index and mass-balance findings."""

    config: TraceConfig
    taint: TaintIndex
    mass: MassBalanceIndex


_PREPARED: dict[int, tuple[SupplyGraph, TraceConfig, Prepared]] = {}


def prepare(graph: SupplyGraph, config: TraceConfig) -> Prepared:
    """Taint index and mass balance for ``graph`` under ``config`` (cached per pair)."""
    cached = _PREPARED.get(id(graph))
    if cached is not None and cached[0] is graph and cached[1] is config:
        return cached[2]
    taint = build_taint_index(graph, config)
    prepared = Prepared(config, taint, mass_balance(graph, config, taint.raw_producers))
    _PREPARED.clear()
    _PREPARED[id(graph)] = (graph, config, prepared)
    return prepared


def weigh(
    graph: SupplyGraph, product: str, candidates: Sequence[Flow]
) -> list[tuple[Flow, float | None]]:
    """Each candidate with its share of what the candidates can make of ``product``.

    Every purchase is counted by the amount of ``product`` it can make, by the bills
    of materials (0.2 kg of fabric per t-shirt, 60 wafers and 1.8 kg of frame per
    module; 1:1 where a line states no quantity), so lint, resold yarn, wafers and
    frames pool into one total and the shares of the candidates sum to at most 1.
    Purchases the bills cannot convert get no share (None); when amounts of unlike
    dimensions remain (no factor links them), each such pool counts for an equal part.
    """
    bill = graph.bill
    amounts = [
        bill.equivalent(product, f.material, f.base_quantity, f.dimension) for f in candidates
    ]
    totals: dict[str | None, float] = defaultdict(float)
    for amount in amounts:
        if amount is not None:
            totals[amount[1]] += amount[0]
    pools = len(totals)
    out: list[tuple[Flow, float | None]] = []
    for flow, amount in zip(candidates, amounts, strict=True):
        total = totals.get(amount[1]) if amount is not None else None
        share = amount[0] / total / pools if amount is not None and total else None
        out.append((flow, share))
    return out


def seeds(
    graph: SupplyGraph, shipment_id: str, config: TraceConfig
) -> list[tuple[Flow, float | None]]:
    """The manufacturer's purchases that can be inside the shipped product."""
    s = graph.shipment(shipment_id)
    day = day_number(s.date)
    product = material_key(s.product)
    materials = graph.closure(product)
    found = [
        f
        for f in graph.purchases(s.manufacturer_id, day - config.lookback_days, day)
        if f.material in materials
    ]
    return weigh(graph, product, found)


def feeders(graph: SupplyGraph, flow: Flow, config: TraceConfig) -> list[tuple[Flow, float | None]]:
    """The seller's purchases that can be inside what ``flow`` sold."""
    materials = graph.closure(flow.material)
    found = [
        f
        for f in graph.purchases(flow.txn.supplier_id, flow.day - config.lookback_days, flow.day)
        if f.material in materials and f.txn.transaction_id != flow.txn.transaction_id
    ]
    return weigh(graph, flow.material, found)


def make_step(graph: SupplyGraph, flow: Flow, share: float | None) -> Step:
    t = flow.txn
    return Step(
        transaction_id=t.transaction_id,
        supplier_id=t.supplier_id,
        buyer_id=t.buyer_id,
        material=t.material,
        quantity=t.quantity,
        unit=t.unit,
        date=t.date,
        documents=t.documents,
        supplier_name=graph.party_name(t.supplier_id),
        buyer_name=graph.party_name(t.buyer_id),
        supplier_facility_id=t.supplier_facility_id,
        share_of_input=None if share is None else round(share, 6),
        kind=t.kind,
        provenance=t.provenance,
    )


def gap_at(
    graph: SupplyGraph, flow: Flow, prepared: Prepared, has_feeders: bool
) -> tuple[str, str] | None:
    """(reason, detail) when the documented chain of a priority-sector input stops at ``flow``."""
    config = prepared.config
    sector = config.sector(flow.material)
    if sector is None:
        return None
    seller = graph.party_name(flow.txn.supplier_id)
    if flow.txn.supplier_id in prepared.taint.unknown:
        return (
            "unknown_supplier",
            f"{flow.txn.material} ({sector}) in {flow.txn.transaction_id} comes from "
            f"{seller!r}, a supplier that cannot be identified or screened",
        )
    if has_feeders or config.is_raw(flow.material) or prepared.taint.is_raw_producer(flow, config):
        return None
    return (
        "ends_before_raw_material",
        f"{seller} sold {flow.txn.material} ({sector}) in {flow.txn.transaction_id} but no "
        f"purchase of it or its inputs is documented in the {config.lookback_days} days before",
    )


class _Walk:
    def __init__(self, graph: SupplyGraph, prepared: Prepared) -> None:
        self.graph = graph
        self.prepared = prepared
        self.config = prepared.config
        self.paths: list[Route] = []
        """The first routes found so far, by :func:`route_key` (trimmed as it grows)."""
        self.found = 0
        """Every route found, listed or not."""
        self.gaps: dict[str, tuple[tuple[float, int, tuple[str, ...]], Gap]] = {}
        self._feeders: dict[str, list[tuple[Flow, float | None]]] = {}
        self._interesting: dict[str, tuple[bool, int]] = {}

    def add(self, share: float, path: TaintedPath) -> None:
        """Count a route; keep it while it may be among the first ``max_paths``."""
        self.found += 1
        self.paths.append(ranked(share, path))
        cap = self.config.max_paths
        if len(self.paths) > 2 * cap + 1000:  # bounded memory, sorting amortised
            self.paths = sorted(self.paths, key=lambda r: r[0])[:cap]

    def feeders(self, flow: Flow) -> list[tuple[Flow, float | None]]:
        key = flow.txn.transaction_id
        found = self._feeders.get(key)
        if found is None:
            found = feeders(self.graph, flow, self.config)
            self._feeders[key] = found
        return found

    def interesting(self, flow: Flow, depth: int) -> bool:
        """Whether a taint source or gap lies at or upstream of ``flow`` (prunes clean cones)."""
        key = flow.txn.transaction_id
        known = self._interesting.get(key)
        # a 'no' found deeper down may have been cut by max_depth: trust it only from as deep
        if known is not None and (known[0] or known[1] <= depth):
            return known[0]
        self._interesting[key] = (False, 0)  # a same-day cycle ends here
        ups = self.feeders(flow)
        result = bool(self.prepared.taint.for_flow(flow)) or (
            gap_at(self.graph, flow, self.prepared, bool(ups)) is not None
        )
        if not result and depth < self.config.max_depth:
            result = any(self.interesting(u, depth + 1) for u, _ in ups)
        self._interesting[key] = (result, depth)
        return result

    def walk(
        self,
        flow: Flow,
        weights: tuple[float | None, ...],
        trail: tuple[Step, ...],
        on_path: frozenset[str],
        sellers: frozenset[str],
    ) -> None:
        """Follow ``flow`` upstream; ``weights`` are the route's so far, ``flow``'s last."""
        steps = (*trail, make_step(self.graph, flow, weights[-1]))
        seller = flow.txn.supplier_id
        share = route_share(weights)
        shown = None if None in weights else round(share, 6)
        if seller not in sellers:
            for src in self.prepared.taint.for_flow(flow):
                self.add(share, TaintedPath(src, steps, shown))
        ups = self.feeders(flow)
        gap = gap_at(self.graph, flow, self.prepared, bool(ups))
        if gap is not None:
            # the route with the largest share, as the batch engines choose it
            key = (-share, len(steps), tuple(s.transaction_id or "" for s in steps))
            known = self.gaps.get(flow.txn.transaction_id)
            if known is None or key < known[0]:
                sector = self.config.sector(flow.material)
                self.gaps[flow.txn.transaction_id] = (
                    key,
                    Gap(seller, flow.txn.material, gap[0], gap[1], steps, sector),
                )
        if len(steps) >= self.config.max_depth:
            return
        seen = on_path | {flow.txn.transaction_id}
        for up, w in ups:
            if up.txn.transaction_id in seen or not self.interesting(up, len(steps) + 1):
                continue
            self.walk(up, (*weights, w), steps, seen, sellers | {seller})


def cone(graph: SupplyGraph, starts: Sequence[Flow], config: TraceConfig) -> set[str]:
    """Ids of every transaction upstream of ``starts`` within ``max_depth`` hops."""
    seen: dict[str, int] = {}
    frontier = [(f, 1) for f in starts]
    while frontier:
        flow, depth = frontier.pop()
        key = flow.txn.transaction_id
        if seen.get(key, config.max_depth + 1) <= depth:
            continue
        seen[key] = depth
        if depth < config.max_depth:
            frontier.extend((u, depth + 1) for u, _ in feeders(graph, flow, config))
    return set(seen)


def trace_shipment(graph: SupplyGraph, shipment_id: str, config: TraceConfig) -> TraceResult:
    """Trace one shipment; raises NotFound for an unknown id.

    ``tainted`` is true when at least one path ends at a confirmed source;
    paths to possible sources (review-band matches, conflicting locations) are
    listed too, marked ``possible``.
    """
    prepared = prepare(graph, config)
    s = graph.shipment(shipment_id)
    walk = _Walk(graph, prepared)
    for party in dict.fromkeys((s.manufacturer_id, s.exporter_id)):
        for src in prepared.taint.for_supplier(party, None):
            walk.add(1.0, TaintedPath(src, (), 1.0))
    first = seeds(graph, shipment_id, config)
    for flow, w in first:
        if walk.interesting(flow, 1):
            walk.walk(flow, (w,), (), frozenset(), frozenset())
    gaps = [g for _, g in walk.gaps.values()]
    gaps.extend(_missing_inputs(graph, s.manufacturer_id, s.product, [f for f, _ in first], config))
    paths, limit = list_routes(walk.paths, walk.found, config, s.manufacturer_id, s.product)
    if limit is not None:
        gaps.append(limit)
    reached = cone(graph, [f for f, _ in first], config)
    own = (s.manufacturer_id, material_key(s.product), period_of(s.date, config.period))
    findings, missing = _findings_for(graph, reached, prepared, own)
    gaps.extend(missing)
    tainted = any(p.source.confidence == "confirmed" for p in paths)
    result = TraceResult(
        s.shipment_id,
        tainted,
        tuple(paths),
        tuple(gaps),
        tuple(findings),
        walk.found - len(paths),
    )
    return mark_inferred(result)


def _missing_inputs(
    graph: SupplyGraph, manufacturer: str, product: str, first: Sequence[Flow], config: TraceConfig
) -> list[Gap]:
    """A 'no_supplier' gap for each priority-sector input with no purchase at all."""
    inputs = graph.bom.get(material_key(product)) or (material_key(product),)
    bought = {f.material for f in first}
    gaps = []
    for material in inputs:
        sector = config.sector(material)
        if sector is None or config.is_raw(material) or bought & graph.closure(material):
            continue
        gaps.append(
            Gap(
                manufacturer,
                material,
                "no_supplier",
                f"{graph.party_name(manufacturer)} documents no purchase of {material} "
                f"({sector}) or its inputs in the {config.lookback_days} days before the shipment",
                (),
                sector,
            )
        )
    return gaps


def _findings_for(
    graph: SupplyGraph,
    reached: set[str],
    prepared: Prepared,
    own: tuple[str, str, str],
) -> tuple[list[MassBalanceFinding], list[Gap]]:
    """Findings and missing conversions of the sales upstream (and of the shipment's own
    manufacturer, whose output is the shipment)."""
    keys = {
        (
            graph.transactions[t].txn.supplier_id,
            graph.transactions[t].material,
            period_of(graph.transactions[t].txn.date, prepared.config.period),
        )
        for t in reached
    }
    keys.add(own)
    mass = prepared.mass
    findings = sorted(
        (f for k in keys for f in mass.findings.get(k, ())),
        key=finding_order,
    )
    gaps: dict[tuple[str, str, str], Gap] = {}
    for k in sorted(keys):
        for gap in mass.missing.get(k, ()):
            gaps.setdefault((gap.party_id, gap.material, gap.detail), gap)
    return findings, list(gaps.values())
