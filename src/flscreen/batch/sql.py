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
propagates flags (taint sources, gap origins, mass-balance shortfalls)
downstream from the transactions where they arise, one hop per statement and
only from the routes found at the previous hop (semi-naive). A frontier row is
a (transaction, flag) group with a list of its routes, each a share and an id;
it keeps its ``max_paths`` largest-share routes and counts all of them, so a
shipment gets its first ``max_paths`` routes exactly and the number beyond. A
route's transactions are kept apart, one row per kept route built from its
parent's (``fl_path_{depth}``), and read back only where needed: same-day
edges (the only place a route can loop) and the routes a shipment may list.
Shipments pick the routes up at their first-hop purchases. A taint flag stops
where its own party sells again (the path reports a party the first time it
appears).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

KIND_TAINT = 0
KIND_GAP = 1
KIND_MASS = 2
KIND_COUNT = 3


@dataclass(frozen=True, slots=True)
class Table:
    """A step's output: materialise ``select`` as table ``name`` (each engine knows how)."""

    name: str
    select: str


class Dialect(ABC):
    """The SQL that differs between engines: one subclass per engine owns its spelling
    (splink's dialects). Steps call these methods and never test the engine's name."""

    name: ClassVar[str]

    @abstractmethod
    def prepend(self, item: str, items: str) -> str:
        """The list ``items`` with ``item`` in front."""

    @abstractmethod
    def single(self, item: str) -> str:
        """A list of one ``item``."""

    @abstractmethod
    def null_safe_eq(self, a: str, b: str) -> str:
        """``a = b`` where NULL equals NULL."""

    @abstractmethod
    def contains(self, items: str, item: str) -> str:
        """Whether the list ``items`` holds ``item``."""

    @abstractmethod
    def explode(self, items: str) -> str:
        """One row per element of the list ``items``."""

    @abstractmethod
    def length(self, items: str) -> str:
        """The number of elements of the list ``items``."""

    @abstractmethod
    def at(self, items: str, i: str) -> str:
        """Element ``i`` (from 1) of the list ``items``."""

    @abstractmethod
    def positions(self, items: str) -> str:
        """One row per position 1 .. length - 1 of the list ``items`` (its hops)."""

    @abstractmethod
    def struct(self, **fields: str) -> str:
        """A struct of named fields (structs order field by field)."""

    @abstractmethod
    def lam(self, var: str, body: str) -> str:
        """A lambda of one argument, for :meth:`transform` and :meth:`keep`."""

    @abstractmethod
    def transform(self, items: str, fn: str) -> str:
        """The list ``items`` with ``fn`` applied to each element."""

    @abstractmethod
    def transform_at(self, items: str, var: str, index: str, body: str) -> str:
        """The list ``items`` with ``body`` of each element ``var`` and its position
        ``index`` (from 0 or 1: only distinct values are needed)."""

    @abstractmethod
    def row_number(self, order: str) -> str:
        """A distinct number per row (``order``: columns the engine may need to order by)."""

    @abstractmethod
    def collect(self, value: str) -> str:
        """Aggregate: the values of the group as a list."""

    @abstractmethod
    def keep(self, items: str, fn: str) -> str:
        """The elements of ``items`` for which ``fn`` is true."""

    def nth_share(self, items: str, n: str) -> str:
        """The ``n``-th smallest ``o`` (minus share) of the routes ``items``, +inf when there
        are fewer: sorting plain numbers is fast, where sorting routes is not."""
        shares = self.sort(self.transform(items, self.lam("y", "y.o")))
        return f"COALESCE({self.at_or_null(shares, n)}, CAST('Infinity' AS DOUBLE))"

    @abstractmethod
    def sort(self, items: str) -> str:
        """The list ``items`` in ascending order."""

    @abstractmethod
    def at_or_null(self, items: str, i: str) -> str:
        """Element ``i`` (from 1) of ``items``, NULL past its end."""

    @abstractmethod
    def gather(self, lists: str) -> str:
        """Aggregate: the elements of every list ``lists`` in the group, as one list."""

    def double(self, value: str) -> str:
        return f"CAST({value} AS DOUBLE)"

    @abstractmethod
    def sorted_set(self, value: str) -> str:
        """Aggregate: the distinct values of the group as a sorted list."""

    @abstractmethod
    def join_list(self, items: str, sep: str) -> str:
        """The list ``items`` as one string, ``sep`` (a SQL string) between elements."""

    @abstractmethod
    def split(self, text: str, sep: str) -> str:
        """``text`` cut at each ``sep`` (a one-character SQL string) into a list."""

    @abstractmethod
    def overlaps(self, a: str, b: str) -> str:
        """Whether the lists ``a`` and ``b`` share an element."""

    @abstractmethod
    def replace_all(self, text: str, pattern: str, repl: str) -> str:
        """``text`` with every match of the regular expression ``pattern`` (as written
        in Python, unescaped) replaced by the SQL string ``repl``."""

    @abstractmethod
    def window_purchases(self, lookback_days: int) -> str:
        """Rows (t, k, e, n): per sale ``t`` and pool ``k``, the amount ``e`` of the sold
        material the seller's purchases in the window can make, and their number ``n``."""

    @abstractmethod
    def gap_origins(self) -> str:
        """FROM/WHERE of the sales where a priority-sector chain stops: an unknown seller,
        or no purchase that could feed the sale and no raw material or producer."""


