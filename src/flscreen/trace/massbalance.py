"""Mass balance as auditors check it: per facility, output material, input and period.

For each facility, each material it sells (or ships) and each input its bill of
materials names, a running balance through the end of each period: the input
the outputs need at the best yield the configuration allows for the step (a
range: weaving 90-95%, so inside it is no finding), or by the bill-of-materials
factor where units differ (0.2 kg of fabric per t-shirt), against the inputs
documented so far (stock may carry over). A positive difference is a
shortfall: volume with no documented source, which may hide Xinjiang material.
A clean mill and a Xinjiang-supplied mill of one firm are balanced apart.

Sales and purchases that name no facility count for the party's only facility,
or, when it has several, form their own "unnamed" balance. An input whose units
the bills of materials cannot convert is reported as a missing conversion
(naming the product, the input and their units), not dropped silently.

The balance runs on aggregated quantities, so the in-memory tracer and the batch
engines call the same :func:`balance` (the batch aggregates in SQL first).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field

from flscreen.model.trace import Gap, MassBalanceFinding
from flscreen.supply.bom import BillOfMaterials, material_key
from flscreen.supply.units import parse_unit
from flscreen.trace.config import TraceConfig, period_of
from flscreen.trace.graph import SupplyGraph

BASE_UNITS = {
    "mass": "kg",
    "count": "pcs",
    "length": "m",
    "area": "m2",
    "volume": "l",
    "power": "W",
    "carton": "carton",
}


def base_unit(dimension: str | None) -> str:
    return BASE_UNITS.get(dimension or "", dimension or "units")


@dataclass(frozen=True, slots=True)
class StepRule:
    """How much ``input`` one unit of ``output`` needs at best, and on what basis."""

    factor: float
    """Gross input per unit of output at the best yield allowed (base units)."""
    input_dim: str | None
    output_dim: str | None
    basis: str
    """'yield' (configured range), 'bom' (bill-of-materials factor), 'resale' or 'assumed'
    (same unit, no factor stated: at most one unit out per unit in)."""
    yield_min: float | None = None
    yield_max: float | None = None
    bom_factor: float | None = None


def step_rule(
    bill: BillOfMaterials, config: TraceConfig, output: str, input_: str, output_dim: str | None
) -> StepRule | None:
    """The rule for making ``output`` (counted in ``output_dim``) from ``input_``, or None
    when nothing converts between their units (a missing conversion)."""
    if output == input_:
        return StepRule(1.0, output_dim, output_dim, "resale")
    declared = bill.direct.get(output, {}).get(input_)
    bom = declared.value if declared is not None and declared.declared else None
    yr = config.yield_range(input_, output)
    if yr is not None and output_dim == "mass":
        return StepRule(1.0 / yr[1], "mass", "mass", "yield", yr[0], yr[1], bom)
    if declared is not None and declared.declared:
        if declared.output_dim not in (None, output_dim):
            return None
        return StepRule(declared.value, declared.input_dim, output_dim, "bom", bom_factor=bom)
    if declared is not None or yr is not None:
        return StepRule(1.0, output_dim, output_dim, "assumed")
    return None


@dataclass
class Ledger:
    """Aggregated quantities: (party, facility, material, dimension) -> period -> amount."""

    sold: dict[tuple[str, str | None, str, str | None], dict[Hashable, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )
    bought: dict[tuple[str, str | None, str, str | None], dict[Hashable, float]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(float))
    )


@dataclass(frozen=True, slots=True)
class Balance:
    """One shortfall before decoding: amounts in base units, period as the ledger has it."""

    party: str
    facility: str | None
    output: str
    input: str
    period: Hashable
    inputs: float
    outputs: float
    required: float
    rule: StepRule
    output_dim: str | None


@dataclass(frozen=True, slots=True)
class MissingConversion:
    """A purchase the bills of materials cannot turn into what the facility sells."""

    party: str
    facility: str | None
    output: str
    output_dim: str | None
    input: str
    input_dim: str | None
    periods: frozenset[Hashable]
    stated_dim: str | None = None
    """The input unit the bill of materials states, when it states one that does not fit."""

    def gap(self, config: TraceConfig, names: Mapping[str, str]) -> Gap:
        who = names.get(self.party, self.party)
        where = f" at facility {self.facility}" if self.facility else ""
        per = base_unit(self.output_dim)
        bought = base_unit(self.input_dim)
        if self.stated_dim is not None:
            why = (
                f"the bill of materials states {self.input} in {base_unit(self.stated_dim)}, "
                f"not in {bought}: state it per {per} in {bought}"
            )
        else:
            why = (
                "no bill-of-materials line converts them: add product "
                f"{self.output!r}, material {self.input!r} with the quantity of {self.input} "
                f"per {per} of {self.output}"
            )
        detail = (
            f"{who}{where} sells {self.output} counted in {per} and buys {self.input} "
            f"counted in {bought}; {why}. Until then these purchases are not balanced "
            "and their share of the output is unknown"
        )
        sector = config.sector(self.output) or config.sector(self.input)
        return Gap(self.party, self.output, "missing_conversion", detail, (), sector)


def _lines(bill: BillOfMaterials, config: TraceConfig, output: str) -> tuple[str, ...]:
    """The inputs an output is balanced against: its BOM inputs (each needed), else the
    first configured yield's input, else the output itself (a trader's resale)."""
    direct = bill.inputs(output)
    if direct:
        return direct
    into = config.yields_into(output)
    if into:
        return (into[0].input,)
    return (output,)


def _to_line(
    bill: BillOfMaterials,
    config: TraceConfig,
    output: str,
    line: str,
    rule: StepRule,
    material: str,
    dim: str | None,
) -> float | None:
    """Units of ``line`` one base unit of purchased ``material`` stands for at best, or
    None when it cannot be converted (or does not count for this line)."""
    if material == line:
        return 1.0 if rule.input_dim in (None, dim) else None
    if material == output:
        return rule.factor if rule.output_dim in (None, dim) else None
    if material in bill.closure(line):
        return _upstream(bill, config, line, material, dim, rule.input_dim, 0)
    yr = config.yield_range(material, output)
    if yr is not None and dim == "mass" and rule.output_dim == "mass":
        return yr[1] * rule.factor
    return None


def _upstream(
    bill: BillOfMaterials,
    config: TraceConfig,
    line: str,
    material: str,
    dim: str | None,
    line_dim: str | None,
    depth: int,
) -> float | None:
    """Units of ``line`` per unit of an upstream ``material``, best case, through the BOM."""
    if depth > 16:
        return None
    for child in bill.inputs(line):
        if material != child and material not in bill.closure(child):
            continue
        rule = step_rule(bill, config, line, child, line_dim)
        if rule is None or rule.factor <= 0:
            continue
        if child == material:
            if rule.input_dim in (None, dim):
                return 1.0 / rule.factor
            continue
        below = _upstream(bill, config, child, material, dim, rule.input_dim, depth + 1)
        if below is not None:
            return below / rule.factor
    return None


def balance(
    ledger: Ledger,
    bill: BillOfMaterials,
    config: TraceConfig,
    raw_producers: frozenset[str] = frozenset(),
) -> tuple[list[Balance], list[MissingConversion]]:
    """Every shortfall and every missing conversion in ``ledger``."""
    bought_by: dict[tuple[str, str | None], dict[tuple[str, str | None], dict[Hashable, float]]]
    bought_by = defaultdict(dict)
    for (party, facility, material, dim), periods in ledger.bought.items():
        bought_by[(party, facility)][(material, dim)] = periods
    shortfalls: list[Balance] = []
    missing: dict[
        tuple[str, str | None, str, str | None, str, str | None, str | None], set[Hashable]
    ] = defaultdict(set)
    tolerance = config.mass_balance_tolerance
    for (party, facility, output, odim), sold in sorted(
        ledger.sold.items(), key=lambda kv: tuple(str(x) for x in kv[0])
    ):
        if party in raw_producers:
            continue
        purchases = bought_by.get((party, facility), {})
        for line in _lines(bill, config, output):
            related = {
                (m, d): q
                for (m, d), q in purchases.items()
                if m in (line, output)
                or m in bill.closure(line)
                or config.yield_range(m, output) is not None
            }
            if not related:
                continue  # nothing documented at all: the gap check reports the upstream
            rule = step_rule(bill, config, output, line, odim)
            if rule is None:
                for material, dim in related:
                    missing[(party, facility, output, odim, material, dim, None)].update(sold)
                continue
            inputs: dict[Hashable, float] = defaultdict(float)
            for (material, dim), periods in related.items():
                ratio = _to_line(bill, config, output, line, rule, material, dim)
                if ratio is None:
                    stated = rule.input_dim if material == line else None
                    missing[(party, facility, output, odim, material, dim, stated)].update(sold)
                    continue
                for period, qty in periods.items():
                    inputs[period] += qty * ratio
            if not inputs:
                continue
            cum_in = cum_out = 0.0
            for period in sorted(set(sold) | set(inputs), key=str):
                cum_in += inputs.get(period, 0.0)
                cum_out += sold.get(period, 0.0)
                required = cum_out * rule.factor
                shortfall = required - cum_in
                if period in sold and shortfall > tolerance * required and shortfall > 1e-9:
                    shortfalls.append(
                        Balance(
                            party,
                            facility,
                            output,
                            line,
                            period,
                            cum_in,
                            cum_out,
                            required,
                            rule,
                            odim,
                        )
                    )
    gaps = [
        MissingConversion(party, facility, output, odim, inp, idim, frozenset(periods), stated)
        for (party, facility, output, odim, inp, idim, stated), periods in missing.items()
    ]
    return shortfalls, gaps


def finding(
    b: Balance, period_label: str, transactions: Iterable[str], inputs_from: Iterable[str] = ()
) -> MassBalanceFinding:
    """The reported form of a shortfall."""
    rule = b.rule
    return MassBalanceFinding(
        party_id=b.party,
        facility_id=b.facility,
        material=b.output,
        period=period_label,
        inputs=round(b.inputs, 6),
        outputs=round(b.outputs, 6),
        yield_factor=round(b.outputs / b.required, 9) if b.required else 0.0,
        shortfall=round(b.required - b.inputs, 6),
        unit=base_unit(rule.input_dim or b.output_dim),
        input_material=b.input,
        transactions=tuple(sorted(transactions)),
        required=round(b.required, 6),
        output_unit=base_unit(b.output_dim),
        yield_min=rule.yield_min,
        yield_max=rule.yield_max,
        factor=rule.bom_factor if rule.basis == "bom" else None,
        basis=rule.basis,
        input_transactions=tuple(sorted(inputs_from)),
    )


def finding_order(m: MassBalanceFinding) -> tuple[str, str, str, str, str]:
    """How both engines list findings: party, output, period, facility, input."""
    return (m.party_id, m.material, m.period, m.facility_id or "", m.input_material or "")


def facility_resolver(facilities_of: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Party -> its only facility (for sales and purchases that name none)."""
    out: dict[str, str] = {}
    for party, facilities in facilities_of.items():
        ids = list(facilities)
        if len(ids) == 1:
            out[party] = ids[0]
    return out


