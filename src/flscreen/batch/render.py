"""The batch trace's JSON lines rendered in SQL, so Python never decodes the routes.

``runner.write_batch`` on DuckDB writes each shipment's ``TraceResult`` as the
JSON line ``orjson.dumps`` makes of the result ``runner.run_batch`` decodes,
byte for byte: the same fields in the same order, numbers spelled as orjson
spells them (:func:`num`), shares rounded as Python's ``round(x, 6)`` rounds
(:func:`round6`), strings escaped by DuckDB's ``to_json`` (which escapes as
orjson does). Python renders only what is small and already in its hands (the
taint sources, the mass-balance findings and missing conversions, the
unknown suppliers' names, the products' needs) and loads it as tables; SQL
renders each reported transaction once (``fl_rstep``), then per slice of
shipments each route's steps, the routes in :func:`flscreen.trace.memory.route_key`
order up to ``max_paths``, the gaps and the findings, and the line.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import orjson

from flscreen.batch import sql
from flscreen.model.trace import Gap, MassBalanceFinding, TaintSource
from flscreen.trace.config import TraceConfig
from flscreen.trace.massbalance import finding_order
from flscreen.trace.memory import KIND_ORDER


def num(x: str) -> str:
    """The JSON text orjson writes for the DOUBLE ``x`` (null for NULL, NaN and infinity):
    DuckDB's ``to_json`` agrees except below 1e-5 and from 1e16, where orjson writes an
    exponent (``2.5e-6``, ``1e+16``) as DuckDB's VARCHAR cast does, less the exponent's
    leading zero."""
    return (
        f"CASE WHEN {x} IS NULL OR isnan({x}) OR isinf({x}) THEN 'null' "
        f"WHEN {x} <> 0 AND (abs({x}) < 1e-5 OR abs({x}) >= 1e16) "
        f"THEN replace(CAST({x} AS VARCHAR), 'e-0', 'e-') "
        f"ELSE CAST(to_json({x}) AS VARCHAR) END"
    )


def round6(x: str) -> str:
    """Python's ``round(x, 6)``: the exact binary value rounded to six decimals (printf
    rounds it exactly, as Python does), read back as a DOUBLE."""
    return f"CAST(printf('%.6f', {x}) AS DOUBLE)"


def js(x: str) -> str:
    """A VARCHAR as a JSON string, NULL as null."""
    return f"COALESCE(CAST(to_json({x}) AS VARCHAR), 'null')"


def text(x: str) -> str:
    """A VARCHAR as Python's f-string shows it (None for NULL)."""
    return f"COALESCE({x}, 'None')"


def cat(*parts: str) -> str:
    """The strings ``parts`` (none NULL) as one: one ``concat`` copies each part once, where
    a chain of ``||`` copies the growing string at every step."""
    return f"concat({', '.join(parts)})"


def lit(value: str) -> str:
    """``value`` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def step_json_sql() -> sql.Table:
    """fl_rstep(t, head, tail, tid, supplier_id, material, sname): each transaction on a
    reported route as its Step's JSON around ``share_of_input`` (which depends on the
    route), and what a gap's detail cites of it."""
    sname = "CASE WHEN sp.id IS NULL THEN d.supplier_id ELSE sp.name END"
    bname = "CASE WHEN bp.id IS NULL THEN d.buyer_id ELSE bp.name END"
    docs = (
        "CASE WHEN d.documents IS NULL OR d.documents = '' THEN '[]' "
        "ELSE CAST(json(d.documents) AS VARCHAR) END"
    )
    kind = "CASE WHEN d.kind IS NULL OR d.kind = '' THEN 'documented' ELSE d.kind END"
    head = cat(
        lit('{"transaction_id":'),
        js("d.id"),
        lit(',"supplier_id":'),
        js("d.supplier_id"),
        lit(',"buyer_id":'),
        js("d.buyer_id"),
        lit(',"material":'),
        js("d.material"),
        lit(',"quantity":'),
        num("d.quantity"),
        lit(',"unit":'),
        js("d.unit"),
        lit(',"date":'),
        js("d.date"),
        lit(',"documents":'),
        docs,
        lit(',"supplier_name":'),
        js(sname),
        lit(',"buyer_name":'),
        js(bname),
        lit(',"supplier_facility_id":'),
        js("d.facility_id"),
        lit(',"share_of_input":'),
    )
    tail = cat(lit(',"kind":'), js(kind), lit(',"provenance":'), js("d.provenance"), lit("}"))
    return sql.Table(
        "fl_rstep",
        f"""
        SELECT d.t, {head} AS head, {tail} AS tail, d.id AS tid, d.supplier_id, d.material,
               {sname} AS sname
        FROM fl_txn_detail d
        JOIN (SELECT DISTINCT unnest(path) AS t FROM fl_out) p ON p.t = d.t
        LEFT JOIN fl_party sp ON sp.id = d.supplier_id
        LEFT JOIN fl_party bp ON bp.id = d.buyer_id
        """,
    )