class DuckDBDialect(Dialect):
    name = "duckdb"

    def sorted_set(self, value: str) -> str:
        return f"list_sort(list(DISTINCT {value}))"

    def join_list(self, items: str, sep: str) -> str:
        return f"array_to_string({items}, {sep})"

    def split(self, text: str, sep: str) -> str:
        return f"string_split({text}, {sep})"

    def overlaps(self, a: str, b: str) -> str:
        return f"list_has_any({a}, {b})"

    def replace_all(self, text: str, pattern: str, repl: str) -> str:
        return f"regexp_replace({text}, '{pattern}', {repl}, 'g')"

    def prepend(self, item: str, items: str) -> str:
        return f"list_prepend({item}, {items})"

    def single(self, item: str) -> str:
        return f"[{item}]"

    def null_safe_eq(self, a: str, b: str) -> str:
        return f"{a} IS NOT DISTINCT FROM {b}"

    def contains(self, items: str, item: str) -> str:
        return f"list_contains({items}, {item})"

    def explode(self, items: str) -> str:
        return f"unnest({items})"

    def length(self, items: str) -> str:
        return f"len({items})"

    def at(self, items: str, i: str) -> str:
        return f"{items}[{i}]"

    def positions(self, items: str) -> str:
        return f"unnest(range(1, len({items})))"

    def struct(self, **fields: str) -> str:
        return "struct_pack(" + ", ".join(f"{k} := {v}" for k, v in fields.items()) + ")"

    def lam(self, var: str, body: str) -> str:
        return f"lambda {var}: {body}"

    def transform(self, items: str, fn: str) -> str:
        return f"list_transform({items}, {fn})"

    def transform_at(self, items: str, var: str, index: str, body: str) -> str:
        return f"list_transform({items}, lambda {var}, {index}: {body})"

    def row_number(self, order: str) -> str:
        return "row_number() OVER ()"

    def collect(self, value: str) -> str:
        return f"list({value})"

    def keep(self, items: str, fn: str) -> str:
        return f"list_filter({items}, {fn})"

    def sort(self, items: str) -> str:
        return f"list_sort({items})"

    def at_or_null(self, items: str, i: str) -> str:
        return f"{items}[{i}]"

    def gather(self, lists: str) -> str:
        return f"flatten(list({lists}))"

    def window_purchases(self, lookback_days: int) -> str:
        """Read off running sums per (buyer, material, dimension) with two ASOF joins, which
        stays linear in the transactions: the (purchase, sale) pairs are never formed."""
        return f"""
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
                 AND c.day <= p.day - {int(lookback_days)} - 1
        )
        SELECT hi.t, {_pool("hi", "hi")} AS k,
               (hi.cq - COALESCE(lo.cq, 0)) / hi.factor AS e, hi.ck - COALESCE(lo.ck, 0) AS n
        FROM hi LEFT JOIN lo ON lo.t = hi.t AND lo.material = hi.material AND lo.dim = hi.dim
        """

    def gap_origins(self) -> str:
        """IN / NOT IN subqueries, which DuckDB plans as fast mark joins."""
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


