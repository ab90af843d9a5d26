"""The supply graph in memory: parties, facilities, transactions indexed for upstream search.

Built once from a package (or the store) plus the party/facility annotations;
every trace reads it and never changes it.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from flscreen.errors import NotFound
from flscreen.model.supply import (
    Annotations,
    BomLine,
    Document,
    Facility,
    Ownership,
    Party,
    Shipment,
    SupplyPackage,
    Transaction,
)
from flscreen.supply.bom import BillOfMaterials, counted_in, material_key
from flscreen.supply.units import parse_unit


def day_number(date: str) -> int:
    """Days since 0001-01-01 for an ISO date: cheap comparisons and windows."""
    return dt.date.fromisoformat(date[:10]).toordinal()


@dataclass(frozen=True, slots=True)
class Flow:
    """A transaction with what tracing needs precomputed."""

    txn: Transaction
    material: str
    """Material key (lower case)."""
    day: int
    base_quantity: float | None
    """Quantity in the base unit of its dimension (kg for mass), None if the unit is unknown."""
    dimension: str | None


@dataclass
class SupplyGraph:
    parties: dict[str, Party]
    facilities: dict[str, Facility]
    transactions: dict[str, Flow]
    shipments: dict[str, Shipment]
    ownership: list[Ownership]
    documents: dict[str, Document]
    bom: dict[str, tuple[str, ...]]
    """Product key -> direct input material keys."""
    annotations: Annotations = field(default_factory=Annotations)
    bill: BillOfMaterials = field(default_factory=lambda: BillOfMaterials({}))
    """The bills of materials as conversion factors (kg of input per unit of output)."""
    facilities_of: dict[str, list[Facility]] = field(default_factory=dict)
    inbound: dict[str, list[Flow]] = field(default_factory=dict)
    """Buyer -> purchases sorted by date."""
    _inbound_days: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_package(
        cls, pkg: SupplyPackage, annotations: Annotations | None = None
    ) -> SupplyGraph:
        return cls.build(
            parties=pkg.parties,
            facilities=pkg.facilities,
            transactions=pkg.transactions,
            shipments=pkg.shipments,
            ownership=pkg.ownership,
            documents=pkg.documents,
            bom=pkg.bom,
            annotations=annotations,
        )

    @classmethod
    def build(
        cls,
        *,
        parties: Iterable[Party],
        facilities: Iterable[Facility] = (),
        transactions: Iterable[Transaction] = (),
        shipments: Iterable[Shipment] = (),
        ownership: Iterable[Ownership] = (),
        documents: Iterable[Document] = (),
        bom: Iterable[BomLine] = (),
        annotations: Annotations | None = None,
    ) -> SupplyGraph:
        transactions = list(transactions)
        shipments = list(shipments)
        # shipments first: a product is counted as it is declared at the border
        dims = counted_in((s.product, s.unit) for s in shipments)
        for m, d in counted_in((t.material, t.unit) for t in transactions).items():
            dims.setdefault(m, d)
        bill = BillOfMaterials.build(bom, dims)
        flows: dict[str, Flow] = {}
        for t in transactions:
            unit = parse_unit(t.unit)
            flows[t.transaction_id] = Flow(
                txn=t,
                material=material_key(t.material),
                day=day_number(t.date),
                base_quantity=t.quantity * unit.factor if unit else None,
                dimension=unit.dimension if unit else None,
            )
        graph = cls(
            parties={p.party_id: p for p in parties},
            facilities={f.facility_id: f for f in facilities},
            transactions=flows,
            shipments={s.shipment_id: s for s in shipments},
            ownership=list(ownership),
            documents={d.document_id: d for d in documents},
            bom={product: bill.inputs(product) for product in bill.direct},
            annotations=annotations or Annotations(),
            bill=bill,
        )
        for facility in graph.facilities.values():
            graph.facilities_of.setdefault(facility.operator_id, []).append(facility)
        inbound: dict[str, list[Flow]] = defaultdict(list)
        for flow in flows.values():
            inbound[flow.txn.buyer_id].append(flow)
        for buyer, items in inbound.items():
            items.sort(key=lambda f: (f.day, f.txn.transaction_id))
            graph.inbound[buyer] = items
            graph._inbound_days[buyer] = [f.day for f in items]
        return graph

    def shipment(self, shipment_id: str) -> Shipment:
        try:
            return self.shipments[shipment_id]
        except KeyError:
            raise NotFound(f"no shipment {shipment_id!r} in the supply data") from None

    def closure(self, material: str) -> frozenset[str]:
        """``material`` and every material its bill of materials needs, transitively.

        A vertically integrated buyer (a denim mill that also sews) may buy any of them.
        """
        return self.bill.closure(material_key(material))

    def purchases(self, buyer: str, first_day: int, last_day: int) -> list[Flow]:
        """The buyer's purchases dated within [first_day, last_day]."""
        days = self._inbound_days.get(buyer)
        if not days:
            return []
        lo = bisect.bisect_left(days, first_day)
        hi = bisect.bisect_right(days, last_day)
        return self.inbound[buyer][lo:hi]

    def party_name(self, party_id: str) -> str:
        party = self.parties.get(party_id)
        return party.name if party else party_id
