"""Batch tracing benchmark: DuckDB against a networkx baseline (same run), and Spark.

    nice -n 10 python bench/trace.py --transactions 1000000 --shipments 100000 --spark
    nice -n 10 python bench/trace.py --transactions 10000000 --shipments 1000000 --no-networkx

Prints generation time, DuckDB trace time (SQL plus rendering and writing the JSON
lines; every route per shipment up to ``--max-paths``, the rest
counted), the networkx baseline (feeds graph built from the
same edges, then each shipment traced by a DAG walk; timed on a sample of
shipments and scaled to all of them), Spark time, peak memory and the
result counts.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flscreen.batch.engines import DuckDBEngine, Engine, SparkEngine, spark_session
from flscreen.batch.runner import run_batch, summary, write_batch
from flscreen.batch.sql import edges_sql
from flscreen.trace import load_config
from gen_network import generate


def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def trace_all(engine: Engine, inputs: Any, out: Path | None, max_paths: int) -> dict[str, float]:
    """Trace every shipment; with ``out``, through ``write_batch`` (JSON lines, rendered in
    SQL on DuckDB), else through ``run_batch`` with the results counted here."""
    config = load_config(max_paths=max_paths)
    began = time.perf_counter()
    marks: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        marks[stage] = time.perf_counter() - began

    counts: Counter[str] = Counter()
    if out is not None:
        counts = write_batch(engine, inputs, config, out, progress)
    else:
        for result in run_batch(engine, inputs, config, progress):
            counts.update(summary(result))
    total = time.perf_counter() - began
    stages = ", ".join(f"{k} {v:.0f}s" for k, v in marks.items())
    print(f"  stages (cumulative): {stages}", flush=True)
    return {"seconds": total, "sql_seconds": marks.get("results", total), **counts}


def networkx_baseline(engine: DuckDBEngine, sample: int, seed: int = 1) -> dict[str, float]:
    """Trace ``sample`` shipments with networkx over the same feeds graph; scale to all."""
    con = engine.con
    began = time.perf_counter()
    # the baseline gets its edges from DuckDB (generous: building them in Python is slower)
    table = edges_sql(engine.dialect, load_config().lookback_days)
    engine.create(table)
    dag = nx.DiGraph()
    cursor = con.cursor().execute("SELECT down, up, w FROM fl_edge")
    while rows := cursor.fetchmany(200_000):
        dag.add_weighted_edges_from(rows)
    supplier = dict(con.execute("SELECT t, supplier FROM fl_txn").fetchall())
    sources: dict[int, set[int]] = defaultdict(set)
    for t, flag in con.execute(
        "SELECT t.t, s.flag FROM fl_txn t JOIN fl_src s ON s.supplier = t.supplier"
    ).fetchall():
        sources[t].add(flag)
    flag_party = dict(con.execute("SELECT flag, supplier FROM fl_src").fetchall())
    build = time.perf_counter() - began
    n_ships = con.execute("SELECT COUNT(*) FROM fl_ship").fetchone()[0]  # type: ignore[index]
    chosen = random.Random(seed).sample(range(n_ships), min(sample, n_ships))
    seeds: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for s, t, w in con.execute(
        "SELECT s, t, w FROM fl_seed WHERE s IN (SELECT unnest(?))", [chosen]
    ).fetchall():
        seeds[s].append((t, w or 0.0))
    began = time.perf_counter()
    tainted = 0
    for s in chosen:
        found: dict[int, float] = defaultdict(float)
        for t0, w0 in seeds.get(s, []):
            cone = nx.descendants(dag, t0) | {t0} if t0 in dag else {t0}
            flags = {f for t in cone for f in sources.get(t, ())}
            order = list(reversed(list(nx.topological_sort(dag.subgraph(cone))))) if flags else []
            for flag in flags:
                party = flag_party[flag]
                memo: dict[int, float] = {}
                for t in order:
                    if flag in sources.get(t, ()):
                        memo[t] = 1.0
                    elif supplier[t] == party:
                        memo[t] = 0.0
                    else:
                        memo[t] = sum(
                            d["weight"] * memo.get(u, 0.0)
                            for _, u, d in dag.out_edges(t, data=True)
                        )
                found[flag] += w0 * memo.get(t0, 0.0)
        tainted += any(v > 0 for v in found.values())
    per_shipment = (time.perf_counter() - began) / max(1, len(chosen))
    return {
        "build_seconds": build,
        "per_shipment_ms": per_shipment * 1000,
        "sampled": len(chosen),
        "estimated_seconds": build + per_shipment * n_ships,
        "sample_tainted": tainted,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--networkx-sample", type=int, default=500)
    parser.add_argument("--no-networkx", action="store_true")
    parser.add_argument("--spark", action="store_true", help="also run on Spark (local mode)")
    parser.add_argument("--memory-limit", default="18GB")
    parser.add_argument(
        "--max-paths",
        type=int,
        default=10,
        help="routes listed per shipment (the rest are counted); trace.yml's 10,000 would "
        "list every route of this dense network, hundreds of thousands for some shipments",
    )
    parser.add_argument(
        "--output", type=Path, help="write the JSON lines here (default: a temp file)"
    )
    args = parser.parse_args()

    tmp = tempfile.TemporaryDirectory(prefix="flscreen-bench-")
    out = args.output or Path(tmp.name) / "trace.jsonl"
    engine = DuckDBEngine(memory_limit=args.memory_limit, temp_directory=tmp.name)
    net = generate(engine.con, args.transactions, args.shipments, args.seed)
    print(
        f"network: {net.transactions:,} transactions, {net.shipments:,} shipments, "
        f"generated in {net.seconds:.1f} s (seed {args.seed})"
    )
    duck = trace_all(engine, net.inputs, out, args.max_paths)
    edges = engine.con.execute("SELECT SUM(n) FROM fl_feed").fetchone()[0]  # type: ignore[index]
    print(
        f"duckdb: {duck['seconds']:.1f} s end to end ({duck['sql_seconds']:.1f} s SQL, "
        "rest rendering "
        f"and writing {out.stat().st_size / 1e6:.0f} MB of JSON lines); {edges:,} feeds edges; "
        f"{duck['tainted']:,} tainted of {duck['shipments']:,} shipments, {duck['paths']:,} routes "
        f"listed (max_paths {args.max_paths}), {duck['unlisted']:,} more counted "
        f"({duck['capped']:,} shipments over the cap), "
        f"{duck['with_gaps']:,} with gaps, {duck['with_shortfalls']:,} with mass-balance shortfalls"
    )
    print(f"peak memory so far: {peak_rss_gib():.1f} GiB")
    if not args.no_networkx:
        base = networkx_baseline(engine, args.networkx_sample)
        print(
            f"networkx baseline: graph build {base['build_seconds']:.1f} s, "
            f"{base['per_shipment_ms']:.1f} ms per shipment over {base['sampled']} sampled "
            f"-> {base['estimated_seconds']:.0f} s for all {net.shipments:,} shipments; "
            f"duckdb speed-up x{base['estimated_seconds'] / duck['seconds']:.1f}"
        )
    if args.spark:
        paths = engine.export_parquet(
            Path(tmp.name),
            [
                "fl_txn",
                "fl_um",
                "fl_ship",
                "fl_src",
                "fl_mat",
                "fl_unknown",
                "fl_raw_party",
                "fl_raw_facility",
                "fl_fac",
                "fl_txn_detail",
                "fl_party",
                "fl_ship_detail",
                "fl_mat_name",
            ],
        )
        began = time.perf_counter()
        spark = SparkEngine(spark_session(memory="6g"))
        spark.load_parquet(paths)
        load = time.perf_counter() - began
        result = trace_all(spark, net.inputs, None, args.max_paths)
        print(
            f"spark (local[2]): {result['seconds']:.1f} s ({result['sql_seconds']:.1f} s SQL) "
            f"after {load:.1f} s start and load; {result['tainted']:,} tainted "
            f"(duckdb {duck['tainted']:,})"
        )
    print(f"peak memory (this process, DuckDB included): {peak_rss_gib():.1f} GiB")
    tmp.cleanup()


if __name__ == "__main__":
    main()
