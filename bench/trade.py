"""Trade records benchmark: firm resolution, transshipment flags and scale, on the generator.

Prints, in one run on the same generated records (bench/gen_trade.py):
- firm resolution pairwise precision / recall over distinct spellings, flscreen's
  (trade-firms-v3) beside a previous algorithm (trade-firms-v2, or --previous), a plain grouping
  by exact normalised name (flscreen's name key, same country) and one by
  case-and-punctuation-folded name;
- planted transshipment chains found (trader and buyer both right) and false flags
  per 1,000 firms;
- wall time and CPU time of each step, records per second and peak RSS.

    flock /tmp/flscreen-heavy.lock python bench/trade.py --firms 2000
    python bench/gen_trade.py --firms 700000 --out /tmp/trade10m   # ~10M records
    flock /tmp/flscreen-heavy.lock python bench/trade.py --records /tmp/trade10m --no-previous
"""

from __future__ import annotations

import argparse
import csv
import os
import resource
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flscreen.batch.engines import DuckDBEngine, Engine, SparkEngine
from flscreen.trade import sql
from flscreen.trade.engine import load_rows
from flscreen.trade.infer import region_locator, resolve_and_infer, resolve_firms
from flscreen.trade.materials import fold
from flscreen.trade.resolve import ALGORITHM, ALGORITHMS, variant_key
from gen_trade import generate


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


Loader = Callable[[Engine], int]


def rows_loader(rows: list[tuple[object, ...]]) -> Loader:
    def load(engine: Engine) -> int:
        load_rows(engine, "tr_rec", sql.RECORD_COLUMNS, rows)
        return len(rows)

    return load


def csv_loader(path: Path) -> Loader:
    """``tr_rec`` straight from a headerless CSV file (bench/gen_trade.py --out), on DuckDB."""

    def load(engine: Engine) -> int:
        if not isinstance(engine, DuckDBEngine):
            raise SystemExit("--records loads on DuckDB only")
        cols = ", ".join(f"'{c}': '{t}'" for c, t in sql.RECORD_COLUMNS)
        engine.con.execute(
            f"CREATE OR REPLACE TABLE tr_rec AS SELECT * FROM read_csv('{path}', header=false, "
            f"nullstr='\\N', columns={{{cols}}}, quote='\"', escape='\"')"
        )
        return int(next(engine.fetch("SELECT count(*) FROM tr_rec"))[0])

    return load


Truth = Mapping[tuple[str, str, str], str]


