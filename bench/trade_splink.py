"""Splink (Fellegi-Sunter on DuckDB) on the trade generator's spellings, beside trade-firms-v2.

The question docs/trade.md answers with these figures: does Splink's model resolve
bill-of-lading firms better than flscreen's own rules? Both get the same inputs:
the distinct (name, address, country) spellings of the generated records, read by
flscreen's name key and address key (so the comparison is of the linkage model,
not of the normaliser). Splink is trained without labels, as it would be on real
records: lambda from deterministic rules, u by random sampling, m by expectation
maximisation on two blocking rules; its clusters are connected components of the
pairs over a match probability (Splink's own clustering).

Splink is not a dependency of flscreen (it brings pyarrow); install it to run this:

    pip install splink
    flock /tmp/flscreen-heavy.lock python bench/trade_splink.py --firms 2000
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flscreen.batch.engines import DuckDBEngine
from flscreen.trade import sql
from flscreen.trade.engine import load_rows
from flscreen.trade.infer import resolve_firms
from flscreen.trade.resolve import address_parts, variant_key
from gen_trade import TradeSet, generate
from trade import pairwise


def spellings(ts: TradeSet) -> tuple[DuckDBEngine, list[tuple[Any, ...]]]:
    """The distinct spellings (``tr_var``) with flscreen's keys, on a DuckDB engine."""
    engine = DuckDBEngine()
    load_rows(engine, "tr_rec", sql.RECORD_COLUMNS, ts.rows)
    engine.create(sql.variants(engine.dialect))
    rows = []
    for vid, name, address, country in engine.fetch(
        "SELECT vid, name, address, country FROM tr_var"
    ):
        k = variant_key(int(vid), name, address, country)
        numbers, rest = address_parts(k.akey)
        tokens = [t for t in k.tokens if len(t) > 1]
        rows.append(
            (
                int(vid),
                name,
                address,
                country,
                k.country or None,
                k.nkey or None,
                tokens[0] if tokens else None,
                tokens[-1] if tokens else None,
                numbers or None,
                rest or None,
            )
        )
    return engine, rows


def run_splink(
    rows: list[tuple[Any, ...]], thresholds: list[float]
) -> tuple[dict[float, dict[int, str]], float]:
    """Train, predict, and cluster at each threshold: {threshold: {vid: cluster}}, seconds."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    con = duckdb.connect()
    con.execute(
        "CREATE TABLE sp (unique_id BIGINT, name VARCHAR, address VARCHAR, written VARCHAR, "
        "country VARCHAR, nkey VARCHAR, first_tok VARCHAR, last_tok VARCHAR, anum VARCHAR, "
        "arest VARCHAR)"
    )
    con.executemany("INSERT INTO sp VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    t0 = time.perf_counter()
    db_api = DuckDBAPI(con)
    df = db_api.register("sp")
    settings = SettingsCreator(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("nkey", [0.95, 0.88, 0.8]).configure(
                term_frequency_adjustments=True
            ),
            cl.ExactMatch("anum"),
            cl.LevenshteinAtThresholds("arest", [2, 6]),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("country", "first_tok"),
            block_on("country", "last_tok"),
            block_on("country", "anum"),
        ],
        retain_intermediate_calculation_columns=False,
    )
    linker = Linker(df, settings, log_level=logging.WARNING)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("country", "nkey", "anum")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("country", "anum"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("country", "nkey"))
    pred = linker.inference.predict(threshold_match_probability=min(thresholds))
    took = time.perf_counter() - t0
    out: dict[float, dict[int, str]] = {}
    for threshold in thresholds:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            pred, threshold_match_probability=threshold
        )
        out[threshold] = {
            int(uid): str(cid)
            for uid, cid in con.execute(
                f"SELECT unique_id, cluster_id FROM {clusters.physical_name}"
            ).fetchall()
        }
    return out, took


def main(argv: Iterable[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--firms", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--thresholds", default="0.5,0.9,0.99", help="match probabilities to cluster at"
    )
    args = parser.parse_args(list(argv) if argv is not None else None)
    try:
        import splink  # noqa: F401
    except ImportError:
        sys.exit("bench/trade_splink.py needs Splink: pip install splink")
    ts = generate(args.firms, args.seed)
    engine, rows = spellings(ts)
    key_of = {r[0]: (r[1], r[2], r[3]) for r in rows}
    truth = {vid: ts.truth[k] for vid, k in key_of.items() if k in ts.truth}
    print(f"records {len(ts.rows):,}  true firms {len(ts.firms):,}  spellings {len(truth):,}")
    print("firm resolution (pairwise over spellings)        precision  recall  time s")
    for algorithm in ("trade-firms-v2", "trade-firms-v1"):
        t0 = time.perf_counter()
        firms = resolve_firms(engine, sql.Params(algorithm=algorithm))
        took = time.perf_counter() - t0
        pred = {v.vid: c.firm_id for c in firms for v in c.variants if v.vid in truth}
        p, r = pairwise(pred, truth)
        print(f"  flscreen {algorithm:<38} {p:9.4f}  {r:6.4f}  {took:6.1f}")
    engine.close()
    thresholds = [float(t) for t in args.thresholds.split(",")]
    by_threshold, took = run_splink(rows, thresholds)
    for threshold, clusters in by_threshold.items():
        pred_s = {vid: clusters[vid] for vid in truth}
        p, r = pairwise(pred_s, truth)
        label = f"Splink {splink_version()} p>={threshold:g} (train+predict)"
        print(f"  {label:<47} {p:9.4f}  {r:6.4f}  {took:6.1f}")


def splink_version() -> str:
    import splink

    return str(splink.__version__)


if __name__ == "__main__":
    main()