def share_json(w: str) -> str:
    """A share as its Step or path shows it: ``round(w, 6)``, null when not known."""
    return f"CASE WHEN {w} IS NULL THEN 'null' ELSE {num(round6(w))} END"


def hops_json_sql() -> sql.Table:
    """fl_rhop(dn, up, w, wj): fl_hop with each weight as the JSON its step shows."""
    return sql.Table("fl_rhop", f"SELECT dn, up, w, {share_json('w')} AS wj FROM fl_hop")


def routes_sql(depth: int) -> str:
    """Per route row of ``o`` (fl_out's rows with a path of at most ``depth``
    transactions): its steps as JSON, whether every share on it is known, its transaction
    ids (to order routes by) and its last transaction. Step k's share is the seed's weight
    for k = 1, else the hop's from transaction k-1 to k; one join per position, so no row
    is unnested and regrouped."""
    steps, known, tids, joins = [], ["o.seed_w IS NOT NULL"], [], []
    for k in range(1, max(1, depth) + 1):
        wj = share_json("o.seed_w") if k == 1 else f"h{k}.wj"
        steps.append(f"CASE WHEN len(o.path) >= {k} THEN {cat(f'j{k}.head', wj, f'j{k}.tail')} END")
        tids.append(f"COALESCE(j{k}.tid, '')")
        joins.append(f"LEFT JOIN sj j{k} ON j{k}.t = o.path[{k}]")
        if k > 1:
            known.append(f"(len(o.path) < {k} OR h{k}.w IS NOT NULL)")
            joins.append(
                f"LEFT JOIN fl_rhop h{k} ON len(o.path) >= {k} "
                f"AND h{k}.dn = o.path[{k - 1}] AND h{k}.up = o.path[{k}]"
            )
    return f"""
            SELECT o.rid, {cat("'['", f"concat_ws(',', {', '.join(steps)})", "']'")} AS steps,
                   {" AND ".join(known)} AS known,
                   list_value({", ".join(tids)})[1:len(o.path)] AS tids,
                   o.path[len(o.path)] AS last
            FROM o {" ".join(joins)}
            WHERE o.path IS NOT NULL"""


def first(items: str, n: int) -> str:
    """The ``n`` first of ``items`` (structs with a key ``k``) in the order of their keys:
    grading the keys alone, then picking, leaves the strings out of the sort."""
    return f"list_select({items}, list_grade_up(list_transform({items}, lambda x: x.k))[1:{n}])"


def ordered(keys: str, value: str) -> str:
    """Aggregate: the group's ``value`` strings joined by commas in the order of ``keys``
    (columns): sorting a list of structs is much cheaper than an ordered aggregate."""
    fields = ", ".join(f"k{i} := {k}" for i, k in enumerate(keys.split(",")))
    return (
        f"array_to_string(list_transform(list_sort(list(struct_pack({fields}, v := {value}))), "
        "lambda x: x.v), ',')"
    )


