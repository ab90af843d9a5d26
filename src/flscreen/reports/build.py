"""Gather a dossier's facts from the store: the latest screening, parties, chain, case."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from flscreen.audit import now_utc
from flscreen.errors import NotFound
from flscreen.identity.redact import redact_screening
from flscreen.identity.scope import Scope
from flscreen.lists.store import latest_versions
from flscreen.model.supply import Annotation
from flscreen.policy import cases
from flscreen.policy.loader import bundled_policies, load_policy
from flscreen.policy.records import latest_screening, stale_lists
from flscreen.reports.dossier import DossierData, PartyView
from flscreen.trace.graph import SupplyGraph


def _hits(ann: Annotation | None) -> tuple[dict[str, Any], ...]:
    return tuple(h.to_dict() for h in ann.hits) if ann else ()


def _location(ann: Annotation | None) -> dict[str, Any] | None:
    return ann.location.to_dict() if ann and ann.location else None


def documented_chain(graph: SupplyGraph, shipment_id: str) -> list[dict[str, Any]]:
    """Every documented transaction upstream of the shipment (step dicts, by id): what
    the flow chart draws besides the traced paths."""
    from flscreen.trace import load_config
    from flscreen.trace.memory import cone, seeds

    config = load_config()
    reached = cone(graph, [f for f, _ in seeds(graph, shipment_id, config)], config)
    chain: list[dict[str, Any]] = []
    for tid in sorted(reached):
        t = graph.transactions[tid].txn
        chain.append(
            {
                "transaction_id": t.transaction_id,
                "supplier_id": t.supplier_id,
                "buyer_id": t.buyer_id,
                "material": t.material,
                "quantity": t.quantity,
                "unit": t.unit,
                "date": t.date,
                "documents": list(t.documents),
            }
        )
    return chain


def load_dossier(
    conn: Connection, shipment_id: str, policy: str | None = None, scope: Scope | None = None
) -> DossierData:
    """Everything the dossier shows about ``shipment_id``, read in one connection, as
    ``scope`` may read it (other tenants' shipment ids redacted from the evidence)."""

    from flscreen.trace import load_graph

    screening = redact_screening(conn, scope, latest_screening(conn, shipment_id, policy))
    graph = load_graph(conn)
    if shipment_id not in graph.shipments:
        raise NotFound(f"shipment {shipment_id!r} is no longer in the supply store")
    shipment = graph.shipment(shipment_id)
    chain = documented_chain(graph, shipment_id)
    ann = graph.annotations
    facilities_of: dict[str, list[dict[str, Any]]] = {}
    for f in graph.facilities.values():
        fann = ann.facilities.get(f.facility_id)
        facilities_of.setdefault(f.operator_id, []).append(
            {
                "facility_id": f.facility_id,
                "kind": f.kind,
                "address": f.address,
                "location": _location(fann),
                "hits": _hits(fann),
            }
        )
    parties = {}
    for pid, p in graph.parties.items():
        pann = ann.parties.get(pid)
        parties[pid] = PartyView(
            party_id=pid,
            name=p.name,
            aliases=p.aliases,
            country=p.country,
            address=p.address,
            registration_id=p.registration_id,
            location=_location(pann),
            hits=_hits(pann),
            facilities=tuple(facilities_of.get(pid, ())),
        )
    tx_ids: list[str] = [str(c["transaction_id"]) for c in chain]
    for p in screening.trace.get("paths", ()):
        tx_ids.extend(s["transaction_id"] for s in p["steps"] if s.get("transaction_id"))
    case = cases.open_case_for(conn, shipment_id)
    if case is None:
        found = cases.list_cases(conn, shipment_id=shipment_id)
        case = found[-1] if found else None
    name = screening.verdict.policy
    title = load_policy(name).title if name in bundled_policies() else None
    return DossierData(
        shipment=shipment,
        screening=screening,
        parties=parties,
        chain=chain,
        documents={
            d.document_id: {"kind": d.kind, "sha256": d.sha256, "path": d.path}
            for d in graph.documents.values()
        },
        attached=cases.documents_of_transactions(conn, tx_ids),
        case=case,
        events=cases.history(conn, case) if case else [],
        rebuttals=cases.rebuttals_of_case(conn, case) if case else [],
        case_documents=cases.documents_of_case(conn, case) if case else [],
        policy_title=title,
        generated_at=now_utc(),
        stale=stale_lists(
            screening.verdict.list_versions, screening.screened_at, latest_versions(conn)
        ),
    )
