"""The steps of the batch trace's reported routes rendered as JSON in SQL.

``runner.write_batch`` on DuckDB writes each shipment's ``TraceResult`` as the
JSON line ``orjson.dumps`` makes of the result ``runner.run_batch`` decodes,
byte for byte, without making the result: a route's steps (most of the bytes)
come from SQL as JSON text, numbers spelled as orjson spells them
(:func:`num`), shares rounded as Python's ``round(x, 6)`` rounds
(:func:`round6`), strings escaped by DuckDB's ``to_json`` (which escapes as
orjson does). Each reported transaction is rendered once (``fl_rstep``), each
hop's share once (``fl_rhop``), and a route's steps by one join per position
(:func:`routes_sql`); Python orders the routes and writes the rest of the line.
Rendering the whole line in SQL was tried and was slower at 10M transactions:
aggregating and sorting the large strings per shipment cost more than Python's
joins of them.
"""

from __future__ import annotations

from collections.abc import Sequence

import orjson

from flscreen.batch import sql
from flscreen.model.trace import TaintSource
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


def routes_sql(depth: int) -> tuple[str, str, str, str]:
    """For a row of ``o`` (fl_out's rows, paths of at most ``depth`` transactions): the
    JOINs that bring each position's step (``sj``) and hop share (``sh``), its steps as
    the pieces of one JSON list (to go inside one ``concat``: each byte copied once),
    whether every share on it is known and its transaction ids (to order routes by).
    Step k's share is the seed's weight for k = 1, else the hop's from transaction k-1
    to k; one join per position, so no row is unnested and regrouped."""
    pieces, known, tids, joins = [], ["o.seed_w IS NOT NULL"], [], []
    for k in range(1, max(1, depth) + 1):
        if k > 1:
            pieces.append(f"CASE WHEN len(o.path) >= {k} THEN ',' END")
        # a position past the route's end joins nothing: its pieces are NULL, which
        # concat skips
        pieces += [f"j{k}.head", share_json("o.seed_w") if k == 1 else f"h{k}.wj", f"j{k}.tail"]
        tids.append(f"COALESCE(j{k}.tid, '')")
        joins.append(f"LEFT JOIN sj j{k} ON j{k}.t = o.path[{k}]")
        if k > 1:
            known.append(f"(len(o.path) < {k} OR h{k}.w IS NOT NULL)")
            joins.append(
                f"LEFT JOIN sh h{k} ON len(o.path) >= {k} "
                f"AND h{k}.dn = o.path[{k - 1}] AND h{k}.up = o.path[{k}]"
            )
    return (
        " ".join(joins),
        ", ".join(pieces),
        " AND ".join(known),
        f"list_value({', '.join(tids)})[1:len(o.path)]",
    )


def rows_sql(lo: int, hi: int, depth: int) -> str:
    """fl_out's rows of shipments ``lo`` <= s < ``hi`` in shipment order: per shipment its
    taint routes first, in :func:`flscreen.trace.memory.route_key` order (confidence and
    kind of the source, larger share, fewer steps, the transactions, the source), then its
    gaps, shortfalls and count as :func:`sql.out_sql` orders them. Each row is (s, kind,
    flag, n, prefix of the route order, share, JSON, confirmed) and, for gaps, what the
    detail cites of the last step (supplier, material, transaction, supplier name); the
    JSON (UTF-8 bytes, which Python joins without decoding) is a taint route's whole
    path, a gap's steps. Routes of at most ``depth`` transactions; the order needs
    ``fl_rflag`` (:func:`flag_rows`)."""
    taint = f"o.kind = {sql.KIND_TAINT}"
    gap = f"o.kind = {sql.KIND_GAP}"
    joins, steps, known, tids = routes_sql(depth)
    share = f"CASE WHEN {known} THEN {num(round6('o.share'))} ELSE 'null' END"
    head = cat(lit('{"source":'), "f.json", lit(',"steps":'))
    tail = cat(lit(',"share":'), share, lit(',"evidence":"declared"}'))
    text = cat(
        f"CASE WHEN {taint} THEN {head} END",
        "'['",
        steps,
        "']'",
        f"CASE WHEN {taint} THEN {tail} END",
    )
    order = ", ".join(
        f"CASE WHEN {taint} THEN {key} END"
        for key in ("f.prefix", "-o.share", "len(o.path)", tids, "f.frank")
    )
    return f"""
        WITH o AS (
            SELECT s, kind, flag, seed, share, seed_w, path, n
            FROM fl_out WHERE s >= {int(lo)} AND s < {int(hi)}
        ),
        sj AS (SELECT * FROM fl_rstep WHERE t IN (SELECT unnest(path) FROM o)),
        sh AS (SELECT * FROM fl_rhop WHERE up IN (SELECT unnest(path) FROM o))
        SELECT o.s, o.kind, o.flag, o.n, f.prefix, o.share,
               CASE WHEN o.path IS NOT NULL THEN encode({text}) END, f.confirmed,
               j.supplier_id, j.material, j.tid, j.sname
        FROM o {joins}
        LEFT JOIN sj j ON {gap} AND j.t = o.path[len(o.path)]
        LEFT JOIN fl_rflag f ON {taint} AND f.flag = o.flag
        ORDER BY o.s, o.kind, {order}, o.flag, o.seed
        """


def flag_rows(sources: Sequence[TaintSource]) -> list[tuple[int, str, int, int, bool]]:
    """fl_rflag(flag, json, prefix, frank, confirmed): per taint source (by position) its
    JSON, the route order's prefix (confidence, then kind: :data:`KIND_ORDER`) and rank
    among the sources (party, facility, detail), and whether it is confirmed."""
    keys = sorted({(s.party_id, s.facility_id or "", s.detail) for s in sources})
    rank = {k: n for n, k in enumerate(keys)}
    return [
        (
            i,
            orjson.dumps(s).decode(),
            prefix(s),
            rank[(s.party_id, s.facility_id or "", s.detail)],
            s.confidence == "confirmed",
        )
        for i, s in enumerate(sources)
    ]


def prefix(source: TaintSource) -> int:
    """Where a source's routes come in the route order before their share: confirmed
    first, then lists, ownership, XPCC and region."""
    return (source.confidence != "confirmed") * 10 + KIND_ORDER[source.kind]


def bought_sql(lo: int, hi: int) -> str:
    """Per shipment ``lo`` <= s < ``hi``, the materials of its first-hop purchases."""
    return (
        "SELECT sd.s, list(DISTINCT m.name) FROM fl_seed sd "
        "JOIN fl_mat_name m ON m.material = sd.material "
        f"WHERE sd.s >= {int(lo)} AND sd.s < {int(hi)} GROUP BY sd.s"
    )
