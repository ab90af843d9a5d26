"""The batch trace as SQL: pure functions from (dialect, parameters) to statements.

Every step reads and writes plain tables, so the same sequence runs on DuckDB
and on Spark (splink's pattern). Identifiers are integers (transactions,
parties, materials, flags) for speed; names come back only for the rows that
are reported.

Input tables (built by :mod:`flscreen.batch.inputs` or a generator):

- ``fl_txn(t, supplier, buyer, material, qty, day, facility, period, dim)``: one
  row per transaction; ``qty`` in the base unit of its dimension ``dim``, ``day`` an
  ordinal, ``facility`` the selling facility or NULL, ``period`` the
  mass-balance period as an integer (2026, 20262 for Q2, 202605).
- ``fl_um(material, input)``: ``input`` may be inside ``material`` (BOM
  closure, including the material itself).
- ``fl_ship(s, manufacturer, product, day)``.
- ``fl_src(supplier, facility, flag)``: sales by ``supplier`` from ``facility``
  (NULL: unnamed) carry taint source ``flag``.
- ``fl_mat(material, priority, raw)``; ``fl_unknown(party)``;
  ``fl_raw_party(party)``; ``fl_raw_facility(facility)``.
- ``fl_conv(output, input, to_primary, primary_yield, primary_input)``: mass-balance
  conversions.

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


def edges_sql(d: Dialect, lookback_days: int) -> Table:
    """fl_edge(down, up, w): purchase ``up`` can be inside sale ``down``, with its share
    (by quantity) of the seller's purchases in the window that can be (same dimension).

    Every (purchase, sale) pair of a party within the window: large. The trace itself
    does not need it (see :func:`feeds_sql`); baselines and checks do."""
    return Table(
        "fl_edge",
        f"""
        SELECT dn.t AS down, up.t AS up,
               CASE WHEN SUM(up.qty) OVER (PARTITION BY dn.t, up.dim) > 0
                    THEN up.qty / SUM(up.qty) OVER (PARTITION BY dn.t, up.dim)
               END AS w
        FROM fl_txn dn
        JOIN fl_txn up ON up.buyer = dn.supplier
             AND up.day BETWEEN dn.day - {int(lookback_days)} AND dn.day
             AND up.t <> dn.t
        JOIN fl_um um ON um.material = dn.material AND um.input = up.material
        """,
    )


def feeds_sql(d: Dialect, lookback_days: int) -> Table:
    """fl_feed(t, dim, total, n): for each sale, the quantity and number of the seller's
    purchases (per unit dimension) that can be inside it: the denominators of the shares.

    DuckDB reads them off running sums per (buyer, material) with two ASOF joins, which
    stays linear in the transactions; Spark sums the (purchase, sale) pairs.
    """
    lb = int(lookback_days)
    if d.name == "spark":
        select = f"""
        SELECT dn.t, up.dim, SUM(up.qty) AS total, COUNT(*) AS n
        FROM fl_txn dn
        JOIN fl_txn up ON up.buyer = dn.supplier AND up.day BETWEEN dn.day - {lb} AND dn.day
        JOIN fl_um um ON um.material = dn.material AND um.input = up.material
        GROUP BY dn.t, up.dim
        """
        return Table("fl_feed", select)
    select = f"""
        WITH daily AS (
            SELECT buyer, material, dim, day, SUM(qty) AS q, COUNT(*) AS k
            FROM fl_txn GROUP BY buyer, material, dim, day
        ),
        cum AS (
            SELECT buyer, material, dim, day,
                   SUM(q) OVER w AS cq, SUM(k) OVER w AS ck
            FROM daily
            WINDOW w AS (PARTITION BY buyer, material ORDER BY day
                         ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        ),
        probe AS (
            SELECT dn.t, dn.supplier AS buyer, um.input AS material, dn.day
            FROM fl_txn dn JOIN fl_um um ON um.material = dn.material
        ),
        hi AS (
            SELECT p.t, p.material, c.dim, c.cq, c.ck
            FROM probe p ASOF JOIN cum c
                 ON c.buyer = p.buyer AND c.material = p.material AND c.day <= p.day
        ),
        lo AS (
            SELECT p.t, p.material, c.cq, c.ck
            FROM probe p ASOF JOIN cum c
                 ON c.buyer = p.buyer AND c.material = p.material AND c.day <= p.day - {lb} - 1
        )
        SELECT hi.t, hi.dim, SUM(hi.cq - COALESCE(lo.cq, 0)) AS total,
               SUM(hi.ck - COALESCE(lo.ck, 0)) AS n
        FROM hi LEFT JOIN lo ON lo.t = hi.t AND lo.material = hi.material
        GROUP BY hi.t, hi.dim
        HAVING SUM(hi.ck - COALESCE(lo.ck, 0)) > 0
        """
    return Table("fl_feed", select)


def seeds_sql(d: Dialect, lookback_days: int) -> Table:
    """fl_seed(s, t, material, w): the manufacturer's purchases that can be in the shipment."""
    return Table(
        "fl_seed",
        f"""
        SELECT s.s, t.t, t.material,
               CASE WHEN SUM(t.qty) OVER (PARTITION BY s.s, t.dim) > 0
                    THEN t.qty / SUM(t.qty) OVER (PARTITION BY s.s, t.dim)
               END AS w
        FROM fl_ship s
        JOIN fl_txn t ON t.buyer = s.manufacturer
             AND t.day BETWEEN s.day - {int(lookback_days)} AND s.day
        JOIN fl_um um ON um.material = s.product AND um.input = t.material
        """,
    )


def mass_balance_sql(d: Dialect, tolerance: float) -> Table:
    """fl_mb: running balance shortfalls per (party, output material, period)."""
    return Table(
        "fl_mb",
        f"""
        WITH sold AS (
            SELECT supplier AS party, material AS output, period, SUM(qty) AS q,
                   COUNT(DISTINCT facility) AS n_fac, MIN(facility) AS facility,
                   COUNT(*) - COUNT(facility) AS n_unnamed
            FROM fl_txn GROUP BY supplier, material, period
        ),
        bought AS (
            SELECT buyer AS party, material, period, SUM(qty) AS q
            FROM fl_txn GROUP BY buyer, material, period
        ),
        inputs AS (
            SELECT b.party, c.output, b.period, SUM(b.q * c.to_primary) AS q
            FROM bought b JOIN fl_conv c ON c.input = b.material
            GROUP BY b.party, c.output, b.period
        ),
        keys AS (
            SELECT party, output, period FROM sold
            UNION SELECT party, output, period FROM inputs
        ),
        bal AS (
            SELECT k.party, k.output, k.period,
                   COALESCE(s.q, 0) AS out_q, COALESCE(i.q, 0) AS in_q,
                   s.q IS NOT NULL AS sold_here
            FROM keys k
            LEFT JOIN sold s ON s.party = k.party AND s.output = k.output AND s.period = k.period
            LEFT JOIN inputs i ON i.party = k.party AND i.output = k.output
                 AND i.period = k.period
        ),
        cum AS (
            SELECT party, output, period, sold_here,
                   SUM(in_q) OVER (PARTITION BY party, output ORDER BY period
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_in,
                   SUM(out_q) OVER (PARTITION BY party, output ORDER BY period
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS cum_out,
                   SUM(in_q) OVER (PARTITION BY party, output) AS total_in
            FROM bal
        ),
        facs AS (
            SELECT party, output,
                   CASE WHEN SUM(n_unnamed) = 0 AND MAX(n_fac) = 1
                             AND MIN(facility) = MAX(facility) THEN MIN(facility) END AS facility
            FROM sold GROUP BY party, output
        ),
        prim AS (SELECT DISTINCT output, primary_yield, primary_input FROM fl_conv)
        SELECT ROW_NUMBER() OVER (ORDER BY c.party, c.output, c.period) - 1 AS key,
               c.party, c.output, c.period, c.cum_in AS inputs, c.cum_out AS outputs,
               p.primary_yield, p.primary_input,
               c.cum_out / p.primary_yield - c.cum_in AS shortfall, f.facility
        FROM cum c
        JOIN prim p ON p.output = c.output
        JOIN facs f ON f.party = c.party AND f.output = c.output
        LEFT JOIN fl_raw_party r ON r.party = c.party
        WHERE c.sold_here AND c.total_in > 0 AND r.party IS NULL
          AND c.cum_out / p.primary_yield - c.cum_in
              > {float(tolerance)!r} * c.cum_out / p.primary_yield
        """,
    )


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
                       CASE WHEN fd.total > 0 THEN up.qty / fd.total END AS w
                FROM (SELECT DISTINCT t FROM {prev}) fr
                JOIN fl_txn up ON up.t = fr.t
                JOIN fl_txn dn ON dn.supplier = up.buyer
                     AND up.day BETWEEN dn.day - {lb} AND dn.day
                JOIN fl_um um ON um.material = dn.material AND um.input = up.material
                JOIN fl_feed fd ON fd.t = dn.t AND fd.dim = up.dim
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
        FROM x WHERE kind = {KIND_MASS}
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
