"""Trade records end to end over the store: import a file; infer firms, edges and red flags.

``infer`` reads every stored record into DuckDB (or Spark), resolves firms,
locates each with the region engine, links firms to the stored supply parties
and to list entries, infers edges, raises the red flags and writes all of it in
one transaction (replacing the previous inference).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rapidfuzz.distance import Levenshtein
from sqlalchemy.engine import Connection

from flscreen.errors import InvalidInput
from flscreen.model.supply import ListHitFact, LocationFact, Party, SupplyPackage
from flscreen.normalize.names import name_key
from flscreen.store import Store
from flscreen.trade import store as tstore
from flscreen.trade.infer import Edge, Inference, load_records, region_locator, resolve_and_infer
from flscreen.trade.materials import ALGORITHM as MATERIALS
from flscreen.trade.read import read_trade_file
from flscreen.trade.resolve import ALGORITHM as FIRMS
from flscreen.trade.resolve import Cluster, country_code
from flscreen.trade.sql import Params

LINK_MIN = 0.9
"""Name-key similarity at which a firm is taken to be a package party (same country)."""
UPSTREAM_DEPTH = 3


def import_file(store: Store, path: str, column_map: Mapping[str, str] | None = None) -> int:
    """Read, validate and store one file (all rows or none); returns the record count."""
    items = read_trade_file(path, column_map)
    with store.begin() as conn:
        tstore.save_records(conn, items, path)
    return len(items)


@dataclass(frozen=True, slots=True)
class Link:
    party_id: str
    score: float
    party_name: str
    firm_name: str


def _keys(text: str) -> list[str]:
    key = name_key(text)
    return [key.text, " ".join(sorted(key.tokens))] if key is not None and key.text else []


def link_parties(clusters: list[Cluster], parties: list[Party]) -> dict[str, list[Link]]:
    """Firm id -> the package parties it is (same country where both say, name keys alike)."""
    by_country: dict[str, list[tuple[Cluster, str, str]]] = {}
    for c in clusters:
        country = c.country() or ""
        for v in c.variants:
            for k in _keys(v.name):
                by_country.setdefault(country, []).append((c, k, v.name))
    links: dict[str, dict[str, Link]] = {}
    for p in parties:
        country = country_code(p.country) if p.country else ""
        pool = by_country.get(country, []) + (by_country.get("", []) if country else [])
        if not country:
            pool = [x for items in by_country.values() for x in items]
        for text in (p.name, *p.aliases):
            for pk in _keys(text):
                for c, fk, fname in pool:
                    score = Levenshtein.normalized_similarity(pk, fk)
                    if score < LINK_MIN:
                        continue
                    old = links.setdefault(c.firm_id, {}).get(p.party_id)
                    if old is None or score > old.score:
                        links[c.firm_id][p.party_id] = Link(
                            p.party_id, round(score, 4), text, fname
                        )
    return {fid: sorted(v.values(), key=lambda x: -x.score) for fid, v in links.items()}


def _is_xj(loc: LocationFact | None) -> bool:
    return loc is not None and (loc.status == "xinjiang" or loc.xpcc)


def package_flags(
    inference: Inference,
    links: Mapping[str, list[Link]],
    hits: Mapping[str, list[ListHitFact]],
    pkg: SupplyPackage,
) -> list[dict[str, Any]]:
    """Declared suppliers with no records; Xinjiang-linked or listed firms upstream of a
    declared party that the package does not name; transshipment (from the SQL step)."""
    flags: list[dict[str, Any]] = []
    firms_of: dict[str, list[str]] = {}
    for fid, items in links.items():
        for link in items:
            firms_of.setdefault(link.party_id, []).append(fid)
    names = {c.firm_id: c.representative.name for c in inference.firms}
    parties = {p.party_id: p for p in pkg.parties}
    cross_border = set()
    for t in pkg.transactions:
        s, b = parties.get(t.supplier_id), parties.get(t.buyer_id)
        if s and b and s.country and b.country and s.country != b.country:
            cross_border.add(t.supplier_id)
    for shipment in pkg.shipments:
        cross_border.add(shipment.exporter_id)
    for pid in sorted(cross_border):
        if pid in firms_of or pid not in parties:
            continue
        flags.append(
            {
                "kind": "declared_supplier_no_records",
                "firm_id": None,
                "party_id": pid,
                "detail": f"{parties[pid].name} ({pid}) is declared as a cross-border supplier "
                "but ships on no trade record held",
                "evidence": {"party": parties[pid].name, "country": parties[pid].country},
            }
        )
    upstream: dict[str, dict[str, list[Edge]]] = {}
    for e in inference.edges:
        upstream.setdefault(e.buyer, {}).setdefault(e.supplier, []).append(e)
    linked = set(links)
    for pid in sorted(firms_of):
        seen_flags: set[str] = set()
        for start in sorted(firms_of[pid]):
            queue: deque[tuple[str, tuple[list[Edge], ...]]] = deque([(start, ())])
            visited = {start}
            while queue:
                firm, trail = queue.popleft()
                if len(trail) >= UPSTREAM_DEPTH:
                    continue
                for supplier, hop in sorted(upstream.get(firm, {}).items()):
                    if supplier in visited:
                        continue
                    visited.add(supplier)
                    path = (*trail, hop)
                    loc = inference.locations.get(supplier)
                    listed = [h for h in hits.get(supplier, ()) if h.status == "match"]
                    new = supplier not in linked and supplier not in seen_flags
                    if (_is_xj(loc) or listed) and new:
                        seen_flags.add(supplier)
                        flags.append(_upstream_flag(supplier, pid, path, loc, hits, names, parties))
                    queue.append((supplier, path))
    for f in inference.transshipment:
        flags.append(
            {
                "kind": "transshipment",
                "firm_id": f.firm,
                "party_id": next((lk.party_id for lk in links.get(f.firm, ())), None),
                "detail": f"{names.get(f.firm, f.firm)} received {f.inbound_kg / 1000:,.1f} t of "
                f"{f.material} from Xinjiang-linked firms (e.g. {names.get(f.source, f.source)}) "
                f"{f.min_lag}-{f.max_lag} days before shipping {f.outbound_kg / 1000:,.1f} t of it "
                f"to {names.get(f.buyer, f.buyer)} ({f.period})",
                "evidence": {
                    "buyer_firm": f.buyer,
                    "source_firm": f.source,
                    "material": f.material,
                    "period": f.period,
                    "inbound_kg": f.inbound_kg,
                    "outbound_kg": f.outbound_kg,
                    "inbound_edges": f.inbound_edges,
                    "lag_days": [f.min_lag, f.max_lag],
                },
            }
        )
    return flags


def _hop_dict(hop: list[Edge], names: Mapping[str, str]) -> dict[str, Any]:
    """One hop of an upstream path: every inferred edge between the two firms."""
    e = hop[0]
    weights = [x.weight_kg for x in hop if x.weight_kg is not None]
    return {
        "supplier_firm": e.supplier,
        "supplier": names.get(e.supplier),
        "buyer_firm": e.buyer,
        "buyer": names.get(e.buyer),
        "materials": sorted({x.material or "unknown" for x in hop}),
        "hs_chapters": sorted({x.chapter for x in hop if x.chapter}),
        "first_date": min(x.first_date for x in hop),
        "last_date": max(x.last_date for x in hop),
        "weight_kg": sum(weights) if weights else None,
        "bills": sorted({b for x in hop for b in x.bills}),
    }


def _upstream_flag(
    supplier: str,
    pid: str,
    path: tuple[list[Edge], ...],
    loc: LocationFact | None,
    hits: Mapping[str, list[ListHitFact]],
    names: Mapping[str, str],
    parties: Mapping[str, Party],
) -> dict[str, Any]:
    why = "in Xinjiang" if _is_xj(loc) else "on a list"
    return {
        "kind": "undeclared_xinjiang_upstream",
        "firm_id": supplier,
        "party_id": pid,
        "detail": f"{names[supplier]} ({why}) is {len(path)} hop(s) upstream of "
        f"{parties[pid].name} ({pid}) on the trade records and is not in the package",
        "evidence": {
            "path": [_hop_dict(h, names) for h in reversed(path)],
            "location": loc.to_dict() if loc else None,
            "hits": [h.to_dict() for h in hits.get(supplier, ())],
        },
    }


def _match_hits(conn: Connection, clusters: list[Cluster]) -> dict[str, list[ListHitFact]]:
    """List hits per firm, by the same matcher and list versions as supply annotations."""
    from flscreen.supply.annotate import Subject, real_annotator

    annotator = real_annotator(conn)
    out: dict[str, list[ListHitFact]] = {}
    for c in clusters:
        rep = c.representative
        aliases = tuple(dict.fromkeys(v.name for v in c.variants if v.name != rep.name))[:10]
        found = list(
            annotator.match(
                Subject(c.firm_id, "party", rep.name, aliases, c.country(), c.address())
            )
        )
        if found:
            out[c.firm_id] = found
    return out


def infer(
    store: Store, engine_name: str = "duckdb", params: Params | None = None
) -> dict[str, Any]:
    """Resolve, locate, link, infer and flag over every stored record; returns a summary."""
    from flscreen.batch.engines import DuckDBEngine, SparkEngine
    from flscreen.supply import store as supply_store

    with store.connect() as conn:
        records = list(tstore.iter_records(conn))
        pkg = supply_store.load_package(conn)
    if not records:
        raise InvalidInput("no trade records in the store: run `flscreen trade import FILE` first")
    engine: DuckDBEngine | SparkEngine = (
        DuckDBEngine() if engine_name == "duckdb" else SparkEngine()
    )
    try:
        load_records(engine, records)
        inference = resolve_and_infer(engine, region_locator(), params)
    finally:
        engine.close()
    links = link_parties(inference.firms, pkg.parties)
    with store.connect() as conn:
        hits = _match_hits(conn, inference.firms)
    flags = package_flags(inference, links, hits, pkg)
    counts = {
        "records": len(records),
        **inference.counts,
        "firms_linked_to_parties": len(links),
        "firms_in_xinjiang": sum(1 for x in inference.locations.values() if _is_xj(x)),
        "firms_with_list_hits": len(hits),
        "flags": len(flags),
    }
    with store.begin() as conn:
        run_id = tstore.insert_id(
            conn,
            tstore.runs.insert().values(
                ran_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                algorithm=f"{FIRMS}; {MATERIALS}",
                counts=counts,
            ),
        )
        for table in (tstore.firms, tstore.edges, tstore.flags):
            conn.execute(table.delete())
        rows = [
            {
                "firm_id": c.firm_id,
                "run_id": run_id,
                "name": c.representative.name,
                "address": c.address(),
                "country": c.country(),
                "records": c.records,
                "names": [
                    {
                        "name": v.name,
                        "address": v.address or None,
                        "country": v.country_code or None,
                        "records": v.records,
                        "roles": v.roles,
                    }
                    for v in sorted(c.variants, key=lambda v: -v.records)
                ],
                "explanation": c.explanation(),
                "location": inference.locations[c.firm_id].to_dict(),
                "hits": [h.to_dict() for h in hits.get(c.firm_id, ())],
                "parties": [
                    {
                        "party_id": lk.party_id,
                        "score": lk.score,
                        "party_name": lk.party_name,
                        "firm_name": lk.firm_name,
                    }
                    for lk in links.get(c.firm_id, ())
                ],
            }
            for c in inference.firms
        ]
        for i in range(0, len(rows), tstore.CHUNK):
            conn.execute(tstore.firms.insert(), rows[i : i + tstore.CHUNK])
        erows = [
            {
                "edge_id": e.edge_id,
                "run_id": run_id,
                "supplier_firm": e.supplier,
                "buyer_firm": e.buyer,
                "material": e.material,
                "hs_chapter": e.chapter,
                "period": e.period,
                "first_date": e.first_date,
                "last_date": e.last_date,
                "records": e.records,
                "weight_kg": e.weight_kg,
                "bills": list(e.bills),
            }
            for e in inference.edges
        ]
        for i in range(0, len(erows), tstore.CHUNK):
            conn.execute(tstore.edges.insert(), erows[i : i + tstore.CHUNK])
        if flags:
            conn.execute(tstore.flags.insert(), [{**f, "run_id": run_id} for f in flags])
    return {"run_id": run_id, "counts": counts, "flags": flags, "timings": inference.timings}


def load_flags(conn: Connection) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(sa.select(tstore.flags).order_by("flag_id"))]
