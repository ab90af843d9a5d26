"""Run the batch trace on an engine and turn its rows into TraceResults.

The SQL (``batch.sql``) does the graph work; this module only sequences the
statements, reports progress and decodes the result rows. Each shipment gets
every tainted route, as the in-memory tracer lists them, up to ``max_paths``
(the first in :func:`flscreen.trace.memory.route_key` order) with the number
of routes beyond; each gap its largest-share route. ``run_batch`` yields the
results; ``write_batch`` writes them as JSON lines, decoding in several processes.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson

from flscreen.batch import render, sql
from flscreen.batch.engines import DuckDBEngine, Engine
from flscreen.batch.inputs import DIMENSION_NAMES, BatchInputs, closure_of, period_label
from flscreen.model.trace import (
    Gap,
    MassBalanceFinding,
    Step,
    TaintedPath,
    TraceResult,
)
from flscreen.supply.bom import BillOfMaterials
from flscreen.trace.config import TraceConfig
from flscreen.trace.massbalance import Ledger, balance, finding, finding_order
from flscreen.trace.memory import Route, flag_order, list_routes, ranked

Progress = Callable[[str, int, int], None]
"""(stage, done, total) callback."""


def statements(engine: Engine, config: TraceConfig) -> list[tuple[str, sql.Table]]:
    """The (stage, table) steps before the hop-by-hop propagation, in order."""
    d = engine.dialect
    stages: list[tuple[str, sql.Table]] = [
        ("feeds", sql.feeds_sql(d, config.lookback_days)),
        ("seeds", sql.seeds_sql(d, config.lookback_days)),
    ]
    return stages


def after_mass_balance(engine: Engine) -> list[tuple[str, sql.Table]]:
    d = engine.dialect
    return [("origins", sql.origins_sql(d)), *(("hop 1", t) for t in sql.frontier0_sql(d))]


@dataclass
class _Decoder:
    txns: dict[int, tuple[Any, ...]]
    """t -> (id, supplier, buyer, material, quantity, unit, date, documents, supplier name,
    buyer name, facility, kind, provenance): decoded once, reused by every step citing it."""
    names: dict[str, str]
    mass: Mapping[int, Sequence[MassBalanceFinding | Gap]]
    flags: Sequence[Any]
    unknown: frozenset[str]

    hops: dict[tuple[int, int], float | None]
    """(sale, purchase) -> the purchase's weight in the sale, for the hops reported."""
    cache: dict[tuple[int, float | None], Step] = field(default_factory=dict)
    """Each (transaction, share) as a Step, made once: routes share their upstream ends."""

    def step(self, t: int, share: float | None) -> Step:
        key = (t, share)
        found = self.cache.get(key)
        if found is None:
            if len(self.cache) >= 500_000:  # bounded: shipments come in order, ends repeat
                self.cache.clear()
            tid, supplier, buyer, material, qty, unit, date, docs, sname, bname, fac, kind, prov = (
                self.txns[t]
            )
            found = self.cache[key] = Step(
                tid,
                supplier,
                buyer,
                material,
                qty,
                unit,
                date,
                docs,
                sname,
                bname,
                fac,
                None if share is None else round(share, 6),
                kind or "documented",
                prov,
            )
        return found

    tails: dict[tuple[int, ...], tuple[tuple[Step, ...], bool]] = field(default_factory=dict)
    """A route's steps after the first (and whether their weights are known) by its
    transactions: the shipments of one manufacturer share their first-hop purchases."""

    def steps(self, path: Sequence[int], seed_w: float | None) -> tuple[tuple[Step, ...], bool]:
        """Steps of a route and whether every weight on it is known; step k's share is the
        weight of the hop into step k-1 (the seed's own for step 0)."""
        key = tuple(path)
        tail = self.tails.get(key)
        if tail is None:
            if len(self.tails) >= 500_000:  # bounded, as the step cache
                self.tails.clear()
            hop = self.hops
            shares = [hop[pair] for pair in pairwise(key)]
            tail = self.tails[key] = tuple(map(self.step, key[1:], shares)), None not in shares
        steps, known = tail
        return (self.step(key[0], seed_w), *steps), known and seed_w is not None