def lines_sql(config: TraceConfig, lo: int, hi: int, depth: int) -> sql.Table:
    """fl_rline(s, line, listed, unlisted, tainted, gaps, findings): the JSON line of each
    shipment ``lo`` <= s < ``hi`` (routes of at most ``depth`` transactions) and the counts
    a summary adds up."""
    cap = int(config.max_paths)
    days = int(config.lookback_days)
    share = "CASE WHEN rs.known THEN " + num(round6("o.share")) + " ELSE 'null' END"
    sector = text("sc.sector")
    unknown = cat(
        text("j.material"),
        "' ('",
        sector,
        "') in '",
        text("j.tid"),
        "' comes from '",
        "u.repr",
        "', a supplier that cannot be identified or screened'",
    )
    ends = cat(
        text("j.sname"),
        "' sold '",
        text("j.material"),
        "' ('",
        sector,
        "') in '",
        text("j.tid"),
        f"' but no purchase of it or its inputs is documented in the {days} days before'",
    )

    def gap(party: str, material: str, reason: str, detail: str, steps: str, sector: str) -> str:
        return cat(
            lit('{"party_id":'),
            js(party),
            lit(',"material":'),
            js(material),
            lit(',"reason":'),
            js(reason),
            lit(',"detail":'),
            js(detail),
            lit(',"steps":'),
            steps,
            lit(',"sector":'),
            js(sector),
            "'}'",
        )

    more = "t.routes - COALESCE(lp.listed, 0)"
    limit = cat(
        "format('{:,}', t.routes)",
        "' tainted routes: the first '",
        "format('{:,}', COALESCE(lp.listed, 0))",
        "' (max_paths) are listed, confirmed sources and larger shares first; '",
        f"format('{{:,}}', {more})",
        "' more are not'",
    )
    manufacturer = f"CASE WHEN mp.id IS NULL THEN sh.manufacturer_id ELSE {text('mp.name')} END"
    no_supplier = cat(
        manufacturer,
        "' documents no purchase of '",
        "nd.material",
        "' ('",
        "nd.sector",
        f"') or its inputs in the {days} days before the shipment'",
    )
    reason = "CASE WHEN u.id IS NULL THEN 'ends_before_raw_material' ELSE 'unknown_supplier' END"
    detail = f"CASE WHEN u.id IS NULL THEN {ends} ELSE {unknown} END"
    route_gap = gap("j.supplier_id", "j.material", reason, detail, "rs.steps", "sc.sector")
    need_gap = gap(
        "sh.manufacturer_id", "nd.material", "'no_supplier'", no_supplier, "'[]'", "nd.sector"
    )
    limit_gap = gap("sh.manufacturer_id", "sh.product", "'path_limit'", limit, "'[]'", "NULL")
    path_json = cat(
        lit('{"source":'),
        "f.json",
        lit(',"steps":'),
        "rs.steps",
        lit(',"share":'),
        share,
        lit(',"evidence":"declared"}'),
    )
    zero_json = cat(
        lit('{"source":'), "f.json", lit(',"steps":[],"share":1.0,"evidence":"declared"}')
    )
    line = cat(
        lit('{"shipment":'),
        js("sh.id"),
        lit(',"tainted":'),
        "CASE WHEN COALESCE(lp.tainted, FALSE) THEN 'true' ELSE 'false' END",
        lit(',"paths":['),
        "COALESCE(lp.json, '')",
        lit('],"gaps":['),
        "COALESCE(ga.json, '')",
        lit('],"mass_balance":['),
        "COALESCE(mf.json, '')",
        lit('],"unlisted_paths":'),
        "CAST(COALESCE(t.routes, 0) - COALESCE(lp.listed, 0) AS VARCHAR)",
        "'}'",
    )
    return sql.Table(
        "fl_rline",
        f"""
        WITH ship AS (
            SELECT s, id, manufacturer_id, exporter_id, product FROM fl_ship_detail
            WHERE s >= {int(lo)} AND s < {int(hi)}
        ),
        o AS (
            SELECT row_number() OVER () AS rid, s, kind, flag, seed, share, seed_w, path, n
            FROM fl_out WHERE s >= {int(lo)} AND s < {int(hi)}
        ),
        sj AS (
            SELECT * FROM fl_rstep WHERE t IN (SELECT unnest(path) FROM o)
        ),
        rs AS ({routes_sql(depth)}
        ),
        zero AS (
            SELECT sh.s, z.flag, z.pos FROM ship sh JOIN fl_rzero z ON z.party = sh.manufacturer_id
            UNION ALL
            SELECT sh.s, z.flag, z.pos FROM ship sh JOIN fl_rzero z ON z.party = sh.exporter_id
            WHERE sh.exporter_id <> sh.manufacturer_id
        ),
        cand AS (
            SELECT o.s, f.prefix, -o.share AS neg, len(o.path) AS nsteps, rs.tids, f.frank,
                   o.flag, o.seed AS tie, f.confirmed, {path_json} AS js
            FROM o JOIN rs ON rs.rid = o.rid JOIN fl_rflag f ON f.flag = o.flag
            WHERE o.kind = {sql.KIND_TAINT}
            UNION ALL
            SELECT z.s, f.prefix, -1.0, 0, [], f.frank, f.flag, z.pos, f.confirmed, {zero_json}
            FROM zero z JOIN fl_rflag f ON f.flag = z.flag
        ),
        lr AS (
            SELECT s, list(struct_pack(k := struct_pack(prefix := prefix, neg := neg,
                       nsteps := nsteps, tids := tids, frank := frank, flag := flag, tie := tie),
                       confirmed := confirmed, js := js)) AS routes
            FROM cand GROUP BY s
        ),
        lq AS (
            SELECT s, {first("routes", cap)} AS routes FROM lr
        ),
        lp AS (
            SELECT s, array_to_string(list_transform(routes, lambda x: x.js), ',') AS json,
                   len(routes) AS listed, routes[1].confirmed AS tainted
            FROM lq
        ),
        t AS (
            SELECT s, CAST(SUM(c) AS BIGINT) AS routes FROM (
                SELECT s, n AS c FROM o WHERE kind = {sql.KIND_COUNT}
                UNION ALL SELECT s, 1 FROM zero
            ) x GROUP BY s
        ),
        mk AS (SELECT DISTINCT s, flag FROM o WHERE kind = {sql.KIND_MASS}),
        hit AS (
            SELECT DISTINCT sh.s, nd.idx FROM ship sh
            JOIN fl_seed se ON se.s = sh.s
            JOIN fl_mat_name m ON m.material = se.material
            JOIN fl_rneed nd ON nd.product = sh.product AND nd.member = m.name
        ),
        g AS (
            SELECT o.s, 0 AS grp, o.flag AS k1, o.seed AS k2,
                   {route_gap} AS js
            FROM o JOIN rs ON rs.rid = o.rid JOIN sj j ON j.t = rs.last
            LEFT JOIN fl_rsector sc ON sc.material = j.material
            LEFT JOIN fl_runknown u ON u.id = j.supplier_id
            WHERE o.kind = {sql.KIND_GAP}
            QUALIFY row_number() OVER (PARTITION BY o.s, o.flag ORDER BY o.seed) = 1
            UNION ALL
            SELECT sh.s, 1, nd.idx, 0,
                   {need_gap}
            FROM ship sh
            JOIN (SELECT DISTINCT product, idx, material, sector FROM fl_rneed) nd
                 ON nd.product = sh.product
            LEFT JOIN hit ON hit.s = sh.s AND hit.idx = nd.idx
            LEFT JOIN fl_party mp ON mp.id = sh.manufacturer_id
            WHERE hit.idx IS NULL
            UNION ALL
            SELECT sh.s, 2, 0, 0,
                   {limit_gap}
            FROM ship sh JOIN t ON t.s = sh.s LEFT JOIN lp ON lp.s = sh.s
            WHERE {more} > 0
            UNION ALL
            SELECT mk.s, 3, m.grank, 0, arg_min(m.json, [m.key, m.pos])
            FROM mk JOIN fl_rmgap m ON m.key = mk.flag GROUP BY mk.s, m.grank
        ),
        ga AS (
            SELECT s, {ordered("grp, k1, k2", "js")} AS json,
                   COUNT(*) FILTER (WHERE grp <> 2) AS gaps
            FROM g GROUP BY s
        ),
        mf AS (
            SELECT mk.s, {ordered("f.frank", "f.json")} AS json, COUNT(*) AS findings
            FROM mk JOIN fl_rfind f ON f.key = mk.flag GROUP BY mk.s
        )
        SELECT sh.s, {line} AS line,
               COALESCE(lp.listed, 0) AS listed,
               COALESCE(t.routes, 0) - COALESCE(lp.listed, 0) AS unlisted,
               COALESCE(lp.tainted, FALSE) AS tainted,
               COALESCE(ga.gaps, 0) AS gaps, COALESCE(mf.findings, 0) AS findings
        FROM ship sh
        LEFT JOIN lp ON lp.s = sh.s LEFT JOIN t ON t.s = sh.s
        LEFT JOIN ga ON ga.s = sh.s LEFT JOIN mf ON mf.s = sh.s
        """,
    )


