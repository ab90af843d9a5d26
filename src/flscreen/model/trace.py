"""What a trace found upstream of a shipment: tainted paths, gaps, mass balance.

The verdict layer reads only these objects, so any engine (in memory, DuckDB,
Spark) that produces them can feed a policy.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

SourceKind = Literal["region", "list", "ownership", "xpcc"]
Evidence = Literal["declared", "inferred"]
"""Of a path: 'inferred' when a step's transaction is of kind 'inferred' (a supply edge
read from trade records, flscreen.trade.graph, that nobody declared). An inferred hop
proves nothing on its own: such a path is never proof (see flscreen.trace.inferred)."""


@dataclass(frozen=True, slots=True)
class TaintSource:
    """Why a party or facility taints what flows from it.

    ``confidence`` is 'confirmed' (strong match, located in Xinjiang) or 'possible'
    (a possible list match or a conflicting location: route to review).
    ``evidence`` carries the stored facts: list name, version, entry id and
    score for 'list'; location status and signals for 'region'; the ownership
    chain for 'ownership'.
    """

    kind: SourceKind
    party_id: str
    facility_id: str | None
    confidence: Literal["confirmed", "possible"]
    detail: str
    evidence: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Step:
    """One documented hop: ``supplier`` sold ``material`` to ``buyer``."""

    transaction_id: str | None
    supplier_id: str
    buyer_id: str
    material: str
    quantity: float | None
    unit: str | None
    date: str | None
    documents: tuple[str, ...] = ()
    supplier_name: str | None = None
    buyer_name: str | None = None
    supplier_facility_id: str | None = None
    share_of_input: float | None = None
    """This transaction's part of the buyer's purchases that could feed the next step
    downstream, 0-1, each purchase counted by the output it can make (bill-of-materials
    factors)."""
    kind: str = "documented"
    """The evidence kind of the transaction ('documented', 'inferred', ...)."""
    provenance: str | None = None


@dataclass(frozen=True, slots=True)
class TaintedPath:
    source: TaintSource
    steps: tuple[Step, ...]
    """Ordered from the shipment's manufacturer upstream to the source."""
    share: float | None
    """Share of the shipped good's input that passed this path, 0-1, when quantities allow."""
    evidence: Evidence = "declared"
    """'inferred' when any step is an inferred trade edge: the path is then never proof."""


@dataclass(frozen=True, slots=True)
class Gap:
    """Where a priority-sector input's documented chain stops short of raw material."""

    party_id: str
    material: str
    reason: str
    """'no_supplier', 'unknown_supplier', 'ends_before_raw_material', 'missing_conversion'
    (a bill of materials gives no factor from an input's unit to the output's), or
    'path_limit' when an engine stopped listing routes at its cap."""
    detail: str
    steps: tuple[Step, ...] = ()
    """From the shipment's manufacturer to the last documented transaction."""
    sector: str | None = None
    """The priority sector of ``material`` (cotton, polysilicon, tomato, pvc, aluminium, hair)."""


@dataclass(frozen=True, slots=True)
class MassBalanceFinding:
    """One facility's balance of one output against one input, through one period.

    ``inputs`` and ``required`` are in ``unit`` (the input's base unit), ``outputs`` in
    ``output_unit``; balances are running, so stock carries over from earlier periods.
    """

    party_id: str
    facility_id: str | None
    """The facility balanced; None for the sales and purchases that name no facility."""
    material: str
    period: str
    inputs: float
    outputs: float
    yield_factor: float
    """Output per unit of input at the best yield allowed (``outputs / required``)."""
    shortfall: float
    """Input needed and not documented (``required - inputs``); > 0 is unexplained."""
    unit: str
    input_material: str | None = None
    """The documented input the output was converted back to (``material`` is the output)."""
    transactions: tuple[str, ...] = ()
    """The sales (and shipments) in the period that the shortfall concerns."""
    required: float | None = None
    """Input the outputs need at the best yield allowed."""
    output_unit: str | None = None
    yield_min: float | None = None
    yield_max: float | None = None
    """The yield range allowed for the step (configuration); None for a BOM factor."""
    factor: float | None = None
    """Gross input per unit of output from the bill of materials, when it decided."""
    basis: str = "yield"
    """'yield' (configured range), 'bom' (bill-of-materials factor) or 'resale'."""
    input_transactions: tuple[str, ...] = ()
    """The purchases counted as inputs through the period."""

    @property
    def rule_text(self) -> str:
        """What the required input rests on, e.g. 'yield 0.9-0.95' or '0.2 kg per pcs'."""
        if self.yield_min is not None and self.yield_max is not None:
            if self.yield_min == self.yield_max:
                return f"yield {self.yield_max:g}"
            return f"yield {self.yield_min:g}-{self.yield_max:g}"
        if self.factor is not None:
            per = self.output_unit or "unit"
            return f"{self.factor:g} {self.unit} per {per} (bill of materials)"
        if self.basis == "resale":
            return "resale, 1:1"
        return f"yield {self.yield_factor:g}"


@dataclass(frozen=True, slots=True)
class TraceResult:
    shipment: str
    tainted: bool
    paths: tuple[TaintedPath, ...]
    gaps: tuple[Gap, ...]
    mass_balance: tuple[MassBalanceFinding, ...]
    unlisted_paths: int = 0
    """Tainted routes found beyond the ``max_paths`` listed (a 'path_limit' gap says so)."""

    def to_dict(self) -> dict[str, Any]:
        """The same dict as ``dataclasses.asdict`` (which is slow on millions of results)."""
        data: dict[str, Any] = _plain(self)
        return data


def _plain(obj: Any) -> Any:
    fields = getattr(obj, "__dataclass_fields__", None)
    if fields is not None:
        return {name: _plain(getattr(obj, name)) for name in fields}
    if isinstance(obj, tuple):
        return tuple(_plain(v) for v in obj)
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj
