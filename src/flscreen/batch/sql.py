"""The batch trace as SQL: pure functions from (dialect, parameters) to statements.

Every step reads and writes plain tables, so the same sequence runs on DuckDB
and on Spark (splink's pattern). Identifiers are integers (transactions,
parties, materials, flags) for speed; names come back only for the rows that
are reported.

Input tables (built by :mod:`flscreen.batch.inputs` or a generator):

- ``fl_txn(t, supplier, buyer, material, qty, day, facility, period, dim, mfac, bfac)``:
  one row per transaction; ``qty`` in the base unit of its dimension ``dim``, ``day`` an
  ordinal, ``facility`` the selling facility or NULL, ``period`` the
  mass-balance period as an integer (2026, 20262 for Q2, 202605), ``mfac``/``bfac``
  the seller's and buyer's facility for mass balance (the named one, else the
  party's only one, else NULL).
- ``fl_um(material, input, factor, idim, odim)``: ``input`` may be inside ``material``
  (BOM closure, including the material itself); ``factor`` is the gross input per unit
  of ``material`` (1 where no quantity is stated), ``idim``/``odim`` the dimensions it
  holds for (NULL: the same on both sides). A purchase counts by the amount of the sold
  material it can make, ``qty / factor``, pooled per dimension ``COALESCE(odim, dim)``.
- ``fl_ship(s, manufacturer, product, day, qty, dim, period, mfac)``.
- ``fl_src(supplier, facility, flag)``: sales by ``supplier`` from ``facility``
  (NULL: unnamed) carry taint source ``flag``.
- ``fl_mat(material, priority, raw)``; ``fl_unknown(party)``;
  ``fl_raw_party(party)``; ``fl_raw_facility(facility)``.
- ``fl_mb(key, party, output, period)``: mass-balance findings and missing conversions,
  computed from the aggregates :func:`ledger_sql` returns by the same Python as the
  in-memory tracer (``trace.massbalance.balance``), then loaded back.

Shares need, for each sale, the total the seller bought in the window
(``fl_feed``); the propagation then joins each hop's frontier to the sales it
can feed, so the full (purchase, sale) relation is never stored. The trace
propagates flags (taint sources, gap origins, mass-balance
shortfalls) downstream from the transactions where they arise, through the
"feeds" relation, summing each flag's share per transaction; shipments then
pick up the flags of their first-hop purchases. A taint flag stops where its
own party sells again (the path reports a party the first time it appears).
"""

from __future__ import annotations

from dataclasses import dataclass

KIND_TAINT = 0
KIND_GAP = 1
KIND_MASS = 2


@dataclass(frozen=True, slots=True)
class Table:
    """A step's output: materialise ``select`` as table ``name`` (each engine knows how)."""

    name: str
    select: str


@dataclass(frozen=True)
class Dialect:
    name: str

    def arg_max(self, value: str, key: str) -> str:
        return f"max_by({value}, {key})" if self.name == "spark" else f"arg_max({value}, {key})"

    def arg_min(self, value: str, key: str) -> str:
        return f"min_by({value}, {key})" if self.name == "spark" else f"arg_min({value}, {key})"

    def prepend(self, item: str, items: str) -> str:
        if self.name == "spark":
            return f"concat(array({item}), {items})"
        return f"list_prepend({item}, {items})"

    def single(self, item: str) -> str:
        return f"array({item})" if self.name == "spark" else f"[{item}]"

    def null_safe_eq(self, a: str, b: str) -> str:
        return f"{a} <=> {b}" if self.name == "spark" else f"{a} IS NOT DISTINCT FROM {b}"

    def pair(self, path: str, ws: str) -> str:
        """A struct of a route's transactions and hop weights, so both come from one row."""
        if self.name == "spark":
            return f"named_struct('path', {path}, 'ws', {ws})"
        return f"struct_pack(path := {path}, ws := {ws})"

    def contains(self, items: str, item: str) -> str:
        if self.name == "spark":
            return f"array_contains({items}, {item})"
        return f"list_contains({items}, {item})"

    def explode(self, items: str) -> str:
        return f"explode({items})" if self.name == "spark" else f"unnest({items})"

    def double(self, value: str) -> str:
        return f"CAST({value} AS DOUBLE)"


DUCKDB = Dialect("duckdb")
SPARK = Dialect("spark")


def dialect(name: str) -> Dialect:
    if name == "spark":
        return SPARK
    if name == "duckdb":
        return DUCKDB
    raise ValueError(f"unknown dialect {name!r}")


def _pool(um: str, up: str) -> str:
    """The pool a purchase ``up`` counts in for a sale, NULL when ``um`` cannot convert it."""
    return (
        f"CASE WHEN {um}.idim IS NULL OR {um}.idim = {up}.dim "
        f"THEN COALESCE({um}.odim, {up}.dim) END"
    )


def edges_sql(d: Dialect, lookback_days: int) -> Table:
    """fl_edge(down, up, w): purchase ``up`` can be inside sale ``down``, with its share
    (by the amount of the sold material it can make) of the seller's purchases in the window.

    Every (purchase, sale) pair of a party within the window: large. The trace itself
    does not need it (see :func:`feeds_sql`); baselines and checks do."""
    return Table(
        "fl_edge",
        f"""
        WITH x AS (
            SELECT dn.t AS down, up.t AS up, up.qty / um.factor AS e, {_pool("um", "up")} AS k
            FROM fl_txn dn
            JOIN fl_txn up ON up.buyer = dn.supplier
                 AND up.day BETWEEN dn.day - {int(lookback_days)} AND dn.day
                 AND up.t <> dn.t
            JOIN fl_um um ON um.material = dn.material AND um.input = up.material
        ),
        tot AS (SELECT down, k, SUM(e) AS total FROM x WHERE k IS NOT NULL GROUP BY down, k),
        pools AS (SELECT down, COUNT(*) AS pools FROM tot GROUP BY down)
        SELECT x.down, x.up,
               CASE WHEN tot.total > 0 THEN x.e / tot.total / pools.pools END AS w
        FROM x LEFT JOIN tot ON tot.down = x.down AND tot.k = x.k
        LEFT JOIN pools ON pools.down = x.down
        """,
    )


def feeds_sql(d: Dialect, lookback_days: int) -> Table:
    """fl_feed(t, k, total, n, pools): for each sale, per pool ``k``, the amount of the sold
    material the seller's purchases in the window can make and how many purchases there
    are (``k`` NULL: purchases no factor converts); ``pools`` the convertible pools of the
    sale. The denominators of the shares.

    DuckDB reads them off running sums per (buyer, material, dimension) with two ASOF
    joins, which stays linear in the transactions; Spark sums the (purchase, sale) pairs.
    """
    lb = int(lookback_days)
    if d.name == "spark":
        per = f"""
        SELECT dn.t, {_pool("um", "up")} AS k, up.qty / um.factor AS e, 1 AS n
        FROM fl_txn dn
        JOIN fl_txn up ON up.buyer = dn.supplier AND up.day BETWEEN dn.day - {lb} AND dn.day
        JOIN fl_um um ON um.material = dn.material AND um.input = up.material
        """
    else:
        per = f"""
        WITH daily AS (
            SELECT buyer, material, dim, day, SUM(qty) AS q, COUNT(*) AS k
            FROM fl_txn GROUP BY buyer, material, dim, day
        ),
        cum AS (
            SELECT buyer, material, dim, day,
                   SUM(q) OVER w AS cq, SUM(k) OVER w AS ck
            FROM daily
            WINDOW w AS (PARTITION BY buyer, material, dim ORDER BY day
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        ),
        bought AS (SELECT DISTINCT buyer, material, dim FROM daily),
        probe AS (
            SELECT dn.t, dn.supplier AS buyer, um.input AS material, b.dim, dn.day,
                   um.factor, um.idim, um.odim
            FROM fl_txn dn JOIN fl_um um ON um.material = dn.material
            JOIN bought b ON b.buyer = dn.supplier AND b.material = um.input
        ),
        hi AS (
            SELECT p.t, p.material, p.dim, p.factor, p.idim, p.odim, c.cq, c.ck
            FROM probe p ASOF JOIN cum c
                 ON c.buyer = p.buyer AND c.material = p.material AND c.dim = p.dim
                 AND c.day <= p.day
        ),
        lo AS (
            SELECT p.t, p.material, p.dim, c.cq, c.ck
            FROM probe p ASOF JOIN cum c
                 ON c.buyer = p.buyer AND c.material = p.material AND c.dim = p.dim
                 AND c.day <= p.day - {lb} - 1
        )
        SELECT hi.t, {_pool("hi", "hi")} AS k,
               (hi.cq - COALESCE(lo.cq, 0)) / hi.factor AS e, hi.ck - COALESCE(lo.ck, 0) AS n
        FROM hi LEFT JOIN lo ON lo.t = hi.t AND lo.material = hi.material AND lo.dim = hi.dim
        """
    select = f"""
        SELECT t, k, total, n, COUNT(k) OVER (PARTITION BY t) AS pools FROM (
            SELECT t, k, SUM(e) AS total, SUM(n) AS n FROM ({per}) x
            GROUP BY t, k HAVING SUM(n) > 0
        ) g
        """
    return Table("fl_feed", select)