class SparkDialect(Dialect):
    name = "spark"

    def sorted_set(self, value: str) -> str:
        return f"sort_array(collect_set({value}))"

    def join_list(self, items: str, sep: str) -> str:
        return f"array_join({items}, {sep})"

    def split(self, text: str, sep: str) -> str:
        return f"split({text}, {sep})"

    def overlaps(self, a: str, b: str) -> str:
        return f"arrays_overlap({a}, {b})"

    def replace_all(self, text: str, pattern: str, repl: str) -> str:
        # Spark's string literals read backslash escapes: the pattern's are doubled
        escaped = pattern.replace("\\", "\\\\")
        return f"regexp_replace({text}, '{escaped}', {repl})"

    def prepend(self, item: str, items: str) -> str:
        return f"concat(array({item}), {items})"

    def single(self, item: str) -> str:
        return f"array({item})"

    def null_safe_eq(self, a: str, b: str) -> str:
        return f"{a} <=> {b}"

    def contains(self, items: str, item: str) -> str:
        return f"array_contains({items}, {item})"

    def explode(self, items: str) -> str:
        return f"explode({items})"

    def length(self, items: str) -> str:
        return f"size({items})"

    def at(self, items: str, i: str) -> str:
        return f"element_at({items}, {i})"

    def positions(self, items: str) -> str:
        return f"explode(sequence(1, size({items}) - 1))"

    def struct(self, **fields: str) -> str:
        return "named_struct(" + ", ".join(f"'{k}', {v}" for k, v in fields.items()) + ")"

    def lam(self, var: str, body: str) -> str:
        return f"{var} -> {body}"

    def transform(self, items: str, fn: str) -> str:
        return f"transform({items}, {fn})"

    def transform_at(self, items: str, var: str, index: str, body: str) -> str:
        return f"transform({items}, ({var}, {index}) -> {body})"

    def row_number(self, order: str) -> str:
        # Spark numbers rows only in an ordered window
        return f"row_number() OVER (ORDER BY {order})"

    def collect(self, value: str) -> str:
        return f"collect_list({value})"

    def keep(self, items: str, fn: str) -> str:
        return f"filter({items}, {fn})"

    def sort(self, items: str) -> str:
        return f"array_sort({items})"

    def at_or_null(self, items: str, i: str) -> str:
        return f"try_element_at({items}, {i})"

    def gather(self, lists: str) -> str:
        return f"flatten(collect_list({lists}))"

    def window_purchases(self, lookback_days: int) -> str:
        """Spark has no ASOF join: it sums the (purchase, sale) pairs."""
        return f"""
        SELECT dn.t, {_pool("um", "up")} AS k, up.qty / um.factor AS e, 1 AS n
        FROM fl_txn dn
        JOIN fl_txn up ON up.buyer = dn.supplier
             AND up.day BETWEEN dn.day - {int(lookback_days)} AND dn.day
        JOIN fl_um um ON um.material = dn.material AND um.input = up.material
        """

    def gap_origins(self) -> str:
        """Anti-joins written as LEFT JOINs: Spark would plan the NOT IN as a nested loop."""
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


DUCKDB: Dialect = DuckDBDialect()
SPARK: Dialect = SparkDialect()
DIALECTS = {d.name: d for d in (DUCKDB, SPARK)}


def dialect(name: str) -> Dialect:
    try:
        return DIALECTS[name]
    except KeyError:
        raise ValueError(f"unknown dialect {name!r}") from None


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

    How the window is summed is the dialect's (:meth:`Dialect.window_purchases`).
    """
    per = d.window_purchases(lookback_days)
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
        {d.gap_origins()}
        UNION ALL
        SELECT t.t, {KIND_MASS} AS kind, CAST(mb.key AS BIGINT) AS flag,
               CAST(NULL AS INTEGER) AS stop_party
        FROM fl_txn t JOIN fl_mb mb
             ON mb.party = t.supplier AND mb.output = t.material AND mb.period = t.period
        """,
    )


ROUTE_SLOTS = 1 << 24
"""A route's id is its group's number times this plus its place in the group's list: a
group may list at most this many routes (16.7 million; the cap and its ties stay far
below)."""


def frontier0_sql(d: Dialect) -> list[Table]:
    """fl_path_1 and fl_front_1: each flag at the transaction where it starts, with one
    route of one transaction.

    Every frontier row is a group (t, kind, flag, stop_party): ``routes`` its first
    routes as (o, id) structs (``o`` minus the share, so that the largest share sorts
    first; a weight not known counts 0; ``id`` the route's row in fl_path of that
    depth), ``n`` how many routes the group has in all and ``whole`` whether ``routes``
    holds every one of them. The routes carry no transactions: a route's transactions
    (downstream first) are in fl_path_{depth}(id, t, path), built once per kept route
    from its parent's, and only read back for the cycle check and the routes reported."""
    return [
        Table(
            "fl_path_1",
            f"""
            SELECT {d.row_number("t, kind, flag, stop_party")} AS id, t,
                   {d.single("t")} AS path, kind, flag, stop_party
            FROM fl_origin
            """,
        ),
        Table(
            "fl_front_1",
            f"""
            SELECT t, kind, flag, stop_party, CAST(1 AS BIGINT) AS n, TRUE AS whole,
                   {d.single(d.struct(o=d.double("-1.0"), id="id"))} AS routes
            FROM fl_path_1
            """,
        ),
    ]


def hop_edges_sql(d: Dialect, depth: int, lookback_days: int) -> Table:
    """fl_step_edge(up, down, seller, w, same): every sale ``down`` that a transaction of
    fl_front_{depth} can feed, with the purchase's weight in it, and whether both fall on
    one day (only then can ``down`` already be on a route through ``up``: a route's
    transactions go back in time). Scalars, built apart from the routes so that the join
    carrying the route lists meets one plain table."""
    lb = int(lookback_days)
    return Table(
        "fl_step_edge",
        f"""
        SELECT up.t AS up, dn.t AS down, dn.supplier AS seller,
               CASE WHEN fd.total > 0 THEN up.qty / um.factor / fd.total / fd.pools END AS w,
               up.day = dn.day AS same
        FROM (SELECT DISTINCT t FROM fl_front_{depth}) fr
        JOIN fl_txn up ON up.t = fr.t
        JOIN fl_txn dn ON dn.supplier = up.buyer
             AND up.day BETWEEN dn.day - {lb} AND dn.day
        JOIN fl_um um ON um.material = dn.material AND um.input = up.material
        LEFT JOIN fl_feed fd ON fd.t = dn.t AND fd.k = {_pool("um", "up")}
        """,
    )


def cycles_sql(d: Dialect, depth: int) -> Table:
    """fl_step_cycle(up, down, bad): per same-day edge, the routes of fl_front_{depth}
    through ``up`` that already pass ``down`` (moving them would loop)."""
    return Table(
        "fl_step_cycle",
        f"""
        SELECT e.up, e.down, {d.collect("p.id")} AS bad
        FROM fl_step_edge e JOIN fl_path_{depth} p ON p.t = e.up
        WHERE e.same AND {d.contains("p.path", "e.down")}
        GROUP BY e.up, e.down
        """,
    )


