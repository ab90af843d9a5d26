"""Benchmark: import a large FollowTheMoney file into SQLite, streaming.

Generates a seeded FtM JSON-lines file (companies, people, addresses,
ownerships, sanctions; like an OpenSanctions export), imports it with
``flscreen.lists.service.import_list`` in a child process and prints
entities/s and that process's peak RSS, next to two baselines from the same
run on the same file:

- ``json.loads only``: the stdlib parsing every line and doing nothing else
  (an upper bound for any Python reader of this file);
- ``naive per-row insert``: one INSERT and commit per entity on the first
  5,000 entities (what a straightforward importer does; each commit syncs).

Wall-clock rates depend on what else runs on the machine; the CPU-second rates
(user + system time of the child process) measure the work itself.

Usage: ``nice -n 10 .venv/bin/python bench/lists.py [--entities 1000000]``
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SURNAMES = ["CHEN", "WANG", "ZHU", "LI", "ZHANG", "LIU", "YANG", "HUANG", "ZHAO", "WU"]
GIVEN = ["Mingguo", "Hailun", "Quanguo", "Jiarui", "Jinlong", "Junzheng", "Wei", "Fang", "Lei"]
PLACES = ["Urumqi", "Kashgar", "Hotan", "Aksu", "Korla", "Shihezi", "Shanghai", "Shenzhen", "Hefei"]
WORDS = [
    "Silicon",
    "Cotton",
    "Textile",
    "Tomato",
    "Aluminium",
    "Chemical",
    "Energy",
    "Hair",
    "Mining",
]
FORMS = ["Co., Ltd.", "Group Co., Ltd.", "Industrial Co., Ltd.", "Trading Co.", "Corporation"]


def generate(path: Path, entities: int, seed: int = 20261127) -> dict[str, int]:
    """Write ``entities`` FtM lines: 70% companies, 10% persons, 8% addresses,
    8% ownerships, 4% sanctions. Returns the count per schema."""
    rng = random.Random(seed)
    counts: dict[str, int] = {}
    parties: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(entities):
            roll = rng.random()
            entity: dict[str, object]
            if roll < 0.70 or len(parties) < 10:
                place, word = rng.choice(PLACES), rng.choice(WORDS)
                entity = {
                    "id": f"co-{i}",
                    "schema": "Company",
                    "properties": {
                        "name": [f"{place} {word} {rng.choice(FORMS)} {i}"],
                        "alias": [f"{place} {word} {i}"],
                        "country": ["cn"],
                        "address": [f"{rng.randint(1, 999)} {word} Road, {place}, China"],
                        "registrationNumber": [f"9165{rng.randint(10**13, 10**14 - 1)}"],
                        "topics": ["sanction"],
                    },
                    "first_seen": "2024-05-17T00:00:00",
                }
                parties.append(str(entity["id"]))
            elif roll < 0.80:
                entity = {
                    "id": f"p-{i}",
                    "schema": "Person",
                    "properties": {
                        "name": [f"{rng.choice(SURNAMES)}, {rng.choice(GIVEN)}"],
                        "nationality": ["cn"],
                        "birthDate": [f"19{rng.randint(40, 99)}"],
                    },
                }
                parties.append(str(entity["id"]))
            elif roll < 0.88:
                entity = {
                    "id": f"addr-{i}",
                    "schema": "Address",
                    "properties": {
                        "full": [f"{rng.randint(1, 99)} Xinhua Road, {rng.choice(PLACES)}"]
                    },
                }
            elif roll < 0.96:
                entity = {
                    "id": f"own-{i}",
                    "schema": "Ownership",
                    "properties": {
                        "owner": [rng.choice(parties)],
                        "asset": [rng.choice(parties)],
                        "percentage": [str(rng.choice([51, 60, 100]))],
                    },
                }
            else:
                entity = {
                    "id": f"san-{i}",
                    "schema": "Sanction",
                    "properties": {
                        "entity": [rng.choice(parties)],
                        "program": ["UFLPA Entity List"],
                        "startDate": ["2023-06-12"],
                    },
                }
            counts[str(entity["schema"])] = counts.get(str(entity["schema"]), 0) + 1
            out.write(json.dumps(entity, ensure_ascii=False) + "\n")
    return counts


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    """CPU time of this process: on a shared, loaded machine it measures the work,
    where wall-clock time also measures the neighbours."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def child_import(path: Path, db_url: str) -> dict[str, float]:
    from flscreen.lists.service import import_list
    from flscreen.store import open_store

    store = open_store(db_url)
    start, cpu = time.perf_counter(), _cpu_seconds()
    outcome = import_list(store, path, "bench", fmt="ftm")
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu_seconds() - cpu,
        "entries": outcome.entry_count,
        "rss_mb": _peak_rss_mb(),
    }