def seeds_sql(d: Dialect, lookback_days: int) -> Table:
    """fl_seed(s, t, material, w): the manufacturer's purchases that can be in the shipment,
    each with its share of the shipped product they can make."""
    return Table(
        "fl_seed",
        f"""
        WITH c AS (
            SELECT s.s, t.t, t.material, t.qty / um.factor AS e, {_pool("um", "t")} AS k
            FROM fl_ship s
            JOIN fl_txn t ON t.buyer = s.manufacturer
                 AND t.day BETWEEN s.day - {int(lookback_days)} AND s.day
            JOIN fl_um um ON um.material = s.product AND um.input = t.material
        ),
        tot AS (SELECT s, k, SUM(e) AS total FROM c WHERE k IS NOT NULL GROUP BY s, k),
        pools AS (SELECT s, COUNT(*) AS pools FROM tot GROUP BY s)
        SELECT c.s, c.t, c.material,
               CASE WHEN tot.total > 0 THEN c.e / tot.total / pools.pools END AS w
        FROM c LEFT JOIN tot ON tot.s = c.s AND tot.k = c.k
        LEFT JOIN pools ON pools.s = c.s
        """,
    )


def ledger_sql() -> tuple[str, str]:
    """(sold, bought): quantities per (party, facility, material, dimension, period), the
    input of the mass balance. Shipments count as their manufacturer's sales."""
    sold = """
        SELECT supplier, mfac, material, dim, period, SUM(qty) FROM fl_txn
        GROUP BY supplier, mfac, material, dim, period
        UNION ALL
        SELECT manufacturer, mfac, product, dim, period, SUM(qty) FROM fl_ship
        WHERE qty IS NOT NULL GROUP BY manufacturer, mfac, product, dim, period
        """
    bought = """
        SELECT buyer, bfac, material, dim, period, SUM(qty) FROM fl_txn
        GROUP BY buyer, bfac, material, dim, period
        """
    return sold, bought


