"""REST API benchmark: what HTTP and JSON cost on top of the core, measured in one run.

    .venv/bin/python bench/api.py                    # 10,000-entry list, 3,000 queries
    .venv/bin/python bench/api.py --entries 100000

A seeded list of generated Chinese company names (both scripts, bench/matching.py's
generator) is imported into a fresh SQLite store; `flscreen serve` runs in a
subprocess on 127.0.0.1; an httpx client on the same machine sends the queries.

Baselines from the same run: the core called in process (``Matcher.match`` and
``locate`` on the same records), so the gap is the API's own cost (HTTP, JSON,
validation). Figures: records/s in batches of 1,000 and of 1, the first request
(which builds the matcher) against later ones, and the analyst page's latency.

Then a store of ``--shipments`` screened shipments (a synthetic cotton network):
the listing, trace and page latencies, beside loading the supply graph and reading
every latest verdict in process.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from flscreen.lists.service import import_list  # noqa: E402
from flscreen.lists.store import iter_entries  # noqa: E402
from flscreen.matching import Matcher, Query  # noqa: E402
from flscreen.model.supply import (  # noqa: E402
    Annotations,
    BomLine,
    Party,
    Shipment,
    SupplyPackage,
    Transaction,
)
from flscreen.policy import load_policy  # noqa: E402
from flscreen.policy.records import latest_screenings  # noqa: E402
from flscreen.policy.screening import screen_store  # noqa: E402
from flscreen.region import LocateQuery, locate  # noqa: E402
from flscreen.store import open_store  # noqa: E402
from flscreen.supply import store as supply_store  # noqa: E402
from flscreen.trace import load_graph  # noqa: E402
from matching import SEED, generated_entries, speed_queries  # noqa: E402

ADDRESSES = [
    "新疆阿克苏地区阿瓦提县乌鲁却勒镇",
    "No. 88 Urumqi Middle Road, Jing'an District, Shanghai",
    "上海市浦东新区张江路1号",
    "Kashgar Economic Development Zone, Xinjiang",
    "广东省东莞市虎门镇",
    "Lot B2, Tan Tao Industrial Park, Binh Tan, Ho Chi Minh City, Vietnam",
    "新疆石河子市北泉镇工业园区棉麻路 8 号",
    "Hetian Road, Jing'an, Shanghai",
]


def write_list(path: Path, n: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["id", "name", "aliases", "country", "schema"])
        for _both, e in generated_entries(n, SEED):
            out.writerow([e.entry_id, e.name, "|".join(e.aliases), "cn", "company"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


def post_batches(
    client: httpx.Client, path: str, records: list[dict[str, Any]], size: int
) -> float:
    start = time.perf_counter()
    for i in range(0, len(records), size):
        r = client.post(path, json={"records": records[i : i + size]})
        r.raise_for_status()
    return time.perf_counter() - start


def synthetic_package(shipments: int) -> SupplyPackage:
    """A plain cotton network: ginners -> spinners -> mills -> garment makers, one
    fabric purchase per shipment; enough records for listing and tracing costs."""
    pkg = SupplyPackage()
    tiers = [("GIN", 50, "ginner"), ("SPN", 100, "spinner"), ("MIL", 200, "mill")]
    tiers.append(("GAR", 500, "cut-and-sew"))
    for prefix, n, _kind in tiers:
        for i in range(n):
            pkg.parties.append(Party(f"{prefix}{i}", f"{prefix.title()} Company {i}", country="VN"))
    pkg.parties.append(Party("IMP", "Importer Inc.", country="US"))
    t = 0
    for i in range(200):  # each mill buys yarn, each spinner lint, early in the year
        t += 1
        pkg.transactions.append(
            Transaction(f"T{t}", f"SPN{i % 100}", f"MIL{i}", "cotton yarn", 50, "t", "2026-01-10")
        )
    for i in range(100):
        t += 1
        pkg.transactions.append(
            Transaction(f"T{t}", f"GIN{i % 50}", f"SPN{i}", "cotton lint", 80, "t", "2025-12-01")
        )
    for k in range(shipments):
        maker, mill = f"GAR{k % 500}", f"MIL{k % 200}"
        day = 1 + k % 28
        t += 1
        pkg.transactions.append(
            Transaction(f"T{t}", mill, maker, "cotton fabric", 2, "t", f"2026-03-{day:02d}")
        )
        pkg.shipments.append(
            Shipment(
                f"S{k}",
                "IMP",
                maker,
                maker,
                "cotton t-shirts",
                "6109.10",
                1000,
                "pcs",
                3000.0,
                "VN",
                f"2026-05-{day:02d}",
            )
        )
    pkg.bom.extend(
        [
            BomLine("cotton t-shirts", "cotton fabric"),
            BomLine("cotton fabric", "cotton yarn"),
            BomLine("cotton yarn", "cotton lint"),
        ]
    )
    return pkg


def bench_shipments(n: int) -> None:
    """Listing, tracing and page costs over a store of ``n`` screened shipments."""
    tmp = Path(tempfile.mkdtemp(prefix="flscreen-bench-ship-"))
    db = f"sqlite:///{tmp / 'ship.db'}"
    store = open_store(db)
    with store.begin() as conn:
        supply_store.save_package(conn, synthetic_package(n), "bench")
        supply_store.save_annotations(conn, Annotations())
    start = time.perf_counter()
    screen_store(store, load_policy("uflpa"), actor="bench")
    screen_s = time.perf_counter() - start
    start = time.perf_counter()
    with store.connect() as conn:
        load_graph(conn)
    graph_s = time.perf_counter() - start
    start = time.perf_counter()
    with store.connect() as conn:
        latest_screenings(conn)
    verdicts_s = time.perf_counter() - start
    store.dispose()
    with serve(db, tmp) as client:
        start = time.perf_counter()
        client.get("/shipments").raise_for_status()
        first_s = time.perf_counter() - start
        timings = {
            "GET /shipments (page of 100)": "/shipments",
            "GET /shipments?verdict=review": "/shipments?verdict=review",
            "GET /ui/shipments (page)": "/ui/shipments",
            "GET /shipments/{id}/trace": "/shipments/S7/trace",
            "GET /ui/shipments/{id} (page)": "/ui/shipments/S7",
        }
        figures = {}
        for label, url in timings.items():
            ms = []
            for _ in range(20):
                start = time.perf_counter()
                client.get(url).raise_for_status()
                ms.append((time.perf_counter() - start) * 1000)
            figures[label] = statistics.median(ms)
    print(f"store: {n:,} shipments screened under uflpa ({screen_s:.1f} s to screen)")
    print(
        f"core (baseline)  load_graph {graph_s * 1000:.0f} ms; all latest verdicts (JSON) "
        f"{verdicts_s * 1000:.0f} ms"
    )
    print(f"API  first GET /shipments (loads the graph): {first_s * 1000:.0f} ms")
    for label, value in figures.items():
        print(f"API  {label}: median {value:.1f} ms")


@contextmanager
def serve(db: str, home: Path) -> Iterator[httpx.Client]:
    """`flscreen serve` on a free port, and a client of it."""
    port = free_port()
    env = {**os.environ, "FLSCREEN_DB_URL": db, "FLSCREEN_HOME": str(home)}
    exe = Path(sys.executable).with_name("flscreen")
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=600) as client:
            for _ in range(300):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            yield client
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=3_000)
    parser.add_argument("--shipments", type=int, default=10_000)
    args = parser.parse_args()
    bench_shipments(args.shipments)
    tmp = Path(tempfile.mkdtemp(prefix="flscreen-bench-api-"))
    db = f"sqlite:///{tmp / 'bench.db'}"
    list_file = tmp / "generated.csv"
    write_list(list_file, args.entries)
    store = open_store(db)
    import_list(store, str(list_file), "generated", fmt="csv")
    names = [name for name, _ in speed_queries(args.entries, args.queries)]
    records = [{"id": str(i), "name": n} for i, n in enumerate(names)]
    places = [{"id": str(i), "address": ADDRESSES[i % len(ADDRESSES)]} for i in range(args.queries)]

    # Baseline: the core in this process.
    start = time.perf_counter()
    with store.connect() as conn:
        matcher = Matcher.build(iter_entries(conn))
    build_s = time.perf_counter() - start
    start = time.perf_counter()
    core_hits = sum(matcher.match(Query(id=r["id"], name=r["name"])).match for r in records)
    core_match_s = time.perf_counter() - start
    start = time.perf_counter()
    for p in places:
        locate(LocateQuery(id=p["id"], address=p["address"]))
    core_locate_s = time.perf_counter() - start
    store.dispose()

    with serve(db, tmp) as client:
        start = time.perf_counter()
        warm = client.post("/match", json={"records": records[:1]})
        assert warm.status_code == 200, warm.text
        first_s = time.perf_counter() - start
        api_batch_s = post_batches(client, "/match", records, 1000)
        got = client.post("/match", json={"records": records[:1000]}).json()
        one = records[: min(500, len(records))]
        api_single_s = post_batches(client, "/match", one, 1)
        loc_batch_s = post_batches(client, "/locate", places, 1000)
        # yente-compatible /match beside flscreen's own, both in batches of 100 (yente's
        # MAX_BATCH), and OpenRefine-shaped reconciliation batches of 100.
        own_100_s = post_batches(client, "/match", records, 100)
        start = time.perf_counter()
        compat_hits = 0
        for i in range(0, len(records), 100):
            queries = {
                r["id"]: {"schema": "Company", "properties": {"name": [r["name"]]}}
                for r in records[i : i + 100]
            }
            answer = client.post("/match/default", json={"queries": queries})
            answer.raise_for_status()
            compat_hits += sum(
                any(h["match"] for h in resp["results"])
                for resp in answer.json()["responses"].values()
            )
        compat_100_s = time.perf_counter() - start
        recon_ms = []
        for i in range(0, min(len(records), 2000), 100):
            batch = {
                f"q{j}": {"query": r["name"], "type": "Company"}
                for j, r in enumerate(records[i : i + 100])
            }
            start = time.perf_counter()
            client.post(
                "/reconcile/default", data={"queries": json.dumps(batch)}
            ).raise_for_status()
            recon_ms.append((time.perf_counter() - start) * 1000)
        page_ms = []
        for r in records[:200]:
            start = time.perf_counter()
            client.get("/ui/screen", params={"name": r["name"]}).raise_for_status()
            page_ms.append((time.perf_counter() - start) * 1000)

    api_hits = sum(r["match"] for r in got["results"])
    core_first = sum(matcher.match(Query(id=r["id"], name=r["name"])).match for r in records[:1000])
    assert api_hits == core_first, "the API must give the core's answers"
    print(f"list: {args.entries:,} generated entries; {len(records):,} queries ({core_hits} match)")
    print(f"core (baseline)  match {rate(len(records), core_match_s)}, build {build_s:.2f} s")
    print(f"core (baseline)  locate {rate(len(places), core_locate_s)}")
    print(f"API  POST /match first request (builds the matcher): {first_s:.2f} s")
    print(f"API  POST /match batches of 1,000: {rate(len(records), api_batch_s)} records")
    print(f"API  POST /match one record per request: {rate(len(one), api_single_s)} requests")
    print(f"API  POST /locate batches of 1,000: {rate(len(places), loc_batch_s)} records")
    print(
        f"API  POST /match batches of 100 (flscreen's own): {rate(len(records), own_100_s)} records"
    )
    print(
        f"API  POST /match/default batches of 100 (yente-compatible): "
        f"{rate(len(records), compat_100_s)} records ({compat_hits} match; own {core_hits})"
    )
    print(
        f"API  POST /reconcile/default, 100 queries per batch: "
        f"median {statistics.median(recon_ms):.0f} ms, "
        f"max {max(recon_ms):.0f} ms (target < 1,000 ms)"
    )
    print(
        f"page GET /ui/screen: median {statistics.median(page_ms):.1f} ms, "
        f"p95 {sorted(page_ms)[int(len(page_ms) * 0.95)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
