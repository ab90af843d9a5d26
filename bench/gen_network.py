"""Seeded generator of tiered cotton supply networks, written straight into DuckDB.

Tiers: farms -> ginners -> spinners (-> traders) -> weaving mills -> garment
makers, who ship to importers. Each buyer keeps a handful of regular suppliers
(as real buyers do), quantities are drawn so that documented inputs cover
outputs on average (some parties fall short: mass-balance findings), a few
percent of farms and ginners sit in Xinjiang, a few spinners are listed, some
sellers are unknown. Randomness is a hash of (row, salt, seed): the same seed
gives the same network on any number of threads.

    python bench/gen_network.py --transactions 1000000 --shipments 100000 --out net.duckdb
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb

from flscreen.batch.inputs import BatchInputs
from flscreen.model.trace import TaintSource

MATERIALS = ["seed cotton", "cotton lint", "cotton yarn", "cotton fabric", "cotton t-shirts"]
SECTOR = "cotton"
# (supplier tier, buyer tier, material, share of transactions)
LINKS = [
    ("farm", "ginner", 0, 0.25),
    ("ginner", "spinner", 1, 0.20),
    ("spinner", "mill", 2, 0.20),
    ("spinner", "trader", 2, 0.05),
    ("trader", "mill", 2, 0.05),
    ("mill", "garment", 3, 0.25),
]
# kg of output per kg of input by the selling tier (traders resell)
YIELD = {"ginner": 0.35, "spinner": 0.85, "trader": 1.0, "mill": 0.92}
SOLD_SHARE = 0.75  # parties sell about 75% of what their documented inputs allow...
SHORT_PARTIES = 0.01  # ...except 1% who sell 60% more than they could
# parties per million transactions
PARTIES = {
    "farm": 40_000,
    "ginner": 4_000,
    "spinner": 4_000,
    "trader": 600,
    "mill": 4_000,
    "garment": 20_000,
}
SUPPLIERS_PER_BUYER = 4
DAYS = 730  # two years of trade
START = "2024-01-01"
EPOCH_DAY = 738886  # date(2024, 1, 1).toordinal()


@dataclass
class Network:
    con: duckdb.DuckDBPyConnection
    inputs: BatchInputs
    transactions: int
    shipments: int
    seconds: float


def _tiers(scale: float) -> dict[str, tuple[int, int]]:
    """Tier name -> (first party id, count)."""
    out: dict[str, tuple[int, int]] = {}
    start = 0
    for name, per_million in PARTIES.items():
        count = max(5, int(per_million * scale))
        out[name] = (start, count)
        start += count
    return out


def generate(
    con: duckdb.DuckDBPyConnection, transactions: int, shipments: int, seed: int = 42
) -> Network:
    """Create the batch input tables (fl_*) for a network of about ``transactions``."""
    began = time.perf_counter()
    scale = transactions / 1_000_000
    tiers = _tiers(scale)
    con.execute(
        f"CREATE OR REPLACE MACRO rnd(i, salt) AS (hash(i, salt, {seed}) % 1000003) / 1000003.0"
    )
    con.execute(
        f"CREATE OR REPLACE MACRO pick(i, salt, n) AS CAST(hash(i, salt, {seed}) % n AS INTEGER)"
    )
    parts = []
    offset = 0
    for k, (src, dst, material, share) in enumerate(LINKS):
        n = int(transactions * share)
        s0, sn = tiers[src]
        b0, bn = tiers[dst]
        lo = 30 * material
        parts.append(
            f"""
            SELECT i + {offset} AS t,
                   {s0} + (pick(b, 10 + {k}, {sn})
                           + pick(i, 20 + {k}, {SUPPLIERS_PER_BUYER}) * 7919) % {sn}
                       AS supplier,
                   b AS buyer, {material} AS material, {k} AS link,
                   {EPOCH_DAY} + {lo} + pick(i, 40 + {k}, {DAYS - lo}) AS day
            FROM (SELECT range AS i, {b0} + pick(range, 50 + {k}, {bn}) AS b FROM range({n}))
            """
        )
        offset += n
    con.execute(
        "CREATE OR REPLACE TABLE fl_txn AS SELECT t, CAST(supplier AS INTEGER) AS supplier, "
        "CAST(buyer AS INTEGER) AS buyer, CAST(material AS INTEGER) AS material, "
        "CAST(NULL AS DOUBLE) AS qty, CAST(day AS INTEGER) AS day, "
        "CAST(NULL AS INTEGER) AS facility, "
        "CAST(year(DATE '0001-01-01' + INTERVAL (day - 1) DAY) AS INTEGER) AS period, "
        "0 AS dim, CAST(NULL AS INTEGER) AS mfac, CAST(NULL AS INTEGER) AS bfac, "
        "CAST(link AS TINYINT) AS link FROM (" + " UNION ALL ".join(parts) + ")"
    )
    _quantities(con)
    g0, gn = tiers["garment"]
    con.execute(
        f"""CREATE OR REPLACE TABLE fl_ship AS
        SELECT CAST(range AS INTEGER) AS s,
               CAST({g0} + pick(range, 60, {gn}) AS INTEGER) AS manufacturer,
               4 AS product,
               CAST({EPOCH_DAY} + 300 + pick(range, 61, {DAYS - 300}) AS INTEGER) AS day,
               CAST(NULL AS DOUBLE) AS qty, 1 AS dim, 0 AS period, CAST(NULL AS INTEGER) AS mfac
        FROM range({shipments})"""
    )
    con.execute(
        "UPDATE fl_ship SET period = "
        "CAST(year(DATE '0001-01-01' + INTERVAL (day - 1) DAY) AS INTEGER)"
    )
    # the BOM states no quantities: every material counts 1:1 by mass (factor 1)
    con.execute(
        "CREATE OR REPLACE TABLE fl_um AS SELECT material, input, 1.0 AS factor, "
        "CAST(NULL AS INTEGER) AS idim, CAST(NULL AS INTEGER) AS odim FROM (VALUES "
        + ", ".join(f"({m}, {i})" for m in range(5) for i in range(m + 1))
        + ") v(material, input)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE fl_mat AS SELECT * FROM (VALUES "
        "(0, true, true), (1, true, false), (2, true, false), (3, true, false), (4, true, false)"
        ") v(material, priority, raw)"
    )
    con.execute(
        "CREATE OR REPLACE TABLE fl_mat_name AS SELECT * FROM (VALUES "
        + ", ".join(f"({i}, '{m}', '{SECTOR}', 'kg')" for i, m in enumerate(MATERIALS))
        + ") v(material, name, sector, base_unit)"
    )
    con.execute("CREATE OR REPLACE TABLE fl_fac (f INTEGER, id VARCHAR)")
    f0, fn = tiers["farm"]
    i0, i_n = tiers["ginner"]
    p0, pn = tiers["spinner"]
    m0, mn = tiers["mill"]
    con.execute(
        "CREATE OR REPLACE TABLE fl_raw_party AS SELECT CAST(range AS INTEGER) AS party "
        f"FROM range({f0}, {f0 + fn})"
    )
    con.execute("CREATE OR REPLACE TABLE fl_raw_facility (facility INTEGER)")
    con.execute(
        f"CREATE OR REPLACE TABLE fl_unknown AS SELECT CAST(range AS INTEGER) AS party "
        f"FROM range({p0}, {p0 + pn}) WHERE rnd(range, 70) < 0.005"
    )
    # taint: 3% of farms and 5% of ginners in Xinjiang, 1% of farms XPCC, 1% of spinners listed,
    # 0.5% of mills a possible match
    rows = con.execute(
        f"""
        SELECT range AS p, 'region' AS kind, 'confirmed' AS conf
            FROM range({f0}, {f0 + fn}) WHERE rnd(range, 80) < 0.03
        UNION ALL SELECT range, 'xpcc', 'confirmed'
            FROM range({f0}, {f0 + fn}) WHERE rnd(range, 81) < 0.01
        UNION ALL SELECT range, 'region', 'confirmed'
            FROM range({i0}, {i0 + i_n}) WHERE rnd(range, 82) < 0.05
        UNION ALL SELECT range, 'list', 'confirmed'
            FROM range({p0}, {p0 + pn}) WHERE rnd(range, 83) < 0.01
        UNION ALL SELECT range, 'list', 'possible'
            FROM range({m0}, {m0 + mn}) WHERE rnd(range, 84) < 0.005
        ORDER BY 1, 2
        """
    ).fetchall()
    flags: list[TaintSource] = []
    src_rows = []
    for p, kind, conf in rows:
        src_rows.append(f"({p}, NULL, {len(flags)})")
        flags.append(
            TaintSource(
                kind=kind,
                party_id=f"P{p}",
                facility_id=None,
                confidence=conf,
                detail=f"generated {kind} source",
                evidence={"generated": True},
            )
        )
    con.execute("CREATE OR REPLACE TABLE fl_src (supplier INTEGER, facility INTEGER, flag INTEGER)")
    if src_rows:
        con.execute("INSERT INTO fl_src VALUES " + ", ".join(src_rows))
    total_parties = sum(n for _, n in tiers.values())
    con.execute(
        "CREATE OR REPLACE TABLE fl_party AS SELECT CAST(range AS INTEGER) AS p, "
        "'P' || range AS id, "
        f"'Party ' || range AS name FROM range({total_parties})"
    )
    con.execute(
        """CREATE OR REPLACE TABLE fl_txn_detail AS
        SELECT t.t, 'T' || t.t AS id, 'P' || t.supplier AS supplier_id, 'P' || t.buyer AS buyer_id,
               m.name AS material, t.qty AS quantity, 'kg' AS unit,
               CAST(DATE '0001-01-01' + INTERVAL (t.day - 1) DAY AS DATE)::VARCHAR AS date,
               CAST(NULL AS VARCHAR) AS facility_id, '["INV-' || t.t || '"]' AS documents,
               'documented' AS kind, CAST(NULL AS VARCHAR) AS provenance
        FROM fl_txn t JOIN fl_mat_name m ON m.material = t.material"""
    )
    con.execute(
        """CREATE OR REPLACE TABLE fl_ship_detail AS
        SELECT s, 'S' || s AS id, 'P' || manufacturer AS manufacturer_id,
               'P' || manufacturer AS exporter_id, 'cotton t-shirts' AS product FROM fl_ship"""
    )
    unknown = frozenset(f"P{p}" for (p,) in con.execute("SELECT party FROM fl_unknown").fetchall())
    bom = {MATERIALS[k + 1]: (MATERIALS[k],) for k in range(4)}
    inputs = BatchInputs({}, flags, {}, bom, unknown)
    real = con.execute("SELECT COUNT(*) FROM fl_txn").fetchone()
    return Network(con, inputs, int(real[0]) if real else 0, shipments, time.perf_counter() - began)


def _quantities(con: duckdb.DuckDBPyConnection) -> None:
    """Farms sell 2-16 t lots; every other tier sells, per sale, its share of what its
    purchases allow (yield x SOLD_SHARE, spread over its sales, +-50%), tier by tier."""
    con.execute("UPDATE fl_txn SET qty = round(9000 * (0.25 + 1.5 * rnd(t, 30))) WHERE link = 0")
    for tier in ("ginner", "spinner", "trader", "mill"):
        links = [k for k, link in enumerate(LINKS) if link[0] == tier]
        feeds = [k for k, link in enumerate(LINKS) if link[1] == tier]
        in_list = ", ".join(map(str, feeds))
        out_list = ", ".join(map(str, links))
        con.execute(
            f"""
            UPDATE fl_txn SET qty = round(c.cap / c.n * (0.5 + rnd(fl_txn.t, 31)))
            FROM (
                SELECT o.supplier, o.n,
                       COALESCE(i.bought, 0) * {YIELD[tier]}
                       * CASE WHEN rnd(o.supplier, 90) < {SHORT_PARTIES} THEN 1.6
                              ELSE {SOLD_SHARE} END AS cap
                FROM (SELECT supplier, COUNT(*) AS n FROM fl_txn WHERE link IN ({out_list})
                      GROUP BY supplier) o
                LEFT JOIN (SELECT buyer, SUM(qty) AS bought FROM fl_txn WHERE link IN ({in_list})
                           GROUP BY buyer) i ON i.buyer = o.supplier
            ) c
            WHERE fl_txn.link IN ({out_list}) AND fl_txn.supplier = c.supplier
            """
        )
    con.execute("UPDATE fl_txn SET qty = 1 WHERE qty IS NULL OR qty < 1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--shipments", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="DuckDB database file to write")
    args = parser.parse_args()
    con = duckdb.connect(str(args.out))
    net = generate(con, args.transactions, args.shipments, args.seed)
    print(
        f"{net.transactions} transactions, {net.shipments} shipments "
        f"in {net.seconds:.1f} s -> {args.out}"
    )


if __name__ == "__main__":
    main()