def origins_sql(d: Dialect) -> Table:
    """fl_origin(t, kind, flag, stop_party): where each flag starts."""
    return Table(
        "fl_origin",
        f"""
        SELECT t.t, {KIND_TAINT} AS kind, CAST(s.flag AS BIGINT) AS flag, t.supplier AS stop_party
        FROM fl_txn t JOIN fl_src s
             ON s.supplier = t.supplier AND {d.null_safe_eq("s.facility", "t.facility")}
        UNION ALL
        SELECT t.t, {KIND_GAP} AS kind, CAST(t.t AS BIGINT) AS flag,
               CAST(NULL AS INTEGER) AS stop_party
        {_gap_origins(d)}
        UNION ALL
        SELECT t.t, {KIND_MASS} AS kind, CAST(mb.key AS BIGINT) AS flag,
               CAST(NULL AS INTEGER) AS stop_party
        FROM fl_txn t JOIN fl_mb mb
             ON mb.party = t.supplier AND mb.output = t.material AND mb.period = t.period
        """,
    )


def _gap_origins(d: Dialect) -> str:
    """FROM/WHERE of the sales where a priority-sector chain stops: an unknown seller,
    or no purchase that could feed the sale and no raw material or producer.

    DuckDB plans IN / NOT IN subqueries as fast mark joins; Spark would plan this
    NOT IN as a nested loop, so it gets anti-joins written as LEFT JOINs."""
    if d.name == "spark":
        return """
        FROM fl_txn t
        JOIN fl_mat m ON m.material = t.material AND m.priority
        LEFT JOIN fl_unknown un ON un.party = t.supplier
        LEFT JOIN fl_raw_party rp ON rp.party = t.supplier
        LEFT JOIN fl_raw_facility rf ON rf.facility = t.facility
        LEFT JOIN (SELECT DISTINCT t AS fed FROM fl_feed) fe ON fe.fed = t.t
        WHERE un.party IS NOT NULL
           OR (NOT m.raw
               AND NOT (t.facility IS NULL AND rp.party IS NOT NULL)
               AND rf.facility IS NULL
               AND fe.fed IS NULL)
        """
    return """
        FROM fl_txn t
        JOIN fl_mat m ON m.material = t.material AND m.priority
        WHERE t.supplier IN (SELECT party FROM fl_unknown)
           OR (NOT m.raw
               AND NOT (t.facility IS NULL AND t.supplier IN (SELECT party FROM fl_raw_party))
               AND NOT (t.facility IS NOT NULL
                        AND t.facility IN (SELECT facility FROM fl_raw_facility))
               AND t.t NOT IN (SELECT t FROM fl_feed))
        """


def frontier0_sql(d: Dialect) -> Table:
    return Table(
        "fl_front_1",
        f"""
        SELECT t, kind, flag, stop_party, {d.double("1.0")} AS share, TRUE AS known,
               {d.single("t")} AS path, {d.single(d.double("NULL"))} AS ws
        FROM fl_origin
        """,
    )


def step_sql(d: Dialect, depth: int, lookback_days: int) -> Table:
    """fl_front_{depth+1}: the flags of fl_front_{depth} moved one sale downstream."""
    prev = f"fl_front_{depth}"
    lb = int(lookback_days)
    return Table(
        f"fl_front_{depth + 1}",
        f"""
        SELECT t, kind, flag, stop_party, share, known, route.path AS path, route.ws AS ws
        FROM (
        SELECT x.t, x.kind, x.flag, x.stop_party, SUM(x.share) AS share,
               bool_and(x.known) AS known,
               {d.arg_max(d.pair("x.path", "x.ws"), "x.share")} AS route
        FROM (
            SELECT e.down AS t, f.kind, f.flag, f.stop_party,
                   f.share * COALESCE(e.w, 0) AS share,
                   f.known AND e.w IS NOT NULL AS known,
                   {d.prepend("e.down", "f.path")} AS path,
                   {d.prepend("e.w", "f.ws")} AS ws
            FROM {prev} f
            JOIN (
                SELECT up.t AS up, dn.t AS down, dn.supplier AS seller,
                       CASE WHEN fd.total > 0 THEN up.qty / um.factor / fd.total / fd.pools
                       END AS w
                FROM (SELECT DISTINCT t FROM {prev}) fr
                JOIN fl_txn up ON up.t = fr.t
                JOIN fl_txn dn ON dn.supplier = up.buyer
                     AND up.day BETWEEN dn.day - {lb} AND dn.day
                JOIN fl_um um ON um.material = dn.material AND um.input = up.material
                LEFT JOIN fl_feed fd ON fd.t = dn.t AND fd.k = {_pool("um", "up")}
            ) e ON e.up = f.t
            WHERE (f.stop_party IS NULL OR e.seller <> f.stop_party)
              AND NOT {d.contains("f.path", "e.down")}
        ) x
        GROUP BY x.t, x.kind, x.flag, x.stop_party
        ) g
        """,
    )


