"""Mass balance: can each party's documented inputs explain what it sold?

A running balance per party and output material: through the end of each
period, the output sold (converted back to input with the configured yield)
cannot exceed the inputs documented so far (stock may carry over from earlier
periods). A positive difference is a shortfall: volume with no documented
source, which may hide Xinjiang material.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flscreen.model.trace import MassBalanceFinding
from flscreen.trace.config import TraceConfig, Yield, period_of
from flscreen.trace.graph import SupplyGraph
from flscreen.trace.taint import TaintIndex


@dataclass(frozen=True, slots=True)
class Conversion:
    """How buying ``input`` covers selling ``output``: kg of primary input per kg bought."""

    output: str
    input: str
    to_primary: float
    primary_input: str
    primary_yield: float


def conversions_for(output: str, config: TraceConfig) -> list[Conversion]:
    """Inputs that count towards ``output``: configured yields plus resale of the same material.

    The first configured yield into ``output`` is the primary one: findings are
    stated in its input (e.g. kg of lint for yarn).
    """
    yields: tuple[Yield, ...] = config.yields_into(output)
    if yields:
        primary = yields[0]
        convs = [
            Conversion(output, y.input, y.factor / primary.factor, primary.input, primary.factor)
            for y in yields
        ]
        convs.append(
            Conversion(output, output, 1.0 / primary.factor, primary.input, primary.factor)
        )
        return convs
    return [Conversion(output, output, 1.0, output, 1.0)]


def mass_balance(
    graph: SupplyGraph, config: TraceConfig, taint: TaintIndex
) -> dict[tuple[str, str, str], MassBalanceFinding]:
    """Every shortfall, keyed by (party, output material, period)."""
    sold: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    sales: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    facilities: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    bought: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
    dims: dict[str, str | None] = {}
    for flow in graph.transactions.values():
        if flow.base_quantity is None:
            continue
        period = period_of(flow.txn.date, config.period)
        key = (flow.txn.supplier_id, flow.material)
        sold[key][period] += flow.base_quantity
        sales[(*key, period)].append(flow.txn.transaction_id)
        facilities[key].add(flow.txn.supplier_facility_id)
        bought[(flow.txn.buyer_id, flow.material)][period] += flow.base_quantity
        dims[flow.material] = flow.dimension
    findings: dict[tuple[str, str, str], MassBalanceFinding] = {}
    for (party, output), by_period in sold.items():
        if party in taint.raw_producers:
            continue
        convs = [
            c
            for c in conversions_for(output, config)
            if c.input == output or (dims.get(c.input) == "mass" and dims.get(output) == "mass")
        ]
        inputs_by_period: dict[str, float] = defaultdict(float)
        for conv in convs:
            for period, qty in bought.get((party, conv.input), {}).items():
                inputs_by_period[period] += qty * conv.to_primary
        if not inputs_by_period:
            # No documented input at all: the gap check reports the missing upstream.
            continue
        primary = convs[0]
        cum_in = cum_out = 0.0
        named = facilities[(party, output)]
        facility = next(iter(named)) if len(named) == 1 else None
        for period in sorted(set(by_period) | set(inputs_by_period)):
            cum_in += inputs_by_period.get(period, 0.0)
            cum_out += by_period.get(period, 0.0)
            required = cum_out / primary.primary_yield
            shortfall = required - cum_in
            if period in by_period and shortfall > config.mass_balance_tolerance * required:
                findings[(party, output, period)] = MassBalanceFinding(
                    party_id=party,
                    facility_id=facility,
                    material=output,
                    period=period,
                    inputs=round(cum_in, 6),
                    outputs=round(cum_out, 6),
                    yield_factor=primary.primary_yield,
                    shortfall=round(shortfall, 6),
                    unit=_base_unit(dims.get(output)),
                    input_material=primary.primary_input,
                    transactions=tuple(sorted(sales[(party, output, period)])),
                )
    return findings


def _base_unit(dimension: str | None) -> str:
    return {"mass": "kg", "count": "pcs", "length": "m", "area": "m2", "volume": "l"}.get(
        dimension or "", "units"
    )
