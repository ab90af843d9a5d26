"""Run the batch trace on an engine and turn its rows into TraceResults.

The SQL (``batch.sql``) does the graph work; this module only sequences the
statements, reports progress and decodes the result rows. For each shipment
and each flag reaching each first-hop purchase there is one path: the route
with the largest share (the witness) and the share summed over all routes
through that purchase, so the batch output stays linear in the data while the
in-memory engine lists every route.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flscreen.batch import sql
from flscreen.batch.engines import Engine
from flscreen.batch.inputs import BatchInputs, closure_of, period_label
from flscreen.model.trace import Gap, MassBalanceFinding, Step, TaintedPath, TraceResult
from flscreen.trace.config import TraceConfig
from flscreen.trace.memory import KIND_ORDER

Progress = Callable[[str, int, int], None]
"""(stage, done, total) callback."""


def statements(engine: Engine, config: TraceConfig) -> list[tuple[str, sql.Table]]:
    """The (stage, table) steps before the hop-by-hop propagation, in order."""
    d = engine.dialect
    stages: list[tuple[str, sql.Table]] = [
        ("feeds", sql.feeds_sql(d, config.lookback_days)),
        ("seeds", sql.seeds_sql(d, config.lookback_days)),
        ("mass balance", sql.mass_balance_sql(d, config.mass_balance_tolerance)),
        ("origins", sql.origins_sql(d)),
        ("hop 1", sql.frontier0_sql(d)),
    ]
    return stages


@dataclass
class _Decoder:
    txns: dict[int, tuple[Any, ...]]
    """t -> (id, supplier, buyer, material, quantity, unit, date, documents, supplier name,
    buyer name, facility): decoded once, reused by every step that cites it."""
    names: dict[str, str]
    mass: dict[int, MassBalanceFinding]
    flags: Sequence[Any]
    unknown: frozenset[str]

    def steps(
        self, path: Sequence[int], ws: Sequence[float | None], seed_w: float | None
    ) -> tuple[Step, ...]:
        """Steps of a route; step k's share is the hop weight into step k-1 (the seed's for 0)."""
        txns = self.txns
        out = []
        share = seed_w
        for k, t in enumerate(path):
            tid, supplier, buyer, material, qty, unit, date, docs, sname, bname, fac = txns[t]
            out.append(
                Step(
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
                )
            )
            share = ws[k] if k < len(ws) else None
        return tuple(out)


def run_batch(
    engine: Engine,
    inputs: BatchInputs | None,
    config: TraceConfig,
    progress: Progress | None = None,
) -> Iterator[TraceResult]:
    """Trace every shipment; ``inputs`` None means the engine already holds the tables."""
    report = progress or (lambda stage, done, total: None)
    if inputs is not None:
        report("load", 0, 1)
        engine.load(inputs.tables)
    total_stages = 6 + config.max_depth
    done = 0
    for stage, table in statements(engine, config):
        engine.create(table)
        done += 1
        report(stage, done, total_stages)
    depth = 1
    for depth in range(1, config.max_depth):
        engine.create(sql.step_sql(engine.dialect, depth, config.lookback_days))
        done += 1
        report(f"hop {depth + 1}", done, total_stages)
        if next(engine.fetch(sql.count_sql(f"fl_front_{depth + 1}")))[0] == 0:
            break
    else:
        depth = config.max_depth - 1
    depths = depth + 1
    engine.create(sql.reach_sql(engine.dialect, depths))
    engine.create(sql.results_sql(engine.dialect))
    report("results", total_stages, total_stages)
    yield from assemble(engine, inputs, config)
    for k in range(1, depths + 1):
        engine.drop(f"fl_front_{k}")


def _mass_findings(engine: Engine, config: TraceConfig) -> dict[int, MassBalanceFinding]:
    sales: dict[int, list[str]] = defaultdict(list)
    for key, tid in engine.fetch(
        "SELECT mb.key, d.id FROM fl_mb mb JOIN fl_txn t ON t.supplier = mb.party "
        "AND t.material = mb.output AND t.period = mb.period "
        "JOIN fl_txn_detail d ON d.t = t.t"
    ):
        sales[int(key)].append(tid)
    out = {}
    for row in engine.fetch(
        "SELECT mb.key, p.id, f.id, m.name, mb.period, mb.inputs, mb.outputs, mb.primary_yield, "
        "mb.shortfall, pm.name, m.base_unit "
        "FROM fl_mb mb JOIN fl_party p ON p.p = mb.party "
        "JOIN fl_mat_name m ON m.material = mb.output "
        "JOIN fl_mat_name pm ON pm.material = mb.primary_input "
        "LEFT JOIN (SELECT DISTINCT facility, supplier, facility_id AS id FROM fl_txn "
        "  JOIN fl_txn_detail USING (t) WHERE facility IS NOT NULL) f "
        "  ON f.facility = mb.facility AND f.supplier = mb.party"
    ):
        key, party, facility, material, period, inputs, outputs, y, shortfall, primary, unit = row
        out[int(key)] = MassBalanceFinding(
            party_id=party,
            facility_id=facility,
            material=material,
            period=period_label(int(period), config.period),
            inputs=round(float(inputs), 6),
            outputs=round(float(outputs), 6),
            yield_factor=float(y),
            shortfall=round(float(shortfall), 6),
            unit=unit,
            input_material=primary,
            transactions=tuple(sorted(sales[int(key)])),
        )
    return out


def assemble(
    engine: Engine, inputs: BatchInputs | None, config: TraceConfig
) -> Iterator[TraceResult]:
    """Decode fl_out into one TraceResult per shipment, in shipment order."""
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
    for t, tid, supplier, buyer, material, quantity, unit, date, facility, docs in engine.fetch(
        "SELECT d.t, d.id, d.supplier_id, d.buyer_id, d.material, d.quantity, d.unit, "
        "d.date, d.facility_id, d.documents FROM fl_txn_detail d JOIN "
        f"(SELECT DISTINCT {d.explode('path')} AS t FROM fl_out) p ON p.t = d.t"
    ):
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
        )
    decoder = _Decoder(txns, names, _mass_findings(engine, config), flags, unknown)
    closures: dict[str, frozenset[str]] = {}
    bought: dict[int, set[str]] = defaultdict(set)
    for s, material in engine.fetch(
        "SELECT DISTINCT sd.s, m.name FROM fl_seed sd "
        "JOIN fl_mat_name m ON m.material = sd.material"
    ):
        bought[int(s)].add(material)
    rows = engine.fetch(sql.out_sql())
    pending = next(rows, None)
    for s, sid, manufacturer, exporter, product in engine.fetch(
        "SELECT s, id, manufacturer_id, exporter_id, product FROM fl_ship_detail ORDER BY s"
    ):
        mine = []
        while pending is not None and pending[0] == s:
            mine.append(pending)
            pending = next(rows, None)
        yield _result(
            decoder,
            int(s),
            sid,
            manufacturer,
            exporter,
            product,
            mine,
            zero,
            bom,
            bought.get(int(s), set()),
            sectors,
            config,
            closures,
        )


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
    closures: dict[str, frozenset[str]],
) -> TraceResult:
    paths: list[TaintedPath] = []
    for party in dict.fromkeys((manufacturer, exporter)):
        for src in zero.get(party, ()):
            paths.append(TaintedPath(src, (), 1.0))
    gaps: dict[int, Gap] = {}
    findings: dict[int, MassBalanceFinding] = {}
    for _, kind, flag, _seed, share, known, seed_w, path, ws in rows:
        flag = int(flag)
        if kind == sql.KIND_TAINT:
            steps = decoder.steps(path, ws, seed_w)
            value = round(float(share), 6) if known and share is not None else None
            paths.append(TaintedPath(decoder.flags[flag], steps, value))
        elif kind == sql.KIND_GAP and flag not in gaps:
            steps = decoder.steps(path, ws, seed_w)
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
        elif kind == sql.KIND_MASS and flag in decoder.mass:
            findings[flag] = decoder.mass[flag]
    gap_list = list(gaps.values())
    key = " ".join(product.strip().lower().split())
    for material in bom.get(key) or (key,):
        sector = config.sector(material)
        if sector is None or config.is_raw(material):
            continue
        closure = closures.get(material)
        if closure is None:
            closure = closures[material] = closure_of(bom, material)
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
    paths.sort(
        key=lambda p: (
            p.source.confidence != "confirmed",
            KIND_ORDER[p.source.kind],
            -(p.share or 0.0),
            len(p.steps),
        )
    )
    mb = sorted(findings.values(), key=lambda m: (m.party_id, m.material, m.period))
    tainted = any(p.source.confidence == "confirmed" for p in paths)
    return TraceResult(sid, tainted, tuple(paths), tuple(gap_list), tuple(mb))