def reach_sql(d: Dialect, depths: int) -> Table:
    """fl_reach: every flag at every transaction, summed over path lengths."""
    union = " UNION ALL ".join(
        f"SELECT t, kind, flag, stop_party, share, known, path, ws, {k} AS depth FROM fl_front_{k}"
        for k in range(1, depths + 1)
    )
    return Table(
        "fl_reach",
        f"""
        SELECT t, kind, flag, share, known, route.path AS path, route.ws AS ws FROM (
        SELECT t, kind, flag, SUM(share) AS share, bool_and(known) AS known,
               {d.arg_min(d.pair("path", "ws"), "depth")} AS route
        FROM ({union}) u
        GROUP BY t, kind, flag
        ) g
        """,
    )


def results_sql(d: Dialect) -> Table:
    """fl_out: per shipment, each taint flag reaching each first-hop purchase (one route,
    summed share); each gap once (its largest-share route); each shortfall once."""
    return Table(
        "fl_out",
        f"""
        WITH x AS (
            SELECT sd.s, r.kind, r.flag, sd.t AS seed, sd.w * r.share AS share,
                   r.known AND sd.w IS NOT NULL AS known, sd.w AS seed_w, r.path, r.ws
            FROM fl_seed sd JOIN fl_reach r ON r.t = sd.t
        )
        SELECT s, kind, flag, seed, share, known, seed_w, path, ws FROM x WHERE kind = {KIND_TAINT}
        UNION ALL
        SELECT s, kind, flag, g.best.seed, NULL, NULL, g.best.seed_w, g.best.path, g.best.ws
        FROM (
            SELECT x.s, x.kind, x.flag,
                   {d.arg_max(_struct4(d, "x.seed", "x.seed_w", "x.path", "x.ws"), "x.share")}
                       AS best
            FROM x WHERE x.kind = {KIND_GAP} GROUP BY x.s, x.kind, x.flag
        ) g
        UNION ALL
        SELECT DISTINCT s, kind, flag, CAST(NULL AS INTEGER), CAST(NULL AS DOUBLE),
               CAST(NULL AS BOOLEAN), CAST(NULL AS DOUBLE), NULL, NULL
        FROM (
            SELECT s, kind, flag FROM x WHERE kind = {KIND_MASS}
            UNION ALL
            SELECT sh.s, {KIND_MASS} AS kind, CAST(mb.key AS BIGINT) AS flag
            FROM fl_ship sh JOIN fl_mb mb ON mb.party = sh.manufacturer
                 AND mb.output = sh.product AND mb.period = sh.period
        ) m
        """,
    )


def _struct4(d: Dialect, seed: str, seed_w: str, path: str, ws: str) -> str:
    if d.name == "spark":
        return f"named_struct('seed', {seed}, 'seed_w', {seed_w}, 'path', {path}, 'ws', {ws})"
    return f"struct_pack(seed := {seed}, seed_w := {seed_w}, path := {path}, ws := {ws})"


def count_sql(table: str) -> str:
    return f"SELECT COUNT(*) FROM {table}"


def seed_materials_sql() -> str:
    """Per shipment, the materials of its first-hop purchases (for 'no_supplier' gaps)."""
    return "SELECT DISTINCT s, material FROM fl_seed"


def out_sql() -> str:
    return (
        "SELECT s, kind, flag, seed, share, known, seed_w, path, ws FROM fl_out "
        "ORDER BY s, kind, flag, seed"
    )