def child_json_only(path: Path) -> dict[str, float]:
    start, cpu = time.perf_counter(), _cpu_seconds()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            json.loads(line)
            count += 1
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu_seconds() - cpu,
        "entries": count,
        "rss_mb": _peak_rss_mb(),
    }


def child_naive(path: Path, db: Path, limit: int) -> dict[str, float]:
    import sqlalchemy as sa

    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE naive (id TEXT PRIMARY KEY, body TEXT)"))
    start, cpu = time.perf_counter(), _cpu_seconds()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            entity = json.loads(line)
            with engine.begin() as conn:
                conn.execute(
                    sa.text("INSERT INTO naive VALUES (:id, :body)"),
                    {"id": entity["id"], "body": json.dumps(entity)},
                )
            count += 1
            if count >= limit:
                break
    return {
        "seconds": time.perf_counter() - start,
        "cpu": _cpu_seconds() - cpu,
        "entries": count,
        "rss_mb": _peak_rss_mb(),
    }


def _run_child(*args: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args], check=True, capture_output=True, text=True
    )
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=1_000_000)
    parser.add_argument("--naive-limit", type=int, default=5_000)
    parser.add_argument(
        "--db-url",
        help="import into this (empty) database instead of a fresh SQLite file, "
        "e.g. postgresql://user@host/db",
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        if kind == "import":
            result = child_import(Path(rest[0]), rest[1])
        elif kind == "json":
            result = child_json_only(Path(rest[0]))
        else:
            result = child_naive(Path(rest[0]), Path(rest[1]), int(rest[2]))
        print(json.dumps(result))
        return
    with tempfile.TemporaryDirectory(prefix="flscreen-bench-") as tmp:
        folder = Path(tmp)
        data = folder / "entities.ftm.jsonl"
        start = time.perf_counter()
        counts = generate(data, args.entities)
        size_mb = data.stat().st_size / 1e6
        print(
            f"generated {args.entities:,} FtM entities ({size_mb:,.0f} MB) in "
            f"{time.perf_counter() - start:.1f}s: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))
        )
        db_url = args.db_url or f"sqlite:///{folder / 'flscreen.db'}"
        flscreen = _run_child("import", str(data), db_url)
        json_only = _run_child("json", str(data))
        naive = _run_child("naive", str(data), str(folder / "naive.db"), str(args.naive_limit))
        db_file = folder / "flscreen.db"
        db_mb = db_file.stat().st_size / 1e6 if db_file.exists() else 0.0
    rows = [
        (
            f"flscreen import_list ({'SQLite' if not args.db_url else 'db-url'})",
            args.entities,
            flscreen,
        ),
        ("baseline: json.loads only", args.entities, json_only),
        ("baseline: naive per-row insert", naive["entries"], naive),
    ]
    print(
        f"{'run':34} {'entities':>10} {'wall s':>7} {'entities/s':>11} {'CPU s':>7} "
        f"{'per CPU s':>10} {'peak RSS MB':>12}"
    )
    for label, n, r in rows:
        rate = n / r["seconds"] if r["seconds"] else float("inf")
        cpu_rate = n / r["cpu"] if r["cpu"] else float("inf")
        print(
            f"{label:34} {n:>10,} {r['seconds']:>7.1f} {rate:>11,.0f} {r['cpu']:>7.1f} "
            f"{cpu_rate:>10,.0f} {r['rss_mb']:>12,.0f}"
        )
    size = f"; SQLite file {db_mb:,.0f} MB" if db_mb else ""
    print(f"entries stored: {flscreen['entries']:,.0f}{size}")


if __name__ == "__main__":
    main()
