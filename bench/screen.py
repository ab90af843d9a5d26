"""End-to-end screening benchmark: trace plus verdict for every shipment of the
generated network, beside the tracing-only figure from the same run.

The network comes from the supply benchmark's seeded generator
(``bench/gen_network.py``), written straight into DuckDB; tracing runs as SQL on
DuckDB (the batch engine); each TraceResult is then decided under the ``uflpa``
policy. Phases in one process, one after another on the same tables:

1. tracing only: every shipment traced, results consumed and dropped (baseline);
2. trace + verdict: the same, each result decided (``flscreen.policy.decide``);
3. trace + verdict + record: a sample of verdicts stored with their traces,
   audit records and cases in a SQLite store (what ``flscreen screen`` writes).

Peak RSS is per phase: the kernel's high-water mark is reset between phases
(/proc/self/clear_refs), so each figure is that phase's own peak.

    nice -n 10 .venv/bin/python bench/screen.py --transactions 1000000 --shipments 100000
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from flscreen.batch import DuckDBEngine, run_batch
from flscreen.model.supply import Shipment
from flscreen.policy import decide, load_policy
from flscreen.policy.cases import open_cases_by_shipment
from flscreen.policy.records import record_screening
from flscreen.store import open_store
from flscreen.trace import load_config
from gen_network import generate  # the supply benchmark's generator


def reset_peak() -> None:
    # Not Linux, or not allowed: the figures become process-wide peaks.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_mib() -> float:
    status = Path("/proc/self/status").read_text()
    found = re.search(r"VmHWM:\s+(\d+)\s+kB", status)
    return int(found.group(1)) / 1024 if found else float("nan")


def timed(label: str, work: Callable[[], Any]) -> tuple[Any, float, float]:
    reset_peak()
    began = time.perf_counter()
    result = work()
    seconds = time.perf_counter() - began
    peak = peak_mib()
    print(f"  {label}: {seconds:,.1f} s, peak RSS {peak:,.0f} MiB", flush=True)
    return result, seconds, peak


def shipments_of(engine: DuckDBEngine) -> dict[str, Shipment]:
    rows = engine.fetch(
        "SELECT d.id, d.manufacturer_id, d.exporter_id, d.product, s.day "
        "FROM fl_ship_detail d JOIN fl_ship s ON s.s = d.s"
    )
    out = {}
    for sid, manufacturer, exporter, product, day in rows:
        out[sid] = Shipment(
            sid,
            "IMP-1",
            exporter,
            manufacturer,
            product,
            "6109.10",
            1000.0,
            "pcs",
            None,
            "VN",
            dt.date.fromordinal(int(day)).isoformat(),
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument(
        "--record", type=int, default=5_000, help="verdicts to store in phase 3 (0: skip)"
    )
    parser.add_argument(
        "--max-paths",
        type=int,
        default=10,
        help="routes listed per shipment (as bench/trace.py; the generated network has "
        "thousands per tainted shipment)",
    )
    args = parser.parse_args()

    config = load_config(max_paths=args.max_paths)
    policy = load_policy("uflpa")
    with tempfile.TemporaryDirectory(prefix="flscreen-bench-") as tmp:
        engine = DuckDBEngine(threads=args.threads, temp_directory=tmp)
        print(
            f"network: {args.transactions:,} transactions, {args.shipments:,} shipments "
            f"(seed {args.seed}, DuckDB threads {args.threads})",
            flush=True,
        )
        net, _, _ = timed(
            "generate", lambda: generate(engine.con, args.transactions, args.shipments, args.seed)
        )
        ships = shipments_of(engine)
        print(f"  {net.transactions:,} transactions generated, {len(ships):,} shipments")

        def trace_only() -> int:
            return sum(1 for _ in run_batch(engine, net.inputs, config))

        def trace_and_decide() -> Counter[str]:
            tally: Counter[str] = Counter()
            for t in run_batch(engine, net.inputs, config):
                tally[decide(t, ships[t.shipment], policy).outcome] += 1
            return tally

        print("phases:")
        traced, t_trace, m_trace = timed("1 tracing only (baseline)", trace_only)
        tally, t_full, m_full = timed("2 trace + verdict", trace_and_decide)
        print(
            f"\ntracing only    : {traced / t_trace:>9,.0f} shipments/s, "
            f"peak RSS {m_trace:,.0f} MiB"
        )
        print(
            f"trace + verdict : {sum(tally.values()) / t_full:>9,.0f} shipments/s, "
            f"peak RSS {m_full:,.0f} MiB  (verdicts: "
            + ", ".join(f"{n:,} {o}" for o, n in sorted(tally.items()))
            + ")"
        )
        print(
            f"verdict overhead: {100 * (t_full - t_trace) / t_trace:+.1f}% time over tracing only"
        )

        if args.record:
            store = open_store(f"sqlite:///{tmp}/bench.db")

            def trace_decide_record() -> int:
                stored = 0
                with store.begin() as conn:
                    # as flscreen screen does: open cases read once per run
                    open_cases = open_cases_by_shipment(conn)
                    for t in run_batch(engine, net.inputs, config):
                        if stored >= args.record:
                            continue  # drain the batch: the tracing cost stays comparable
                        v = decide(t, ships[t.shipment], policy)
                        _, case = record_screening(
                            conn, v, t, policy, actor="bench", run_id="bench", open_cases=open_cases
                        )
                        if case is not None:
                            open_cases[t.shipment] = case
                        stored += 1
                return stored

            stored, t_rec, m_rec = timed(
                f"3 trace + verdict + record {args.record:,} in SQLite", trace_decide_record
            )
            extra = t_rec - t_trace
            print(
                f"recording       : {stored / extra if extra > 0 else float('nan'):>9,.0f} "
                f"verdicts/s stored (screening, audit record, case), peak RSS {m_rec:,.0f} MiB"
            )
            store.dispose()
        engine.con.close()


if __name__ == "__main__":
    main()