def step_sql(d: Dialect, depth: int, lookback_days: int, cap: int) -> Table:
    """fl_step_next: the groups of depth+1, every route of fl_front_{depth} moved one sale
    downstream along fl_step_edge (:func:`hop_edges_sql`, built first), each route as
    (o, id of its parent at ``depth``), and ``gid`` a number per group.

    Semi-naive: only the routes found at the previous depth move, joined to the sales
    their transactions can feed. Each group keeps its ``cap`` routes with the largest
    shares (and any tied with the last), which is exact for the ``cap`` first routes of a
    shipment: a route's share at a shipment is its share here times the same downstream
    weights as every other route through the same sale. Gaps and shortfalls keep one route
    per group. ``n`` counts every route (the routes kept where the group was whole)."""
    prev = f"fl_front_{depth}"
    ok = f"c.bad IS NULL OR NOT {d.contains('c.bad', 'r.id')}"
    moved = d.transform(
        d.keep("f.routes", d.lam("r", ok)),
        d.lam("r", d.struct(o="r.o * COALESCE(e.w, 0)", id="r.id")),
    )
    keep = f"CASE WHEN kind = {KIND_TAINT} THEN {int(cap)} ELSE 1 END"
    return Table(
        "fl_step_next",
        f"""
        SELECT t, kind, flag, stop_party, n, whole,
               {d.keep("found", d.lam("x", "x.o <= nth"))} AS routes,
               {d.row_number("t, kind, flag, stop_party")} AS gid
        FROM (
        SELECT t, kind, flag, stop_party, n, whole, found, {d.nth_share("found", keep)} AS nth
        FROM (
        SELECT t, kind, flag, stop_party,
               CAST(SUM(CASE WHEN pwhole = 1 THEN {d.length("ext")} ELSE pn END) AS BIGINT)
                   AS n,
               MIN(pwhole) = 1 AND SUM({d.length("ext")}) <= {int(cap)} AS whole,
               {d.gather("ext")} AS found
        FROM (
            SELECT e.down AS t, f.kind, f.flag, f.stop_party, f.n AS pn,
                   CASE WHEN f.whole THEN 1 ELSE 0 END AS pwhole, {moved} AS ext
            FROM {prev} f
            JOIN fl_step_edge e ON e.up = f.t
            LEFT JOIN fl_step_cycle c ON c.up = e.up AND c.down = e.down
            WHERE f.stop_party IS NULL OR e.seller <> f.stop_party
        ) c
        GROUP BY t, kind, flag, stop_party
        ) a
        ) b
        """,
    )


def hop_sql(d: Dialect, depth: int, lookback_days: int, cap: int) -> list[Table]:
    """The statements of one hop, in order: fl_front_{depth+1} and fl_path_{depth+1} from
    fl_front_{depth} and fl_path_{depth}. A route's new id is its group's ``gid`` and its
    place in the group's list (:data:`ROUTE_SLOTS`); its path is its parent's with the
    group's transaction in front."""
    new_id = f"gid * {ROUTE_SLOTS} + i"
    ids = d.transform_at("routes", "r", "i", d.struct(id=new_id, p="r.id"))
    return [
        hop_edges_sql(d, depth, lookback_days),
        cycles_sql(d, depth),
        step_sql(d, depth, lookback_days, cap),
        Table(
            f"fl_front_{depth + 1}",
            f"""
            SELECT t, kind, flag, stop_party, n, whole,
                   {d.transform_at("routes", "r", "i", d.struct(o="r.o", id=new_id))} AS routes
            FROM fl_step_next
            """,
        ),
        Table(
            f"fl_path_{depth + 1}",
            f"""
            SELECT u.id, u.t, {d.prepend("u.t", "p.path")} AS path
            FROM (
                SELECT t, r.id AS id, r.p AS p FROM (
                    SELECT t, {d.explode(ids)} AS r FROM fl_step_next
                ) x
            ) u
            JOIN fl_path_{depth} p ON p.id = u.p
            """,
        ),
    ]