def render_tables(
    names: Mapping[str, str | None],
    flags: Sequence[TaintSource],
    zero: Mapping[str, Sequence[TaintSource]],
    unknown: frozenset[str],
    mass: Mapping[int, Sequence[MassBalanceFinding | Gap]],
    needs: Mapping[str, Sequence[tuple[str, str, frozenset[str]]]],
    sectors: Mapping[str, str | None],
) -> dict[str, list[tuple[Any, ...]]]:
    """The small tables Python renders for :func:`lines_sql`: taint sources (``fl_rflag``:
    JSON, the route order's prefix and rank, whether confirmed), the manufacturers' and
    exporters' own sources (``fl_rzero``), unknown suppliers' names as Python's repr
    (``fl_runknown``), sectors by material (``fl_rsector``), what each product needs
    (``fl_rneed``: one row per input each need's closure holds), the findings
    (``fl_rfind``, ranked in the order a result lists them) and missing conversions
    (``fl_rmgap``, ranked likewise)."""
    sources: list[TaintSource] = list(flags)
    index = {id(s): i for i, s in enumerate(sources)}
    zero_rows = []
    for party, found in zero.items():
        for pos, src in enumerate(found):
            if id(src) not in index:
                index[id(src)] = len(sources)
                sources.append(src)
            zero_rows.append((party, index[id(src)], pos))
    keys = sorted({(s.party_id, s.facility_id or "", s.detail) for s in sources})
    rank = {k: n for n, k in enumerate(keys)}
    flag_rows = [
        (
            i,
            orjson.dumps(s).decode(),
            (s.confidence != "confirmed") * 10 + KIND_ORDER[s.kind],
            rank[(s.party_id, s.facility_id or "", s.detail)],
            s.confidence == "confirmed",
        )
        for i, s in enumerate(sources)
    ]
    found_rows = sorted(
        (
            (finding_order(item), key, pos, item)
            for key, items in mass.items()
            for pos, item in enumerate(items)
            if isinstance(item, MassBalanceFinding)
        ),
        key=lambda r: (r[0], r[1], r[2]),
    )
    gap_keys = sorted(
        {
            (item.party_id, item.material, item.detail)
            for items in mass.values()
            for item in items
            if isinstance(item, Gap)
        }
    )
    grank = {k: n for n, k in enumerate(gap_keys)}
    gap_rows = []
    for key, items in mass.items():
        for pos, item in enumerate(items):
            if isinstance(item, Gap):
                k = (item.party_id, item.material, item.detail)
                gap_rows.append((key, grank[k], pos, orjson.dumps(item).decode()))
    need_rows = [
        (product, idx, material, sector, member)
        for product, found in needs.items()
        for idx, (material, sector, closure) in enumerate(found)
        for member in sorted(closure)
    ]
    return {
        "fl_rflag": flag_rows,
        "fl_rzero": zero_rows,
        "fl_runknown": [(pid, repr(names.get(pid, pid))) for pid in sorted(unknown)],
        "fl_rsector": sorted(sectors.items()),
        "fl_rneed": need_rows,
        "fl_rfind": [
            (key, n, orjson.dumps(item).decode()) for n, (_, key, _, item) in enumerate(found_rows)
        ],
        "fl_rmgap": gap_rows,
    }


TABLES = (
    "fl_rhop",
    "fl_rflag",
    "fl_rzero",
    "fl_runknown",
    "fl_rsector",
    "fl_rneed",
    "fl_rfind",
    "fl_rmgap",
)
"""The tables :func:`render_tables` fills."""


def counts_sql() -> str:
    """fl_rline's counts, in the order of ``runner.SUMMARY``."""
    return """
        SELECT COUNT(*), SUM(CAST(tainted AS INTEGER)), SUM(listed), SUM(unlisted), SUM(gaps),
               SUM(findings), SUM(CAST(gaps > 0 AS INTEGER)), SUM(CAST(unlisted > 0 AS INTEGER)),
               SUM(CAST(findings > 0 AS INTEGER))
        FROM fl_rline
        """