MassKey = tuple[str, str, str]
"""(party, output material, period label): how traces find the findings that concern them."""


@dataclass
class MassBalanceIndex:
    """Findings and missing conversions of a whole graph, keyed for traces."""

    findings: dict[MassKey, list[MassBalanceFinding]]
    missing: dict[MassKey, list[Gap]]


def mass_balance(
    graph: SupplyGraph, config: TraceConfig, raw_producers: frozenset[str]
) -> MassBalanceIndex:
    """Every shortfall and missing conversion of an in-memory graph, keyed by
    (party, output, period)."""
    only = facility_resolver(
        {p: [f.facility_id for f in fs] for p, fs in graph.facilities_of.items()}
    )
    ledger = Ledger()
    sales: dict[tuple[str, str | None, str, str], list[str]] = defaultdict(list)
    purchases: dict[tuple[str, str | None, str], list[str]] = defaultdict(list)
    for flow in graph.transactions.values():
        if flow.base_quantity is None:
            continue
        t = flow.txn
        period = period_of(t.date, config.period)
        seller_fac = t.supplier_facility_id or only.get(t.supplier_id)
        buyer_fac = t.buyer_facility_id or only.get(t.buyer_id)
        ledger.sold[(t.supplier_id, seller_fac, flow.material, flow.dimension)][period] += (
            flow.base_quantity
        )
        ledger.bought[(t.buyer_id, buyer_fac, flow.material, flow.dimension)][period] += (
            flow.base_quantity
        )
        sales[(t.supplier_id, seller_fac, flow.material, period)].append(t.transaction_id)
        purchases[(t.buyer_id, buyer_fac, flow.material)].append(t.transaction_id)
    for s in graph.shipments.values():
        unit = parse_unit(s.unit)
        if unit is None:
            continue
        period = period_of(s.date, config.period)
        product = material_key(s.product)
        fac = only.get(s.manufacturer_id)
        ledger.sold[(s.manufacturer_id, fac, product, unit.dimension)][period] += (
            s.quantity * unit.factor
        )
        sales[(s.manufacturer_id, fac, product, period)].append(s.shipment_id)
    shortfalls, missing = balance(ledger, graph.bill, config, raw_producers)
    findings: dict[MassKey, list[MassBalanceFinding]] = defaultdict(list)
    for b in shortfalls:
        label = str(b.period)
        used = [
            t
            for m in {b.input, b.output, *graph.bill.closure(b.input)}
            for t in purchases.get((b.party, b.facility, m), ())
            if period_of(graph.transactions[t].txn.date, config.period) <= label
        ]
        findings[(b.party, b.output, label)].append(
            finding(b, label, sales.get((b.party, b.facility, b.output, label), ()), used)
        )
    gaps: dict[MassKey, list[Gap]] = defaultdict(list)
    names = {pid: p.name for pid, p in graph.parties.items()}
    for mc in missing:
        gap = mc.gap(config, names)
        for when in mc.periods:
            gaps[(mc.party, mc.output, str(when))].append(gap)
    return MassBalanceIndex(dict(findings), dict(gaps))
