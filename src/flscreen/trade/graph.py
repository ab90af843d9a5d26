"""Inferred trade edges in the supply graph, as their own kind of evidence.

Each stored edge of the last ``flscreen trade infer`` becomes a transaction
``TRADE:<edge id>`` whose documents are its bills of lading (each a document of
kind 'bill of lading'); a firm linked to a package party stands for that party,
any other firm joins the graph as a party of its own (id ``FIRM-...``) with the
location and list hits inference found. Edges that repeat a declared
supplier->buyer pair (a transaction, or a shipment's exporter or manufacturer to
its importer) are left out: the declaration already covers them.
Each is of kind 'inferred': a path through one is never proof (flscreen.trace.inferred).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.model.supply import (
    Annotation,
    Annotations,
    Document,
    Party,
    SupplyPackage,
    Transaction,
)
from flscreen.trade import store as tstore
from flscreen.trade.resolve import ALGORITHM

PREFIX = "TRADE:"
BILL = "BL:"


@dataclass(slots=True)
class TradeExtension:
    """What inferred trade adds to a package's graph."""

    parties: list[Party] = field(default_factory=list)
    transactions: list[Transaction] = field(default_factory=list)
    documents: list[Document] = field(default_factory=list)
    annotations: dict[str, Annotation] = field(default_factory=dict)


def _annotation(firm: dict[str, Any]) -> Annotation:
    """What ``trade infer`` found of a firm (location, list hits), as a party annotation."""
    return Annotation.from_dict(
        {
            "subject_kind": "party",
            "subject_id": firm["firm_id"],
            "hits": firm.get("hits") or (),
            "location": firm.get("location"),
            "matcher": ALGORITHM,
        }
    )


def _bill_kind(bill: str, recs: list[Any]) -> str:
    if not recs:
        return "bill of lading (record no longer held)"
    r = recs[0]
    weight = sum(x.gross_weight_kg or 0.0 for x in recs)
    goods = "; ".join(dict.fromkeys(x.goods_description or "" for x in recs if x.goods_description))
    consignee = r.consignee_name or ""
    if r.notify_name and consignee.strip().upper() in ("TO ORDER", "TO THE ORDER", ""):
        consignee = f"{consignee or 'to order'}, notify {r.notify_name}"
    return (
        f"bill of lading: {r.shipper_name} -> {consignee}, "
        f"{r.port_of_lading or '?'} -> {r.port_of_unlading or '?'}, "
        f"arrived {r.arrival_date or 'date unknown'}, {goods[:120]}, {weight:,.0f} kg"
    )


def trade_extension(conn: Connection, pkg: SupplyPackage) -> TradeExtension:
    """The inferred edges of the last inference that the package does not already declare."""
    ext = TradeExtension()
    if not tstore.has_tables(conn):
        return ext
    firms = {
        r["firm_id"]: r for r in (dict(x._mapping) for x in conn.execute(sa.select(tstore.firms)))
    }
    if not firms:
        return ext
    known = {p.party_id for p in pkg.parties}
    party_of = {
        fid: next((p["party_id"] for p in f["parties"] if p["party_id"] in known), fid)
        for fid, f in firms.items()
    }
    declared = {(t.supplier_id, t.buyer_id) for t in pkg.transactions}
    # the customs entries themselves: the bill of the shipped goods is no new supply
    declared |= {(s.exporter_id, s.importer_id) for s in pkg.shipments}
    declared |= {(s.manufacturer_id, s.importer_id) for s in pkg.shipments}
    bills: set[str] = set()
    added: set[str] = set()
    query = sa.select(tstore.edges).order_by(tstore.edges.c.edge_id)
    for e in (dict(x._mapping) for x in conn.execute(query)):
        supplier, buyer = party_of[e["supplier_firm"]], party_of[e["buyer_firm"]]
        if not e["material"] or supplier == buyer or (supplier, buyer) in declared:
            continue
        weight = e["weight_kg"]
        ext.transactions.append(
            Transaction(
                transaction_id=f"{PREFIX}{e['edge_id']}",
                supplier_id=supplier,
                buyer_id=buyer,
                material=e["material"],
                quantity=float(weight) if weight is not None else 0.0,
                unit="kg" if weight is not None else "",
                date=e["first_date"],
                documents=tuple(f"{BILL}{b}" for b in e["bills"]),
                kind="inferred",
                provenance=f"trade edge {e['edge_id']} ({e['records']} record(s))",
            )
        )
        bills.update(e["bills"])
        for fid, pid in ((e["supplier_firm"], supplier), (e["buyer_firm"], buyer)):
            if pid in known or pid in added:
                continue
            added.add(pid)
            f = firms[fid]
            aliases = tuple(dict.fromkeys(n["name"] for n in f["names"] if n["name"] != f["name"]))
            ext.parties.append(Party(pid, f["name"], aliases, f["country"], f["address"] or None))
            ext.annotations[pid] = _annotation(f)
    held = tstore.records_by_bill(conn, bills)
    for b in sorted(bills):
        recs = held.get(b, [])
        ext.documents.append(
            Document(f"{BILL}{b}", _bill_kind(b, recs), None, recs[0].source if recs else None)
        )
    return ext


def with_trade(
    conn: Connection, pkg: SupplyPackage, annotations: Annotations
) -> tuple[SupplyPackage, Annotations]:
    """The package and annotations with the inferred edges (kind 'inferred') added."""
    ext = trade_extension(conn, pkg)
    if not ext.transactions:
        return pkg, annotations
    merged = SupplyPackage(
        parties=[*pkg.parties, *ext.parties],
        facilities=pkg.facilities,
        ownership=pkg.ownership,
        transactions=[*pkg.transactions, *ext.transactions],
        bom=pkg.bom,
        shipments=pkg.shipments,
        documents=[*pkg.documents, *ext.documents],
    )
    ann = Annotations(
        parties={**annotations.parties, **ext.annotations}, facilities=annotations.facilities
    )
    return merged, ann