def _run_sql(
    engine: Engine, inputs: BatchInputs | None, config: TraceConfig, report: Progress
) -> tuple[int, dict[int, list[MassItem]]]:
    """Every statement up to fl_out and fl_hop; returns the depths reached and the
    mass-balance items by key."""
    if inputs is not None:
        report("load", 0, 1)
        order = flag_order(inputs.flags)
        engine.load({**inputs.tables, "fl_flag": [(i, *o) for i, o in enumerate(order)]})
    total_stages = 7 + config.max_depth
    done = 0
    for stage, table in statements(engine, config):
        engine.create(table)
        done += 1
        report(stage, done, total_stages)
    mass = compute_mass_balance(engine, inputs, config)
    done += 1
    report("mass balance", done, total_stages)
    for stage, table in after_mass_balance(engine):
        engine.create(table)
        done += 1
        report(stage, done, total_stages)
    depth = 1
    for depth in range(1, config.max_depth):
        for table in sql.hop_sql(engine.dialect, depth, config.lookback_days, config.max_paths):
            engine.create(table)
        done += 1
        report(f"hop {depth + 1}", done, total_stages)
        if next(engine.fetch(sql.count_sql(f"fl_front_{depth + 1}")))[0] == 0:
            break
    else:
        depth = config.max_depth - 1
    depths = depth + 1
    engine.create(sql.results_sql(engine.dialect, depths, config.max_paths))
    engine.create(sql.hop_weights_sql(engine.dialect))
    report("results", total_stages, total_stages)
    return depths, mass


def _drop(engine: Engine, depths: int) -> None:
    for name in ("fl_step_edge", "fl_step_cycle", "fl_step_next"):
        engine.drop(name)
    for k in range(1, depths + 1):
        engine.drop(f"fl_front_{k}")
        engine.drop(f"fl_path_{k}")


def run_batch(
    engine: Engine,
    inputs: BatchInputs | None,
    config: TraceConfig,
    progress: Progress | None = None,
) -> Iterator[TraceResult]:
    """Trace every shipment; ``inputs`` None means the engine already holds the tables."""
    report = progress or (lambda stage, done, total: None)
    depths, mass = _run_sql(engine, inputs, config, report)
    decoding = _Decoding.fetch(engine, inputs, config, mass)
    yield from decoding.results(engine.fetch(sql.ships_sql()), engine.fetch(sql.out_sql()))
    _drop(engine, depths)


