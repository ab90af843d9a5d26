"""From trade records to firms, inferred supply edges and transshipment flags, on an engine.

``resolve_and_infer(engine, locate=...)`` expects ``tr_rec`` loaded (see
:data:`flscreen.trade.sql.RECORD_COLUMNS`; :func:`load_records` does it from
:class:`TradeRecord` s). SQL steps run on the engine (DuckDB or Spark); name keys,
union-find and locating firms run in Python between them, on distinct
spellings and firms only, never per record.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from sys import intern
from typing import Any

from flscreen.batch.engines import Engine
from flscreen.model.supply import LocationFact
from flscreen.trade import sql
from flscreen.trade.engine import load_rows
from flscreen.trade.layout import TradeRecord
from flscreen.trade.resolve import (
    NTOK_SCHEMA,
    NUM_MAX,
    NUM_SCHEMA,
    UNUM_SCHEMA,
    VFIRM_SCHEMA,
    VKEY_SCHEMA,
    VTOK_SCHEMA,
    Cluster,
    Pair,
    Variant,
    address_key,
    address_parts,
    clear_caches,
    cluster,
    key_rows,
    name_rows,
    name_tokens_start,
    unit_ids,
    unit_numbers,
    variant_key,
    vkey_rows,
)

EPOCH = dt.date(1970, 1, 1).toordinal()
LocateFn = Callable[[Cluster], LocationFact]


def day_of(date: str) -> int:
    return dt.date.fromisoformat(date[:10]).toordinal() - EPOCH


def record_rows(records: Iterable[TradeRecord]) -> list[tuple[Any, ...]]:
    """``tr_rec`` rows from imported records (the date is arrival, else shipment)."""
    out = []
    for r in records:
        date = r.date
        if date is None:  # the reader refuses such rows; stored rows always have one
            continue
        out.append(
            (
                r.record_id,
                r.bill_number,
                day_of(date),
                date,
                r.shipper_name,
                r.shipper_address,
                r.shipper_country,
                r.consignee_name,
                r.consignee_address,
                r.consignee_country,
                r.notify_name,
                r.notify_address,
                r.hs_codes[0] if r.hs_codes else None,
                r.goods_description,
                r.gross_weight_kg,
            )
        )
    return out


def load_records(engine: Engine, records: Iterable[TradeRecord]) -> None:
    load_rows(engine, "tr_rec", sql.RECORD_COLUMNS, record_rows(records))


@dataclass(frozen=True, slots=True)
class Edge:
    """Firm ``supplier`` shipped ``material`` (HS chapter) to ``buyer`` in ``period``."""

    supplier: str
    buyer: str
    material: str | None
    chapter: str | None
    period: str
    first_date: str
    last_date: str
    first_day: int
    last_day: int
    records: int
    weight_kg: float | None
    bills: tuple[str, ...]

    @property
    def edge_id(self) -> str:
        material, chapter = self.material or "-", self.chapter or "-"
        return f"{self.supplier}>{self.buyer}:{material}:{chapter}:{self.period}"


@dataclass(frozen=True, slots=True)
class TransshipmentFlag:
    firm: str
    buyer: str
    material: str
    period: str
    outbound_kg: float
    inbound_kg: float
    inbound_edges: int
    source: str
    min_lag: int
    max_lag: int


@dataclass(slots=True)
class Inference:
    firms: list[Cluster]
    locations: dict[str, LocationFact]
    edges: list[Edge]
    transshipment: list[TransshipmentFlag]
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def firm(self, firm_id: str) -> Cluster:
        return self._by_id()[firm_id]

    def _by_id(self) -> dict[str, Cluster]:
        return {c.firm_id: c for c in self.firms}


def resolve_firms(engine: Engine, params: sql.Params, workers: int = 1) -> list[Cluster]:
    """Blocking, scoring and clustering; leaves ``tr_vfirm`` (variant -> firm) on the engine.

    ``workers`` > 1 computes the name keys of many distinct names in that many processes.
    What Python holds is kept to what clustering needs (at 10M records, 3M spellings): the
    address keys' caches and unit ids are let go once loaded, and the pairs come sorted from
    the engine, one at a time.
    """
    d = engine.dialect
    engine.create(sql.variants(d))
    engine.create(sql.record_variants())
    variants: list[Variant] = []
    keys = {}
    pending = name_tokens_start(
        [row[0] for row in engine.fetch("SELECT DISTINCT name FROM tr_var")], workers
    )
    rows = list(engine.fetch("SELECT vid, name, address, country, n, roles FROM tr_var"))
    for _vid, _name, address, _country, _n, _roles in rows:
        address_parts(address_key(address))  # cached, while the workers key the names
    named = pending()
    for vid, name, address, country, n, roles in rows:
        k = variant_key(int(vid), name, address, country, named)
        keys[k.vid] = k
        variants.append(
            Variant(int(vid), name, address, intern(country), int(n), intern(roles), k.country)
        )
    del rows, named
    ids = unit_ids(keys.values())
    v3 = params.algorithm == "trade-firms-v3"
    if v3:
        load_rows(engine, "tr_vkey", VKEY_SCHEMA, vkey_rows(keys.values(), ids))
        load_rows(engine, "tr_ntok", NTOK_SCHEMA, name_rows(keys.values(), ids))
        load_rows(engine, "tr_num", NUM_SCHEMA, [(i,) for i in range(NUM_MAX + 1)])
        load_rows(engine, "tr_unum", UNUM_SCHEMA, unit_numbers(keys, ids))
        del ids
        clear_caches(signatures=False)
        for table in (
            sql.name_token_df(),
            sql.name_candidates(params),
            sql.name_weights(),
            sql.name_scores(params),
            sql.unit_candidates(params),
            sql.scored_v3(d, params),
            sql.counterparties(numbers=True),
            sql.unit_counterparties(),
            sql.shared_counterparties("tr_ucp"),
        ):
            engine.create(table)
    else:
        vkey, vtok = key_rows(keys.values(), ids)
        load_rows(engine, "tr_vkey", VKEY_SCHEMA, vkey)
        load_rows(engine, "tr_vtok", VTOK_SCHEMA, vtok)
        del vkey, vtok, ids
        clear_caches(signatures=False)
        engine.create(sql.token_df())
        engine.create(sql.candidates(params))
    if params.algorithm == "trade-firms-v1":
        engine.create(sql.scored(params))
    elif params.algorithm == "trade-firms-v2":
        engine.create(sql.token_weights())
        engine.create(sql.soft_names(params))
        engine.create(sql.scored_v2(d, params))
        engine.create(sql.counterparties())
        engine.create(sql.shared_counterparties())
    pairs = (
        Pair(
            int(va),
            int(vb),
            intern(blocked),
            float(s_name),
            None if s_addr is None else float(s_addr),
            intern(rule),
            int(shared),
        )
        for va, vb, blocked, s_name, s_addr, rule, shared in engine.fetch(
            sql.accepted_pairs(params.algorithm)
        )
    )
    clusters, _refused = cluster(
        variants, keys, pairs, params.algorithm, params.addr_veto, ordered=True
    )
    clear_caches()
    load_rows(
        engine,
        "tr_vfirm",
        VFIRM_SCHEMA,
        ((v.vid, c.firm_id) for c in clusters for v in c.variants),
    )
    return clusters


def infer_edges(engine: Engine, with_bills: bool = True) -> None:
    engine.create(sql.record_firms(engine.dialect))
    engine.create(sql.edges_select(engine.dialect, with_bills))


def fetch_edges(engine: Engine) -> list[Edge]:
    out = []
    for row in engine.fetch(
        "SELECT supplier, buyer, material, chapter, period, first_date, last_date, first_day, "
        "last_day, records, weight_kg, bills FROM tr_edge "
        "ORDER BY supplier, buyer, material, chapter, period"
    ):
        bills = tuple(row[11]) if row[11] is not None else ()
        out.append(
            Edge(
                row[0],
                row[1],
                row[2] or None,
                row[3] or None,
                row[4],
                row[5],
                row[6],
                int(row[7]),
                int(row[8]),
                int(row[9]),
                None if row[10] is None else float(row[10]),
                bills,
            )
        )
    return out


def flag_transshipment(
    engine: Engine,
    clusters: list[Cluster],
    locations: dict[str, LocationFact],
    params: sql.Params,
) -> list[TransshipmentFlag]:
    xj = [(fid,) for fid, loc in locations.items() if loc.status == "xinjiang" or loc.xpcc]
    load_rows(engine, "tr_xj", (("firm", "VARCHAR"),), xj)
    load_rows(
        engine,
        "tr_fc",
        (("firm", "VARCHAR"), ("country", "VARCHAR")),
        [(c.firm_id, c.country() or "") for c in clusters],
    )
    engine.create(sql.transshipment(params))
    return [
        TransshipmentFlag(
            firm,
            buyer,
            material,
            period,
            float(out_kg or 0),
            float(in_kg or 0),
            int(n),
            src,
            int(lo),
            int(hi),
        )
        for firm, buyer, material, period, _first, out_kg, in_kg, n, src, lo, hi in engine.fetch(
            "SELECT firm, buyer, material, period, first_day, weight_kg, inbound_kg, "
            "inbound_edges, source, min_lag, max_lag FROM tr_ts ORDER BY firm, buyer, period"
        )
    ]


def resolve_and_infer(
    engine: Engine,
    locate: LocateFn,
    params: sql.Params | None = None,
    with_bills: bool = True,
    fetch: bool = True,
    workers: int = 1,
) -> Inference:
    """Firms, their locations, inferred edges and transshipment flags from ``tr_rec``.

    ``fetch=False`` leaves the edges on the engine (``tr_edge``) for large runs;
    ``workers`` > 1 computes name keys and (with :func:`region_locator`) firm locations
    in that many processes when there are many.
    """
    params = params or sql.Params()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    clusters = resolve_firms(engine, params, workers)
    timings["resolve_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    if isinstance(locate, RegionLocator):
        locations = locate.many(clusters, workers)
    else:
        locations = {c.firm_id: locate(c) for c in clusters}
    timings["locate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    infer_edges(engine, with_bills)
    timings["edges_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    flags = flag_transshipment(engine, clusters, locations, params)
    timings["flags_s"] = time.perf_counter() - t0
    edges = fetch_edges(engine) if fetch else []
    n_edges = len(edges) if fetch else int(next(engine.fetch("SELECT count(*) FROM tr_edge"))[0])
    counts = {"firms": len(clusters), "edges": n_edges, "transshipment_flags": len(flags)}
    return Inference(clusters, locations, edges, flags, timings, counts)


LocateQuery = tuple[str, str | None, str, str | None]
"""(firm id, address, name, country) of a firm's representative spelling."""


