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
"""

from __future__ import annotations

import argparse
import csv
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from flscreen.lists.service import import_list  # noqa: E402
from flscreen.lists.store import iter_entries  # noqa: E402
from flscreen.matching import Matcher, Query  # noqa: E402
from flscreen.region import LocateQuery, locate  # noqa: E402
from flscreen.store import open_store  # noqa: E402
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=3_000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="flscreen-bench-api-"))
    db = f"sqlite:///{tmp / 'bench.db'}"
    list_file = tmp / "generated.csv"
    write_list(list_file, args.entries)
    store = open_store(db)
    import_list(store, str(list_file), "generated", fmt="csv")
    names = speed_queries(args.entries, args.queries)
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

    port = free_port()
    env = {**os.environ, "FLSCREEN_DB_URL": db, "FLSCREEN_HOME": str(tmp)}
    exe = Path(sys.executable).with_name("flscreen")
    server = subprocess.Popen(
        [str(exe), "serve", "--port", str(port), "--log-level", "warning"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base, timeout=600) as client:
            for _ in range(300):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            start = time.perf_counter()
            client.post("/match", json={"records": records[:1]}).raise_for_status()
            first_s = time.perf_counter() - start
            api_batch_s = post_batches(client, "/match", records, 1000)
            got = client.post("/match", json={"records": records[:1000]}).json()
            one = records[: min(500, len(records))]
            api_single_s = post_batches(client, "/match", one, 1)
            loc_batch_s = post_batches(client, "/locate", places, 1000)
            page_ms = []
            for r in records[:200]:
                start = time.perf_counter()
                client.get("/ui/screen", params={"name": r["name"]}).raise_for_status()
                page_ms.append((time.perf_counter() - start) * 1000)
    finally:
        server.terminate()
        server.wait(timeout=30)

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
        f"page GET /ui/screen: median {statistics.median(page_ms):.1f} ms, "
        f"p95 {sorted(page_ms)[int(len(page_ms) * 0.95)]:.1f} ms"
    )


if __name__ == "__main__":
    main()