def results_sql(d: Dialect, depths: int, cap: int) -> Table:
    """fl_out: per shipment its ``cap`` first taint routes (in the order the in-memory
    tracer lists them: confidence and kind of the source, larger share, fewer steps, then
    transactions and source), the number of taint routes in all (kind
    :data:`KIND_COUNT`, in ``n``), each gap once (its largest-share route) and each
    shortfall once. Routes are ranked by share and length first; only those that can
    still make the cut (ties included) get their transactions from fl_path."""
    union = " UNION ALL ".join(
        f"SELECT t, kind, flag, n, routes, {k} AS k FROM fl_front_{k}" for k in range(1, depths + 1)
    )
    paths = " UNION ALL ".join(
        f"SELECT {k} AS k, id, path FROM fl_path_{k}" for k in range(1, depths + 1)
    )
    none = "CAST(NULL AS BIGINT)"
    return Table(
        "fl_out",
        f"""
        WITH x AS (
            SELECT sd.s, g.kind, g.flag, sd.t AS seed, sd.w AS seed_w, g.n, g.routes, g.k
            FROM fl_seed sd JOIN ({union}) g ON g.t = sd.t
        ),
        r AS (
            SELECT s, kind, flag, seed, seed_w, k, {d.explode("routes")} AS rt
            FROM x WHERE kind IN ({KIND_TAINT}, {KIND_GAP})
        ),
        y AS (
            SELECT r.s, r.kind, r.flag, r.seed, -(rt.o * COALESCE(r.seed_w, 0)) AS share,
                   r.seed_w, r.k, rt.id AS id, rt.o * COALESCE(r.seed_w, 0) AS o,
                   r.k AS steps
            FROM r
        ),
        paths AS ({paths})
        SELECT s, kind, flag, seed, share, seed_w, path, {none} AS n FROM (
            SELECT c.*, p.path, row_number() OVER (
                PARTITION BY c.s ORDER BY c.prefix, c.o, c.steps, p.path, c.frank) AS j
            FROM (
                SELECT * FROM (
                    SELECT y.*, fl.prefix, fl.frank, rank() OVER (
                        PARTITION BY y.s ORDER BY fl.prefix, y.o, y.steps) AS q
                    FROM y JOIN fl_flag fl ON fl.flag = y.flag
                    WHERE y.kind = {KIND_TAINT}
                ) ranked WHERE q <= {int(cap)}
            ) c JOIN paths p ON p.k = c.k AND p.id = c.id
        ) listed WHERE j <= {int(cap)}
        UNION ALL
        SELECT s, {KIND_COUNT}, CAST(-1 AS BIGINT), CAST(NULL AS INTEGER), CAST(NULL AS DOUBLE),
               CAST(NULL AS DOUBLE), NULL, SUM(n)
        FROM x WHERE kind = {KIND_TAINT} GROUP BY s
        UNION ALL
        SELECT s, kind, flag, seed, share, seed_w, path, {none} FROM (
            SELECT c.*, p.path, row_number() OVER (
                PARTITION BY c.s, c.flag ORDER BY c.o, c.steps, p.path) AS j
            FROM (
                SELECT * FROM (
                    SELECT y.*, rank() OVER (
                        PARTITION BY y.s, y.flag ORDER BY y.o, y.steps) AS q
                    FROM y WHERE y.kind = {KIND_GAP}
                ) ranked WHERE q = 1
            ) c JOIN paths p ON p.k = c.k AND p.id = c.id
        ) best WHERE j = 1
        UNION ALL
        SELECT DISTINCT s, kind, flag, CAST(NULL AS INTEGER), CAST(NULL AS DOUBLE),
               CAST(NULL AS DOUBLE), NULL, {none}
        FROM (
            SELECT s, kind, flag FROM x WHERE kind = {KIND_MASS}
            UNION ALL
            SELECT sh.s, {KIND_MASS} AS kind, CAST(mb.key AS BIGINT) AS flag
            FROM fl_ship sh JOIN fl_mb mb ON mb.party = sh.manufacturer
                 AND mb.output = sh.product AND mb.period = sh.period
        ) m
        """,
    )