def _locate_query(c: Cluster) -> LocateQuery:
    return (c.firm_id, c.address(), c.representative.name, c.country())


def _locate_chunk(queries: list[LocateQuery]) -> list[LocationFact]:
    from flscreen.region import LocateQuery as Query
    from flscreen.region import locate
    from flscreen.supply.annotate import location_fact

    return [
        location_fact(locate(Query(id=fid, address=address, name=name, country=country)))
        for fid, address, name, country in queries
    ]


class RegionLocator:
    """Locate a firm with the region engine from its main spelling and address."""

    def __call__(self, c: Cluster) -> LocationFact:
        return _locate_chunk([_locate_query(c)])[0]

    def many(self, clusters: list[Cluster], workers: int) -> dict[str, LocationFact]:
        """Every firm's location, over ``workers`` processes when there are many firms."""
        queries = [_locate_query(c) for c in clusters]
        if workers <= 1 or len(queries) < PARALLEL_LOCATE_MIN:
            facts = _locate_chunk(queries)
        else:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            size = max(1000, len(queries) // (workers * 8))
            chunks = [queries[i : i + size] for i in range(0, len(queries), size)]
            context = multiprocessing.get_context("forkserver")
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                facts = [f for part in pool.map(_locate_chunk, chunks) for f in part]
        return {q[0]: f for q, f in zip(queries, facts, strict=True)}


PARALLEL_LOCATE_MIN = 20_000
"""Fewer firms than this are located in this process (a worker starts in ~1-2 s)."""


def region_locator() -> RegionLocator:
    """Locate a firm with the region engine from its main spelling and address."""
    return RegionLocator()
