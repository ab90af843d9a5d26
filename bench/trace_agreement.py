"""Batch (DuckDB) against in-memory tracing on many generated graphs.

    nice -n 10 python bench/trace_agreement.py --graphs 1000

Each graph is one of the seeded random supply networks the unit tests use
(tests/batch/randomnet.py: tiers, cycles, mixed materials, taint, gaps and
shortfalls). For every shipment both engines must agree on every route they
list (source, each transaction, share within 2e-6), how many routes lie beyond
``max_paths``, whether the shipment is tainted, every gap with its route, every
mass-balance shortfall, and per taint source and first-hop purchase the summed
share. ``--max-paths`` sets the cap (default 10,000, as trace.yml; a small cap
checks the cut). Prints the number of graphs, shipments and routes compared and
every disagreement, against the in-memory tracer as the baseline.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.batch.randomnet import normalize, random_network, same_routes

from flscreen.batch import DuckDBEngine, run_batch_on_graph
from flscreen.trace import load_config, trace_shipment

TOLERANCE = 1.5e-4
"""One unit in the 4th place: ``normalize`` rounds summed shares to 4 places, and two
sums 1e-6 apart (each path's share is rounded to 6 places first) can round apart."""


def agree(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """``normalize`` results equal, taint shares within TOLERANCE."""
    if {k: v for k, v in a.items() if k != "taint"} != {k: v for k, v in b.items() if k != "taint"}:
        return False
    ta, tb = a["taint"], b["taint"]
    return ta.keys() == tb.keys() and all(abs(ta[k] - tb[k]) <= TOLERANCE for k in ta)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graphs", type=int, default=1000)
    parser.add_argument("--first-seed", type=int, default=1000)
    parser.add_argument("--max-paths", type=int, default=10_000)
    args = parser.parse_args()
    config = load_config(lookback_days=400, max_paths=args.max_paths)
    engine = DuckDBEngine()
    began = time.perf_counter()
    memory_seconds = 0.0
    shipments = tainted = listed = unlisted = 0
    disagree: list[tuple[int, str]] = []
    for seed in range(args.first_seed, args.first_seed + args.graphs):
        graph = random_network(seed)
        for result in run_batch_on_graph(graph, config, engine):
            shipments += 1
            tainted += result.tainted
            listed += len(result.paths)
            unlisted += result.unlisted_paths
            t0 = time.perf_counter()
            expected = trace_shipment(graph, result.shipment, config)
            memory_seconds += time.perf_counter() - t0
            if not (
                agree(normalize(result), normalize(expected)) and same_routes(result, expected)
            ):
                disagree.append((seed, result.shipment))
    engine.close()
    total = time.perf_counter() - began
    print(
        f"{args.graphs} graphs (seeds {args.first_seed}-{args.first_seed + args.graphs - 1}), "
        f"{shipments} shipments ({tainted} tainted, {listed} routes listed, {unlisted} beyond "
        f"max_paths {args.max_paths}): {shipments - len(disagree)} agree with the in-memory "
        f"tracer, {len(disagree)} disagree; {total:.1f} s ({memory_seconds:.1f} s in-memory)"
    )
    for seed, sid in disagree[:20]:
        print(f"  disagreement: seed {seed} shipment {sid}")
    if disagree:
        sys.exit(1)


if __name__ == "__main__":
    main()
