"""Hand-built shipments and traces shaped like the tracing engines' output."""

from __future__ import annotations

from typing import Any

from flscreen.model.lists import ListVersionRef
from flscreen.model.supply import Shipment
from flscreen.model.trace import (
    Gap,
    MassBalanceFinding,
    Step,
    TaintedPath,
    TaintSource,
    TraceResult,
)

SHIPMENT = Shipment(
    shipment_id="ENT-2026-0001",
    importer_id="P-IMP",
    exporter_id="P-EXP",
    manufacturer_id="P-GAR",
    product="cotton T-shirts",
    hs_code="6109.10.0012",
    quantity=12000,
    unit="pcs",
    value=54000.0,
    declared_origin="VN",
    date="2026-05-02",
    documents=("INV-1",),
)

NAMES = {
    "P-GAR": "Saigon Garment JSC",
    "P-MILL": "Hanoi Fabric Mill",
    "P-SPIN": "常州棉纺有限公司",
    "P-GIN": "新疆阿克苏棉业有限公司",
}

VERSIONS = {
    "us_dhs_uflpa": ListVersionRef("us_dhs_uflpa", 3, "2026-08-04T09:00:00Z", "ab" * 32, "dhs.gov"),
    "us_ofac_sdn": ListVersionRef("us_ofac_sdn", 7, "2026-09-01T09:00:00Z", "cd" * 32, "ofac"),
}

CHAIN = (
    Step("T-3", "P-MILL", "P-GAR", "cotton fabric", 4000.0, "kg", "2026-03-01", ("INV-3", "BL-3")),
    Step("T-2", "P-SPIN", "P-MILL", "cotton yarn", 4500.0, "kg", "2026-02-01", ("INV-2",)),
    Step("T-1", "P-GIN", "P-SPIN", "cotton lint", 5300.0, "kg", "2026-01-05", ("MC-1",)),
)


def source(kind: str, party: str, confidence: str = "confirmed", **evidence: Any) -> TaintSource:
    return TaintSource(kind, party, None, confidence, f"{kind} source", evidence)  # type: ignore[arg-type]


def path(
    src: TaintSource, share: float | None = 0.4, steps: tuple[Step, ...] = CHAIN
) -> TaintedPath:
    return TaintedPath(src, steps, share)


def trace(
    *paths: TaintedPath,
    gaps: tuple[Gap, ...] = (),
    mass_balance: tuple[MassBalanceFinding, ...] = (),
) -> TraceResult:
    return TraceResult(SHIPMENT.shipment_id, bool(paths), tuple(paths), gaps, mass_balance)


def uflpa_hit(section: str = "2(d)(2)(B)(iv)", **more: Any) -> dict[str, Any]:
    return {
        "list": "us_dhs_uflpa",
        "list_version": 3,
        "entry_id": "uflpa-aksu-huafu",
        "entry_name": "Aksu Huafu Textiles Co.",
        "score": 0.97,
        "programs": [section],
        **more,
    }


def add_transactions(conn: Any, *transaction_ids: str) -> None:
    """Supply records for documents to attach to (attach checks the transaction exists)."""
    from flscreen.model.supply import Party, SupplyPackage, Transaction
    from flscreen.supply import store as supply_store

    pkg = SupplyPackage(
        parties=[Party("P-A", "Supplier A"), Party("P-B", "Buyer B")],
        transactions=[
            Transaction(t, "P-A", "P-B", "cotton lint", 1000.0, "kg", "2026-01-05")
            for t in transaction_ids
        ],
    )
    supply_store.save_package(conn, pkg, "test")
