"""Trade records benchmark: firm resolution, transshipment flags and scale, on the generator.

Prints, in one run on the same generated records (bench/gen_trade.py):
- firm resolution pairwise precision / recall over distinct spellings, flscreen's
  (trade-firms-v2) beside the previous algorithm (trade-firms-v1), a plain grouping
  by exact normalised name (flscreen's name key, same country) and one by
  case-and-punctuation-folded name;
- planted transshipment chains found (trader and buyer both right) and false flags
  per 1,000 firms;
- wall time and CPU time of each step, records per second and peak RSS.

    flock /tmp/flscreen-heavy.lock python bench/trade.py --firms 2000
    flock /tmp/flscreen-heavy.lock python bench/trade.py --firms 50000 --engine duckdb
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flscreen.batch.engines import DuckDBEngine, SparkEngine
from flscreen.trade import sql
from flscreen.trade.engine import load_rows
from flscreen.trade.infer import region_locator, resolve_and_infer, resolve_firms
from flscreen.trade.materials import fold
from flscreen.trade.resolve import variant_key
from gen_trade import TradeSet, generate


def pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise(pred: Mapping[object, str], truth: Mapping[object, str]) -> tuple[float, float]:
    """Pairwise precision and recall of a clustering of the same items."""
    both = Counter((pred[k], truth[k]) for k in pred)
    tp = sum(pairs(n) for n in both.values())
    pp = sum(pairs(n) for n in Counter(pred.values()).values())
    tt = sum(pairs(n) for n in Counter(truth.values()).values())
    return (tp / pp if pp else 1.0), (tp / tt if tt else 1.0)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run(ts: TradeSet, engine_name: str) -> dict[str, float]:
    engine = DuckDBEngine() if engine_name == "duckdb" else SparkEngine()
    timing: dict[str, float] = {}
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        load_rows(engine, "tr_rec", sql.RECORD_COLUMNS, ts.rows)
        timing["load_s"] = time.perf_counter() - t0
        inf = resolve_and_infer(engine, region_locator(), with_bills=False, fetch=False)
        timing.update(inf.timings)
        timing["total_s"] = time.perf_counter() - t0
        timing["cpu_s"] = time.process_time() - c0
        # the previous algorithm on the same spellings, for firm resolution only
        previous = {
            v.vid: c.firm_id
            for c in resolve_firms(engine, sql.Params(algorithm="trade-firms-v1"))
            for v in c.variants
        }
    finally:
        engine.close()

    # firm resolution over the distinct spellings the records hold
    truth: dict[object, str] = {}
    pred: dict[object, str] = {}
    exact: dict[object, str] = {}
    folded: dict[object, str] = {}
    v1: dict[object, str] = {}
    for c in inf.firms:
        for v in c.variants:
            key = (v.name, v.address, v.country)
            if key not in ts.truth:
                continue
            truth[key] = ts.truth[key]
            pred[key] = c.firm_id
            v1[key] = previous[v.vid]
            k = variant_key(v.vid, v.name, v.address, v.country)
            exact[key] = f"{k.country}|{k.nkey}"
            folded[key] = f"{k.country}|{fold(v.name)}"
    p, r = pairwise(pred, truth)
    ep, er = pairwise(exact, truth)
    fp_, fr = pairwise(folded, truth)
    p1, r1 = pairwise(v1, truth)
    # transshipment: firm ids -> true firm by the majority of their spellings
    owner: dict[str, str] = {}
    for c in inf.firms:
        votes = Counter(ts.truth.get((v.name, v.address, v.country)) for v in c.variants)
        owner[c.firm_id] = votes.most_common(1)[0][0] or "?"
    flagged = {(owner[f.firm], owner[f.buyer]) for f in inf.transshipment}
    found = len(ts.planted & flagged)
    planted_traders = {t for t, _ in ts.planted}
    false_firms = {t for t, _ in flagged if t not in planted_traders}
    n = len(ts.firms)
    records = len(ts.rows)
    print(f"records {records:,}  true firms {n:,}  spellings {len(truth):,}  "
          f"firms found {len(inf.firms):,}  edges {inf.counts['edges']:,}")  # fmt: skip
    print("firm resolution (pairwise over spellings)     precision  recall")
    print(f"  flscreen trade-firms-v2                       {p:9.4f}  {r:6.4f}")
    print(f"  previous: flscreen trade-firms-v1             {p1:9.4f}  {r1:6.4f}")
    print(f"  baseline: exact normalised name (name key)    {ep:9.4f}  {er:6.4f}")
    print(f"  baseline: case/punctuation-folded name        {fp_:9.4f}  {fr:6.4f}")
    print(f"transshipment: planted chains {len(ts.planted)}, found {found} "
          f"({found / max(1, len(ts.planted)):.3f}); false flags {len(false_firms)} "
          f"({1000 * len(false_firms) / n:.2f} per 1,000 firms)")  # fmt: skip
    print(
        "time: "
        + ", ".join(f"{k} {v:.1f}" for k, v in timing.items())
        + f"; {records / timing['total_s']:,.0f} records/s wall, "
        f"{records / timing['cpu_s']:,.0f} records per CPU-second; peak RSS {rss_mb():,.0f} MB"
    )
    return {"precision": p, "recall": r, "found": found / max(1, len(ts.planted))}


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    args = parser.parse_args(list(argv) if argv is not None else None)
    t0 = time.perf_counter()
    ts = generate(args.firms, args.seed)
    print(f"generated {len(ts.rows):,} records in {time.perf_counter() - t0:.1f} s "
          f"(seed {args.seed}, engine {args.engine})")  # fmt: skip
    run(ts, args.engine)


if __name__ == "__main__":
    main()