def write_batch(
    engine: Engine,
    inputs: BatchInputs | None,
    config: TraceConfig,
    out: Path,
    progress: Progress | None = None,
    slice_rows: int = 400_000,
) -> Counter[str]:
    """Trace every shipment into ``out`` as JSON lines (shipment order): the bytes
    ``orjson.dumps`` makes of :func:`run_batch`'s results. Returns the :func:`summary`
    counts summed over the shipments.

    On DuckDB no TraceResult is made: SQL renders the routes' steps as JSON and orders
    the routes (:mod:`flscreen.batch.render`), a slice of shipments of about
    ``slice_rows`` result rows at a time, and Python joins the pieces into each line
    (``_Lines``). Other engines decode here, as :func:`run_batch` does."""
    report = progress or (lambda stage, done, total: None)
    depths, mass = _run_sql(engine, inputs, config, report)
    total: Counter[str] = Counter()
    if not isinstance(engine, DuckDBEngine):
        decoding = _Decoding.fetch(engine, inputs, config, mass)
        report("decoding", 0, 1)
        with out.open("wb") as handle:
            for result in decoding.results(
                engine.fetch(sql.ships_sql()), engine.fetch(sql.out_sql())
            ):
                handle.write(orjson.dumps(result) + b"\n")
                total.update(summary(result))
        _drop(engine, depths)
        return total
    _drop(engine, depths)
    report("rendering", 0, 1)
    lines = _Lines.fetch(engine, inputs, config, mass)
    engine.create(render.step_json_sql())
    engine.create(render.hops_json_sql())
    rows = int(next(engine.fetch(sql.count_sql("fl_out")))[0])
    n = max(1, -(-rows // max(1, slice_rows)))
    cuts = {0, *(int(s) for _, s in engine.fetch(sql.slices_sql(n)))} if n > 1 else {0}
    end = int(next(engine.fetch("SELECT COALESCE(MAX(s), -1) + 1 FROM fl_ship_detail"))[0])
    longest = int(next(engine.fetch("SELECT COALESCE(MAX(len(path)), 1) FROM fl_out"))[0])
    bounds = list(pairwise([*sorted(c for c in cuts if c < end), end]))
    counts = [0] * len(SUMMARY)

    def read(lo: int, hi: int) -> tuple[dict[int, list[str]], list[Any], Any]:
        # its own cursor, in a thread: DuckDB renders the next slice while Python writes
        # this one (DuckDB runs a query without holding the GIL)
        cursor = engine.con.cursor()
        bought = {int(s): m for s, m in cursor.execute(render.bought_sql(lo, hi)).fetchall()}
        ships = cursor.execute(sql.ships_sql(lo, hi)).fetchall()
        return bought, ships, cursor.execute(render.rows_sql(lo, hi, longest))

    def stream(cursor: Any) -> Iterator[tuple[Any, ...]]:
        # a few thousand rows at a time: the memory they take is freed and reused while
        # it is still in cache, where one fetchall of a slice touches fresh pages for
        # every byte (page faults cost more than the copies on this machine)
        while rows := cursor.fetchmany(2_000):
            yield from rows
        cursor.close()

    # a 1 MiB buffer takes each line's bytes as they are made: no per-chunk join
    with out.open("wb", buffering=1 << 20) as sink, ThreadPoolExecutor(1) as pool:
        write = sink.write
        pending = pool.submit(read, *bounds[0]) if bounds else None
        for i in range(len(bounds)):
            assert pending is not None
            bought, ships, cursor = pending.result()
            pending = pool.submit(read, *bounds[i + 1]) if i + 1 < len(bounds) else None
            for ship, mine in _per_shipment(iter(ships), stream(cursor)):
                write(lines.line(ship, mine, bought.get(int(ship[0]), ()), counts))
                write(b"\n")
            del bought, ships, cursor
    total.update(dict(zip(SUMMARY, counts, strict=True)))
    for name in ("fl_rstep", "fl_rhop", "fl_rflag"):
        engine.drop(name)
    return total


SUMMARY = (
    "shipments",
    "tainted",
    "paths",
    "unlisted",
    "gaps",
    "shortfalls",
    "with_gaps",
    "capped",
    "with_shortfalls",
)
"""The counts :func:`write_batch` returns, summed over the shipments."""


def summary(result: TraceResult) -> dict[str, int]:
    """One result's :data:`SUMMARY` counts (gaps not counting a 'path_limit' one)."""
    gaps = sum(g.reason != "path_limit" for g in result.gaps)
    return {
        "shipments": 1,
        "tainted": int(result.tainted),
        "paths": len(result.paths),
        "unlisted": result.unlisted_paths,
        "gaps": gaps,
        "shortfalls": len(result.mass_balance),
        "with_gaps": int(gaps > 0),
        "capped": int(result.unlisted_paths > 0),
        "with_shortfalls": int(bool(result.mass_balance)),
    }


def _needs(
    product: str, bom: Mapping[str, Sequence[str]], config: TraceConfig
) -> list[tuple[str, str, frozenset[str]]]:
    """What a shipment of ``product`` must document a purchase of: (material, sector, the
    materials that count for it) per priority-sector input that is not raw."""
    key = " ".join(product.strip().lower().split())
    return [
        (material, sector, closure_of(bom, material))
        for material in bom.get(key) or (key,)
        if (sector := config.sector(material)) is not None and not config.is_raw(material)
    ]


Item = tuple[tuple[Any, ...], list[tuple[Any, ...]]]
"""A shipment's fl_ship_detail row and its fl_out rows."""


def _per_shipment(
    ships: Iterator[tuple[Any, ...]], rows: Iterator[tuple[Any, ...]]
) -> Iterator[Item]:
    """Each shipment row with its result rows (both streams in shipment order)."""
    pending = next(rows, None)
    for ship in ships:
        s = ship[0]
        mine = []
        while pending is not None and pending[0] == s:
            mine.append(pending)
            pending = next(rows, None)
        yield ship, mine


MassItem = MassBalanceFinding | Gap


def compute_mass_balance(
    engine: Engine, inputs: BatchInputs | None, config: TraceConfig
) -> dict[int, list[MassItem]]:
    """Aggregate in SQL, balance in Python with the in-memory tracer's own function, and
    load the keys of what was found back as ``fl_mb`` (so the flags can propagate)."""
    party_rows = list(engine.fetch("SELECT p, id, name FROM fl_party"))
    parties = {int(p): pid for p, pid, _ in party_rows}
    party_no = {pid: p for p, pid in parties.items()}
    materials = {int(m): name for m, name in engine.fetch("SELECT material, name FROM fl_mat_name")}
    material_no = {name: m for m, name in materials.items()}
    facilities = {int(f): fid for f, fid in engine.fetch("SELECT f, id FROM fl_fac")}
    facility_no = {fid: f for f, fid in facilities.items()}
    raw = frozenset(parties[int(p)] for (p,) in engine.fetch("SELECT party FROM fl_raw_party"))
    ledger = Ledger()
    sold_sql, bought_sql = sql.ledger_sql()
    for target, query in ((ledger.sold, sold_sql), (ledger.bought, bought_sql)):
        for party, fac, material, dim, period, qty in engine.fetch(query):
            if qty is None:
                continue
            key = (
                parties[int(party)],
                None if fac is None else facilities[int(fac)],
                materials[int(material)],
                None if dim is None else DIMENSION_NAMES.get(int(dim)),
            )
            target[key][int(period)] += float(qty)
    bill = inputs.bill_of_materials() if inputs is not None else BillOfMaterials({})
    shortfalls, missing = balance(ledger, bill, config, raw)
    names = {pid: name for _, pid, name in party_rows}
    del party_rows
    items: dict[tuple[str, str, int], list[MassItem]] = defaultdict(list)
    found_rows = []
    for i, b in enumerate(shortfalls):
        found_rows.append(
            (
                i,
                party_no[b.party],
                None if b.facility is None else facility_no[b.facility],
                material_no[b.output],
                int(str(b.period)),
                [
                    material_no[m]
                    for m in {b.input, b.output, *bill.closure(b.input)}
                    if m in material_no
                ],
            )
        )
    sales, used = _finding_transactions(engine, found_rows)
    for i, b in enumerate(shortfalls):
        label = period_label(int(str(b.period)), config.period)
        items[(b.party, b.output, int(str(b.period)))].append(
            finding(b, label, sales.get(i, ()), used.get(i, ()))
        )
    for mc in missing:
        gap = mc.gap(config, names)
        for when in mc.periods:
            items[(mc.party, mc.output, int(str(when)))].append(gap)
    keyed: dict[int, list[MassItem]] = {}
    rows = []
    for n, ((party, output, period), found) in enumerate(sorted(items.items())):
        keyed[n] = found
        rows.append((n, party_no[party], material_no[output], period))
    engine.load({"fl_mb": rows})
    return keyed


def _finding_transactions(
    engine: Engine, found: Sequence[tuple[int, int, int | None, int, int, list[int]]]
) -> tuple[dict[int, list[str]], dict[int, list[str]]]:
    """Per finding, its sales (and shipments) in the period and the purchases counted."""
    sales: dict[int, list[str]] = defaultdict(list)
    used: dict[int, list[str]] = defaultdict(list)
    if not found:
        return sales, used
    engine.load(
        {
            "fl_mbf": [(i, p, f, m, period) for i, p, f, m, period, _ in found],
            "fl_mbm": [(i, m) for i, *_, mats in found for m in mats],
        }
    )
    eq = engine.dialect.null_safe_eq
    for fid, tid in engine.fetch(
        "SELECT f.fid, d.id FROM fl_mbf f JOIN fl_txn t ON t.supplier = f.party "
        f"AND {eq('t.mfac', 'f.facility')} AND t.material = f.output AND t.period = f.period "
        "JOIN fl_txn_detail d ON d.t = t.t "
        "UNION ALL SELECT f.fid, d.id FROM fl_mbf f JOIN fl_ship s ON s.manufacturer = f.party "
        f"AND {eq('s.mfac', 'f.facility')} AND s.product = f.output AND s.period = f.period "
        "JOIN fl_ship_detail d ON d.s = s.s"
    ):
        sales[int(fid)].append(tid)
    for fid, tid in engine.fetch(
        "SELECT f.fid, d.id FROM fl_mbf f JOIN fl_mbm m ON m.fid = f.fid "
        f"JOIN fl_txn t ON t.buyer = f.party AND {eq('t.bfac', 'f.facility')} "
        "AND t.material = m.material AND t.period <= f.period "
        "JOIN fl_txn_detail d ON d.t = t.t"
    ):
        used[int(fid)].append(tid)
    return sales, used


@dataclass
class _Decoding:
    """What decoding fl_out rows into TraceResults needs, read from the engine once."""

    decoder: _Decoder
    config: TraceConfig
    zero: Mapping[str, Sequence[Any]]
    bom: Mapping[str, Sequence[str]]
    bought: dict[int, set[str]]
    sectors: dict[str, str | None]
    closures: dict[str, list[tuple[str, str, frozenset[str]]]] = field(default_factory=dict)

    @classmethod
    def fetch(
        cls,
        engine: Engine,
        inputs: BatchInputs | None,
        config: TraceConfig,
        mass: Mapping[int, Sequence[MassItem]],
    ) -> _Decoding:
        d = engine.dialect
        flags = inputs.flags if inputs is not None else []
        zero = inputs.zero_step if inputs is not None else {}
        bom = inputs.bom if inputs is not None else {}
        unknown = inputs.unknown_parties if inputs is not None else frozenset()
        names = {pid: name for _, pid, name in engine.fetch("SELECT p, id, name FROM fl_party")}
        sectors = {
            name: sector
            for _, name, sector in engine.fetch("SELECT material, name, sector FROM fl_mat_name")
        }
        txns: dict[int, tuple[Any, ...]] = {}
        for row in engine.fetch(
            "SELECT d.t, d.id, d.supplier_id, d.buyer_id, d.material, d.quantity, d.unit, "
            "d.date, d.facility_id, d.documents, d.kind, d.provenance FROM fl_txn_detail d JOIN "
            f"(SELECT DISTINCT {d.explode('path')} AS t FROM fl_out) p ON p.t = d.t"
        ):
            t, tid, supplier, buyer, material, quantity, unit, date, facility, docs, kind, prov = (
                row
            )
            txns[int(t)] = (
                tid,
                supplier,
                buyer,
                material,
                quantity,
                unit,
                date,
                tuple(json.loads(docs)) if docs else (),
                names.get(supplier, supplier),
                names.get(buyer, buyer),
                facility,
                kind,
                prov,
            )
        hops = {(int(dn), int(up)): w for dn, up, w in engine.fetch("SELECT dn, up, w FROM fl_hop")}
        decoder = _Decoder(txns, names, mass, flags, unknown, hops)
        bought: dict[int, set[str]] = defaultdict(set)
        for s, material in engine.fetch(
            "SELECT DISTINCT sd.s, m.name FROM fl_seed sd "
            "JOIN fl_mat_name m ON m.material = sd.material"
        ):
            bought[int(s)].add(material)
        return cls(decoder, config, zero, bom, bought, sectors)

    def result(self, ship: tuple[Any, ...], rows: list[tuple[Any, ...]]) -> TraceResult:
        s, sid, manufacturer, exporter, product = ship
        return _result(
            self.decoder,
            int(s),
            sid,
            manufacturer,
            exporter,
            product,
            rows,
            self.zero,
            self.bom,
            self.bought.get(int(s), set()),
            self.sectors,
            self.config,
            self.closures,
        )

    def results(
        self, ships: Iterator[tuple[Any, ...]], rows: Iterator[tuple[Any, ...]]
    ) -> Iterator[TraceResult]:
        """One TraceResult per shipment, in shipment order."""
        for ship, mine in _per_shipment(ships, rows):
            yield self.result(ship, mine)


@dataclass
class _Lines:
    """What writing a shipment's JSON line from the rows of :func:`render.rows_sql` needs:
    the bytes ``orjson.dumps`` makes of the TraceResult :func:`_result` would decode.
    Lines are built as bytes from the bytes SQL renders: no text is decoded and encoded
    again."""

    config: TraceConfig
    names: Mapping[str, str | None]
    zero: Mapping[str, list[tuple[int, tuple[str, str, str], bytes, bool]]]
    """A manufacturer's or exporter's own sources: (route order prefix, party, facility
    and detail, the path's JSON, confirmed)."""
    unknown: frozenset[str]
    sectors: Mapping[str, str | None]
    mass: Mapping[int, Sequence[MassItem]]
    bom: Mapping[str, Sequence[str]]
    needs: dict[str, list[tuple[str, str, frozenset[str]]]] = field(default_factory=dict)
    rendered: dict[int, bytes] = field(default_factory=dict)

    @classmethod
    def fetch(
        cls,
        engine: Engine,
        inputs: BatchInputs | None,
        config: TraceConfig,
        mass: Mapping[int, Sequence[MassItem]],
    ) -> _Lines:
        """Read what the lines need and load ``fl_rflag`` for :func:`render.rows_sql`."""
        engine.load({"fl_rflag": render.flag_rows(inputs.flags if inputs is not None else [])})
        names = {pid: name for _, pid, name in engine.fetch("SELECT p, id, name FROM fl_party")}
        sectors = {
            name: sector
            for _, name, sector in engine.fetch("SELECT material, name, sector FROM fl_mat_name")
        }
        zero: dict[str, list[tuple[int, tuple[str, str, str], bytes, bool]]] = {}
        for party, found in (inputs.zero_step if inputs is not None else {}).items():
            for src in found:
                path = b'{"source":%s,"steps":[],"share":1.0,"evidence":"declared"}' % orjson.dumps(
                    src
                )
                tie = (src.party_id, src.facility_id or "", src.detail)
                zero.setdefault(party, []).append(
                    (render.prefix(src), tie, path, src.confidence == "confirmed")
                )
        return cls(
            config,
            names,
            zero,
            inputs.unknown_parties if inputs is not None else frozenset(),
            sectors,
            mass,
            inputs.bom if inputs is not None else {},
        )

    def item(self, item: MassItem) -> bytes:
        """A finding or missing conversion as JSON, rendered once."""
        found = self.rendered.get(id(item))
        if found is None:
            found = self.rendered[id(item)] = orjson.dumps(item)
        return found

    def line(
        self,
        ship: tuple[Any, ...],
        rows: list[tuple[Any, ...]],
        bought: Sequence[str],
        counts: list[int],
    ) -> bytes:
        """The shipment's JSON line (no newline); its :func:`summary` counts are added to
        ``counts`` (in :data:`SUMMARY` order)."""
        config = self.config
        dumps = orjson.dumps
        _, sid, manufacturer, exporter, product = ship
        own = [
            z for party in dict.fromkeys((manufacturer, exporter)) for z in self.zero.get(party, ())
        ]
        own.sort(key=lambda z: (z[0], z[1]))
        paths: list[tuple[bytes, bool]] = []
        routes = len(own)
        gaps: dict[int, bytes] = {}
        findings: list[MassBalanceFinding] = []
        missing: dict[tuple[str, str, str], Gap] = {}
        mass_seen: set[int] = set()
        for _, kind, flag, n, prefix, share, text, confirmed, sup, mat, tid, sname in rows:
            if kind == sql.KIND_TAINT:
                # in route order already; a shipment's own sources (share 1, no steps) go
                # before the first route they do not follow
                while own and (own[0][0], -1.0) <= (prefix, -share):
                    paths.append(own.pop(0)[2:])
                paths.append((text, confirmed))
            elif kind == sql.KIND_COUNT:
                routes += int(n)
            elif kind == sql.KIND_GAP and flag not in gaps:
                sector = self.sectors.get(" ".join(mat.strip().lower().split()))
                if sup in self.unknown:
                    reason = b"unknown_supplier"
                    detail = (
                        f"{mat} ({sector}) in {tid} comes from "
                        f"{sname!r}, a supplier that cannot be identified or screened"
                    )
                else:
                    reason = b"ends_before_raw_material"
                    detail = (
                        f"{sname} sold {mat} ({sector}) in {tid} but no purchase of it or its "
                        f"inputs is documented in the {config.lookback_days} days before"
                    )
                gaps[flag] = b'{"party_id":%s,"material":%s,"reason":"%s","detail":%s,' % (
                    dumps(sup),
                    dumps(mat),
                    reason,
                    dumps(detail),
                ) + b'"steps":%s,"sector":%s}' % (text, dumps(sector))
            elif kind == sql.KIND_MASS and flag not in mass_seen:
                mass_seen.add(flag)
                for item in self.mass.get(int(flag), ()):
                    if isinstance(item, Gap):
                        missing.setdefault((item.party_id, item.material, item.detail), item)
                    else:
                        findings.append(item)
        paths.extend(z[2:] for z in own)
        gap_list = list(gaps.values())
        ngaps = len(gap_list)
        needs = self.needs.get(product)
        if needs is None:
            needs = self.needs[product] = _needs(product, self.bom, config)
        for material, sector, closure in needs:
            if closure.isdisjoint(bought):
                name = self.names.get(manufacturer, manufacturer)
                detail = (
                    f"{name} documents no purchase of {material} ({sector}) or its inputs in "
                    f"the {config.lookback_days} days before the shipment"
                )
                gap_list.append(
                    dumps(Gap(manufacturer, material, "no_supplier", detail, (), sector))
                )
                ngaps += 1
        listed = paths[: config.max_paths]
        more = routes - len(listed)
        if more > 0:
            detail = (
                f"{routes:,} tainted routes: the first {len(listed):,} (max_paths) are listed, "
                f"confirmed sources and larger shares first; {more:,} more are not"
            )
            gap_list.append(dumps(Gap(manufacturer, product, "path_limit", detail)))
        for key in sorted(missing):
            gap_list.append(self.item(missing[key]))
            ngaps += 1
        findings.sort(key=finding_order)
        tainted = any(confirmed for _, confirmed in listed)
        line = b"".join(
            (
                b'{"shipment":',
                dumps(sid),
                b',"tainted":true,"paths":[' if tainted else b',"tainted":false,"paths":[',
                b",".join([p for p, _ in listed]),
                b'],"gaps":[',
                b",".join(gap_list),
                b'],"mass_balance":[',
                b",".join(map(self.item, findings)),
                b'],"unlisted_paths":%d}' % more,
            )
        )
        for k, v in enumerate(
            (
                1,
                tainted,
                len(listed),
                more,
                ngaps,
                len(findings),
                ngaps > 0,
                more > 0,
                bool(findings),
            )
        ):
            counts[k] += v
        return line


def _result(
    decoder: _Decoder,
    s: int,
    sid: str,
    manufacturer: str,
    exporter: str,
    product: str,
    rows: list[tuple[Any, ...]],
    zero: Mapping[str, Sequence[Any]],
    bom: Mapping[str, Sequence[str]],
    bought: set[str],
    sectors: Mapping[str, str | None],
    config: TraceConfig,
    closures: dict[str, list[tuple[str, str, frozenset[str]]]],
) -> TraceResult:
    paths: list[Route] = []
    for party in dict.fromkeys((manufacturer, exporter)):
        for src in zero.get(party, ()):
            paths.append(ranked(1.0, TaintedPath(src, (), 1.0)))
    gaps: dict[int, Gap] = {}
    findings: list[MassBalanceFinding] = []
    missing: dict[tuple[str, str, str], Gap] = {}
    mass_seen: set[int] = set()
    routes = len(paths)
    for _, kind, flag, _seed, share, seed_w, path, n in rows:
        flag = int(flag)
        if kind == sql.KIND_COUNT:
            routes += int(n)
        elif kind == sql.KIND_TAINT:
            steps, known = decoder.steps(path, seed_w)
            value = round(float(share), 6) if known and share is not None else None
            # ``share`` is the SQL's product, the very number the in-memory tracer orders by
            paths.append(ranked(float(share), TaintedPath(decoder.flags[flag], steps, value)))
        elif kind == sql.KIND_GAP and flag not in gaps:
            steps, _ = decoder.steps(path, seed_w)
            last = steps[-1]
            sector = sectors.get(" ".join(last.material.strip().lower().split()))
            if last.supplier_id in decoder.unknown:
                reason = "unknown_supplier"
                detail = (
                    f"{last.material} ({sector}) in {last.transaction_id} comes from "
                    f"{last.supplier_name!r}, a supplier that cannot be identified or screened"
                )
            else:
                reason = "ends_before_raw_material"
                detail = (
                    f"{last.supplier_name} sold {last.material} ({sector}) in "
                    f"{last.transaction_id} but no purchase of it or its inputs is documented "
                    f"in the {config.lookback_days} days before"
                )
            gaps[flag] = Gap(last.supplier_id, last.material, reason, detail, steps, sector)
        elif kind == sql.KIND_MASS and flag not in mass_seen:
            mass_seen.add(flag)
            for item in decoder.mass.get(flag, ()):
                if isinstance(item, Gap):
                    missing.setdefault((item.party_id, item.material, item.detail), item)
                else:
                    findings.append(item)
    gap_list = list(gaps.values())
    needs = closures.get(product)
    if needs is None:
        needs = closures[product] = _needs(product, bom, config)
    for material, sector, closure in needs:
        if bought & closure:
            continue
        gap_list.append(
            Gap(
                manufacturer,
                material,
                "no_supplier",
                f"{decoder.names.get(manufacturer, manufacturer)} documents no purchase of "
                f"{material} ({sector}) or its inputs in the {config.lookback_days} days "
                "before the shipment",
                (),
                sector,
            )
        )
    listed, limit = list_routes(paths, routes, config, manufacturer, product)
    if limit is not None:
        gap_list.append(limit)
    gap_list.extend(sorted(missing.values(), key=lambda g: (g.party_id, g.material, g.detail)))
    mb = sorted(
        findings,
        key=finding_order,
    )
    tainted = any(p.source.confidence == "confirmed" for p in listed)
    return TraceResult(
        sid, tainted, tuple(listed), tuple(gap_list), tuple(mb), routes - len(listed)
    )