def hop_weights_sql(d: Dialect) -> Table:
    """fl_hop(dn, up, w): the weight of each hop of the routes reported (purchase ``up``'s
    share of what sale ``dn`` can be made of; NULL where no factor converts it), by the
    expression the propagation multiplied, so a step shows the share its route carried."""
    return Table(
        "fl_hop",
        f"""
        SELECT DISTINCT h.dn, h.up,
               CASE WHEN fd.total > 0 THEN u.qty / um.factor / fd.total / fd.pools END AS w
        FROM (
            SELECT {d.at("path", "i")} AS dn, {d.at("path", "i + 1")} AS up
            FROM (SELECT path, {d.positions("path")} AS i FROM fl_out
                  WHERE path IS NOT NULL AND {d.length("path")} > 1) x
        ) h
        JOIN fl_txn u ON u.t = h.up
        JOIN fl_txn dn ON dn.t = h.dn
        JOIN fl_um um ON um.material = dn.material AND um.input = u.material
        LEFT JOIN fl_feed fd ON fd.t = dn.t AND fd.k = {_pool("um", "u")}
        """,
    )


def count_sql(table: str) -> str:
    return f"SELECT COUNT(*) FROM {table}"


def seed_materials_sql() -> str:
    """Per shipment, the materials of its first-hop purchases (for 'no_supplier' gaps)."""
    return "SELECT DISTINCT s, material FROM fl_seed"


def out_sql(lo: int | None = None, hi: int | None = None) -> str:
    """fl_out's rows in shipment order, those of shipments ``lo`` <= s < ``hi`` if given."""
    return (
        f"SELECT s, kind, flag, seed, share, seed_w, path, n FROM fl_out{_between(lo, hi)} "
        "ORDER BY s, kind, flag, seed"
    )


def ships_sql(lo: int | None = None, hi: int | None = None) -> str:
    """The shipments to report, in order (``lo`` <= s < ``hi`` if given)."""
    return (
        "SELECT s, id, manufacturer_id, exporter_id, product FROM fl_ship_detail"
        f"{_between(lo, hi)} ORDER BY s"
    )


def _between(lo: int | None, hi: int | None) -> str:
    cond = [f"s >= {int(lo)}"] if lo is not None else []
    cond += [f"s < {int(hi)}"] if hi is not None else []
    return f" WHERE {' AND '.join(cond)}" if cond else ""


def slices_sql(n: int) -> str:
    """(k, first s) for k = 1 .. n-1: where to cut the shipments into ``n`` contiguous
    slices of about equal decoding work (a shipment and each of its fl_out rows)."""
    ks = ", ".join(f"({k})" for k in range(1, max(2, n)))
    return f"""
        WITH w AS (
            SELECT d.s, SUM(1 + COALESCE(o.c, 0)) OVER (ORDER BY d.s) AS cum
            FROM fl_ship_detail d
            LEFT JOIN (SELECT s, COUNT(*) AS c FROM fl_out GROUP BY s) o ON o.s = d.s
        ),
        tot AS (SELECT MAX(cum) AS tot FROM w)
        SELECT r.k, MIN(w.s) FROM w CROSS JOIN tot CROSS JOIN (VALUES {ks}) AS r(k)
        WHERE w.cum * {int(n)} >= tot.tot * r.k
        GROUP BY r.k ORDER BY r.k
        """