def run(
    load: Loader,
    ground: Callable[[], tuple[Truth, int]],
    planted: set[tuple[str, str]],
    engine_name: str,
    previous_algorithm: str | None = "trade-firms-v2",
    memory_limit: str | None = None,
) -> dict[str, float]:
    engine: Engine = (
        DuckDBEngine(memory_limit=memory_limit, temp_directory=tempfile.gettempdir())
        if engine_name == "duckdb"
        else SparkEngine()
    )
    timing: dict[str, float] = {}
    previous: dict[int, str] = {}
    try:
        t0, c0 = time.perf_counter(), time.process_time()
        records = load(engine)
        timing["load_s"] = time.perf_counter() - t0
        inf = resolve_and_infer(
            engine, region_locator(), with_bills=False, fetch=False, workers=os.cpu_count() or 1
        )
        timing.update(inf.timings)
        timing["total_s"] = time.perf_counter() - t0
        timing["cpu_s"] = time.process_time() - c0
        peak = rss_mb()
        if previous_algorithm:
            # a previous algorithm on the same spellings, for firm resolution only
            t1 = time.perf_counter()
            previous = {
                v.vid: c.firm_id
                for c in resolve_firms(engine, sql.Params(algorithm=previous_algorithm))
                for v in c.variants
            }
            timing["previous_resolve_s"] = time.perf_counter() - t1
    finally:
        engine.close()

    # the ground truth is read only now, so the peak RSS above is the inference's own
    truth_of, n = ground()
    # firm resolution over the distinct spellings the records hold
    truth: dict[object, str] = {}
    pred: dict[object, str] = {}
    exact: dict[object, str] = {}
    folded: dict[object, str] = {}
    before: dict[object, str] = {}
    for c in inf.firms:
        for v in c.variants:
            key = (v.name, v.address, v.country)
            if key not in truth_of:
                continue
            truth[key] = truth_of[key]
            pred[key] = c.firm_id
            before[key] = previous.get(v.vid, c.firm_id)
            k = variant_key(v.vid, v.name, v.address, v.country)
            exact[key] = f"{k.country}|{k.nkey}"
            folded[key] = f"{k.country}|{fold(v.name)}"
    p, r = pairwise(pred, truth)
    ep, er = pairwise(exact, truth)
    fp_, fr = pairwise(folded, truth)
    p1, r1 = pairwise(before, truth)
    # transshipment: firm ids -> true firm by the majority of their spellings
    owner: dict[str, str] = {}
    for c in inf.firms:
        votes = Counter(truth_of.get((v.name, v.address, v.country)) for v in c.variants)
        owner[c.firm_id] = votes.most_common(1)[0][0] or "?"
    flagged = {(owner[f.firm], owner[f.buyer]) for f in inf.transshipment}
    found = len(planted & flagged)
    planted_traders = {t for t, _ in planted}
    false_firms = {t for t, _ in flagged if t not in planted_traders}
    print(f"records {records:,}  true firms {n:,}  spellings {len(truth):,}  "
          f"firms found {len(inf.firms):,}  edges {inf.counts['edges']:,}")  # fmt: skip
    print("firm resolution (pairwise over spellings)     precision  recall")
    print(f"  flscreen {ALGORITHM}                       {p:9.4f}  {r:6.4f}")
    if previous_algorithm:
        print(f"  previous: flscreen {previous_algorithm}             {p1:9.4f}  {r1:6.4f}"
              f"  ({timing['previous_resolve_s']:.1f} s to resolve)")  # fmt: skip
    print(f"  baseline: exact normalised name (name key)    {ep:9.4f}  {er:6.4f}")
    print(f"  baseline: case/punctuation-folded name        {fp_:9.4f}  {fr:6.4f}")
    print(f"transshipment: planted chains {len(planted)}, found {found} "
          f"({found / max(1, len(planted)):.3f}); false flags {len(false_firms)} "
          f"({1000 * len(false_firms) / n:.2f} per 1,000 firms)")  # fmt: skip
    print(
        "time: "
        + ", ".join(f"{k} {v:.1f}" for k, v in timing.items())
        + f"; {records / timing['total_s']:,.0f} records/s wall, "
        f"{records / timing['cpu_s']:,.0f} records per CPU-second; "
        f"peak RSS {peak:,.0f} MB (process, to the end of inference)"
    )
    return {"precision": p, "recall": r, "found": found / max(1, len(planted))}


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    parser.add_argument(
        "--records",
        type=Path,
        help="a folder written by 'python bench/gen_trade.py --firms N --out DIR' (large runs)",
    )
    parser.add_argument(
        "--no-previous", action="store_true", help="skip the previous algorithm (large runs)"
    )
    parser.add_argument("--previous", default="trade-firms-v2", choices=ALGORITHMS[:-1])
    parser.add_argument("--memory-limit", help="DuckDB memory_limit, e.g. 5GB (spills beyond)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    if args.records is not None:
        folder: Path = args.records

        def ground() -> tuple[Truth, int]:
            truth = {(a, b, c): f for a, b, c, f in _read_csv(folder / "truth.csv")}
            return truth, len(set(truth.values()))

        planted = {(t, b) for t, b in _read_csv(folder / "planted.csv")}
        print(f"records from {folder}")
        load = csv_loader(folder / "records.csv")
    else:
        t0 = time.perf_counter()
        ts = generate(args.firms, args.seed)
        print(f"generated {len(ts.rows):,} records in {time.perf_counter() - t0:.1f} s "
              f"(seed {args.seed}, engine {args.engine})")  # fmt: skip
        planted, load = ts.planted, rows_loader(ts.rows)

        def ground() -> tuple[Truth, int]:
            return ts.truth, len(ts.firms)

    previous = None if args.no_previous else args.previous
    run(load, ground, planted, args.engine, previous, args.memory_limit)


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


if __name__ == "__main__":
    main()
