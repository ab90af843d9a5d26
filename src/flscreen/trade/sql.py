"""Firm resolution and edge inference as SQL: pure functions from (dialect, parameters).

The same statements run on DuckDB and Spark (splink's pattern; see
:mod:`flscreen.batch.sql`). Input: ``tr_rec`` (one row per record, see
:data:`RECORD_COLUMNS`). Python steps in between (name keys from flscreen's
normaliser, union-find) read and write plain tables, so both engines see the
same inputs at every step.
"""

from __future__ import annotations

from dataclasses import dataclass

from flscreen.batch.sql import Dialect, Table
from flscreen.trade.materials import material_case

RECORD_COLUMNS: tuple[tuple[str, str], ...] = (
    ("record_id", "VARCHAR"),
    ("bill_number", "VARCHAR"),
    ("day", "INTEGER"),
    ("date", "VARCHAR"),
    ("shipper_name", "VARCHAR"),
    ("shipper_address", "VARCHAR"),
    ("shipper_country", "VARCHAR"),
    ("consignee_name", "VARCHAR"),
    ("consignee_address", "VARCHAR"),
    ("consignee_country", "VARCHAR"),
    ("notify_name", "VARCHAR"),
    ("notify_address", "VARCHAR"),
    ("hs", "VARCHAR"),
    ("goods", "VARCHAR"),
    ("weight_kg", "DOUBLE"),
)
"""``tr_rec``: ``day`` is days since 1970-01-01, ``hs`` the first HS code (digits)."""


@dataclass(frozen=True, slots=True)
class Params:
    """Thresholds of the pairwise decision and of the transshipment flag (docs/trade.md)."""

    algorithm: str = "trade-firms-v3"
    """``trade-firms-v1`` and ``-v2`` keep the earlier methods (for comparison)."""
    max_token_df: int = 400
    """A name token shared by more variants than this (in one country) does not block."""
    rare_token_df: int = 20
    """v2: a single name word blocks only when this few spellings (in one country) hold it."""
    rare_name_df: int = 6
    """v3: a single name word blocks only when this few distinct names (one country) hold it."""
    name_block_cap: int = 40
    """v3: no block of more distinct names than this (a word pair, a one-letter-off key) is
    used; an address block of more spellings than ``max_token_df`` neither."""
    name_high: float = 0.9
    """Name similarity that matches alone (unless the addresses clearly differ)."""
    addr_veto: float = 0.6
    """Below this address similarity even a high name similarity does not match."""
    name_alone: float = 0.97
    """v1: name similarity that matches when one side has no address (or scripts differ)."""
    name_mid: float = 0.75
    """Name similarity that matches when the address agrees to ``addr_high``."""
    addr_high: float = 0.8
    token_typo: float = 0.8
    """v2: two name words this alike (one letter in five) count as the same word."""
    soft_alone: float = 0.9
    """v2: weighted name similarity that matches when no address can be compared."""
    soft_mid: float = 0.75
    """v2: weighted name similarity that matches when the addresses agree to ``addr_high``."""
    ts_max_lag_days: int = 90
    """An outbound shipment counts as passing on inbound goods received this many days before."""
    ts_min_ratio: float = 0.5
    ts_max_ratio: float = 1.5
    """Xinjiang-linked inbound in the window must be this share of the outbound's weight."""


def _to_order(col: str) -> str:
    """A consignee that is no firm ('TO ORDER', 'TO THE ORDER OF ...'): the notify party buys."""
    return f"(lower({col}) LIKE 'to order%' OR lower({col}) LIKE 'to the order%')"


def mentions_select() -> str:
    """Every (role, name, address, country) a record names; empty strings for missing parts."""
    buyer = _to_order("consignee_name")
    return f"""
SELECT record_id, 'shipper' AS role, shipper_name AS name,
       coalesce(shipper_address, '') AS address, coalesce(shipper_country, '') AS country
FROM tr_rec
UNION ALL
SELECT record_id, 'consignee' AS role,
       CASE WHEN {buyer} THEN notify_name ELSE consignee_name END AS name,
       coalesce(CASE WHEN {buyer} THEN notify_address ELSE consignee_address END, '') AS address,
       coalesce(consignee_country, '') AS country
FROM tr_rec WHERE NOT ({buyer}) OR notify_name IS NOT NULL
UNION ALL
SELECT record_id, 'notify' AS role, notify_name AS name, coalesce(notify_address, '') AS address,
       '' AS country
FROM tr_rec WHERE notify_name IS NOT NULL AND NOT ({buyer})"""


def variants(d: Dialect) -> Table:
    """``tr_var(vid, name, address, country, n, roles)``: distinct spellings with record counts."""
    return Table(
        "tr_var",
        f"""
SELECT row_number() OVER (ORDER BY name, address, country) AS vid, name, address, country, n,
       roles
FROM (
  SELECT name, address, country, count(*) AS n,
         {_sorted_distinct(d, "role")} AS roles
  FROM ({mentions_select()}) m
  WHERE name IS NOT NULL
  GROUP BY name, address, country
) g""",
    )


def _sorted_distinct(d: Dialect, col: str) -> str:
    return d.join_list(d.sorted_set(col), "','")


def _sim(a: str, b: str) -> str:
    """Normalised Levenshtein similarity, 1 - distance / longer length (rapidfuzz's too)."""
    return f"(1.0 - levenshtein({a}, {b}) / greatest(length({a}), length({b}), 1))"


def token_df() -> Table:
    return Table(
        "tr_tokdf",
        "SELECT country, token, count(*) AS df FROM tr_vtok GROUP BY country, token",
    )


def _word_pairs(tok: str, key: str) -> str:
    """Each spelling's (or name's, ``key``) pairs of words and how many hold each pair."""
    return f"""
  SELECT {key}, country, t1, t2, count(*) OVER (PARTITION BY country, t1, t2) AS n
  FROM (
    SELECT a.{key}, a.country, a.token AS t1, b.token AS t2
    FROM {tok} a JOIN {tok} b ON b.{key} = a.{key} AND a.token < b.token
  ) x"""


def _word_blocks(tok: str, df: str, key: str, rare: int, cap: int) -> str:
    """Pairs sharing a word held by at most ``rare``, or a word pair (``tp``) by ``cap``."""
    return f"""
  SELECT a.{key} AS va, b.{key} AS vb, a.token AS token
  FROM {tok} a
  JOIN {df} f ON f.country = a.country AND f.token = a.token AND f.df <= {rare}
  JOIN {tok} b ON b.country = a.country AND b.token = a.token AND a.{key} < b.{key}
  UNION ALL
  SELECT a.{key} AS va, b.{key} AS vb, concat(a.t1, '+', a.t2) AS token
  FROM tp a JOIN tp b
    ON b.country = a.country AND b.t1 = a.t1 AND b.t2 = a.t2 AND a.{key} < b.{key}
  WHERE a.n <= {cap}"""


def _weights(tok: str, df: str, key: str) -> str:
    return f"""
SELECT t.{key} AS vid, t.token, ln(1.0 + n.n / f.df) AS w
FROM {tok} t
JOIN {df} f ON f.country = t.country AND f.token = t.token
JOIN (SELECT country, count(DISTINCT {key}) AS n FROM {tok} GROUP BY country) n
  ON n.country = t.country"""


def candidates(p: Params) -> Table:
    """Pairs of variants in one country that share a rare name token or the whole key.

    v2 blocks on a pair of name words ('heng+knitwear': one misspelt word leaves the
    others), a single word only when it is rare (``rare_token_df``), the whole key,
    and one house number, street word and city ('=address', so 'Chag Spinning' still
    meets 'Chang Spinning' at its gate); no block larger than ``max_token_df``
    spellings is used: a name shared by that many says nothing on its own, and the
    pairs would grow with the square of the block.
    """
    if p.algorithm == "trade-firms-v1":
        return Table(
            "tr_cand",
            f"""
SELECT va, vb, min(token) AS blocked_on FROM (
  SELECT a.vid AS va, b.vid AS vb, a.token AS token
  FROM tr_vtok a
  JOIN tr_tokdf f ON f.country = a.country AND f.token = a.token AND f.df <= {p.max_token_df}
  JOIN tr_vtok b ON b.country = a.country AND b.token = a.token AND a.vid < b.vid
  UNION ALL
  SELECT a.vid AS va, b.vid AS vb, '=key' AS token
  FROM tr_vkey a JOIN tr_vkey b
    ON b.country = a.country AND b.nkey = a.nkey AND a.vid < b.vid
) c GROUP BY va, vb""",
        )
    cap = p.max_token_df
    words = _word_blocks("tr_vtok", "tr_tokdf", "vid", p.rare_token_df, cap)
    return Table(
        "tr_cand",
        f"""
WITH k AS (
  SELECT vid, country, nkey, ablock,
         count(*) OVER (PARTITION BY country, nkey) AS n_key,
         count(*) OVER (PARTITION BY country, ablock) AS n_addr
  FROM tr_vkey
),
tp AS ({_word_pairs("tr_vtok", "vid")}
)
SELECT va, vb, min(token) AS blocked_on FROM ({words}
  UNION ALL
  SELECT a.vid AS va, b.vid AS vb, '=key' AS token
  FROM k a JOIN k b ON b.country = a.country AND b.nkey = a.nkey AND a.vid < b.vid
  WHERE a.n_key <= {cap}
  UNION ALL
  SELECT a.vid AS va, b.vid AS vb, '=address' AS token
  FROM k a JOIN k b ON b.country = a.country AND b.ablock = a.ablock AND a.vid < b.vid
  WHERE a.ablock <> '' AND a.n_addr <= {cap}
) c GROUP BY va, vb""",
    )


def token_weights() -> Table:
    """``tr_vtw``: each spelling's name words weighted by rarity, ln(1 + spellings / df)."""
    return Table("tr_vtw", _weights("tr_vtok", "tr_tokdf", "vid"))


def _soft_direction(
    p: Params, this: str, other: str, cand: str = "tr_cand", weights: str = "tr_vtw"
) -> str:
    """Share of ``this`` side's word weight found on the ``other`` side (typos allowed)."""
    best = f"max(CASE WHEN a.token = b.token THEN 1.0 ELSE {_sim('a.token', 'b.token')} END)"
    return f"""
  SELECT va, vb, sum(w * CASE WHEN best >= {p.token_typo} THEN best ELSE 0.0 END) / sum(w) AS s
  FROM (
    SELECT c.va, c.vb, a.token, a.w, {best} AS best
    FROM {cand} c JOIN {weights} a ON a.vid = c.{this} JOIN {weights} b ON b.vid = c.{other}
    GROUP BY c.va, c.vb, a.token, a.w
  ) t GROUP BY va, vb"""


def soft_names(p: Params) -> Table:
    """``tr_soft(va, vb, s)``: weighted word similarity, the lower of the two directions.

    Each word of one name counts by its rarity (:func:`token_weights`) and by how alike
    the closest word of the other name is; 'Hengda Spinning' and 'Hengda Garment' share
    their rare word but not the other, 'Lotus Heng' and 'Lottus Heng' all of both.
    """
    return Table(
        "tr_soft",
        f"""
SELECT ab.va, ab.vb, least(ab.s, ba.s) AS s
FROM ({_soft_direction(p, "va", "vb")}) ab
JOIN ({_soft_direction(p, "vb", "va")}) ba ON ba.va = ab.va AND ba.vb = ab.vb""",
    )


def _disjoint(d: Dialect, col: str) -> str:
    """Both sides list words in ``col`` (space-separated) and share none."""
    a, b = f"a.{col}", f"b.{col}"
    overlap = d.overlaps(d.split(a, "' '"), d.split(b, "' '"))
    return f"({a} <> '' AND {b} <> '' AND NOT {overlap})"


def scored_v2(d: Dialect, p: Params) -> Table:
    """``tr_pair`` (v2): weighted name similarity; addresses by their numbers and words.

    No match when the addresses can be compared and disagree (no number in common, or
    words less than ``addr_veto`` alike); ``name+address`` when they agree to ``addr_high``
    and the names to ``soft_mid``; ``name`` when names reach ``soft_alone``, the
    addresses are unknown on one side, in two scripts, or only half agree, and the
    legal forms do not differ ('Inc' and 'LLC', 'JSC' and 'Co., Ltd.').
    """
    return _rules(
        d,
        p,
        f"coalesce(t.s, {_sim('a.nkey', 'b.nkey')})",
        "tr_cand c",
        "LEFT JOIN tr_soft t ON t.va = c.va AND t.vb = c.vb",
    )


def _rules(d: Dialect, p: Params, s_name: str, cand: str, join: str = "") -> Table:
    """``tr_pair`` from candidate pairs ``cand`` (``c``), their name score ``s_name``."""
    known = "a.akey <> '' AND b.akey <> '' AND a.ascript = b.ascript"
    return Table(
        "tr_pair",
        f"""
SELECT va, vb, blocked_on, s_name, s_addr,
       CASE WHEN disjoint OR s_addr < {p.addr_veto} THEN NULL
            WHEN s_addr >= {p.addr_high} AND s_name >= {p.soft_mid} THEN 'name+address'
            WHEN s_name >= {p.soft_alone} AND NOT lconflict THEN 'name'
            ELSE NULL END AS rule
FROM (
  SELECT c.va, c.vb, c.blocked_on, {s_name} AS s_name,
         CASE WHEN {known} THEN {_sim("a.arest", "b.arest")} ELSE NULL END AS s_addr,
         CASE WHEN {known} THEN {_disjoint(d, "anum")} ELSE false END AS disjoint,
         {_disjoint(d, "lform")} AS lconflict
  FROM {cand} JOIN tr_vkey a ON a.vid = c.va JOIN tr_vkey b ON b.vid = c.vb
  {join}
) s""",
    )


def scored(p: Params) -> Table:
    """``tr_pair``: each candidate's name and address similarity and whether it matches."""
    # The whole key's similarity, capped by that of its distinctive words: 'Chang Cotton
    # Spinning' and 'Yang Cotton Spinning' share most letters but not their name.
    whole = f"greatest({_sim('a.nkey', 'b.nkey')}, {_sim('a.nsorted', 'b.nsorted')})"
    s_name = f"least({whole}, {_sim('a.dkey', 'b.dkey')})"
    # Addresses in two scripts (a Chinese and an English one) are not compared.
    s_addr = (
        "CASE WHEN a.akey = '' OR b.akey = '' OR a.ascript <> b.ascript THEN NULL "
        f"ELSE {_sim('a.akey', 'b.akey')} END"
    )
    return Table(
        "tr_pair",
        f"""
SELECT va, vb, blocked_on, s_name, s_addr,
       CASE WHEN s_addr IS NULL AND s_name >= {p.name_alone} THEN 'name'
            WHEN s_name >= {p.name_high} AND s_addr >= {p.addr_veto} THEN 'name'
            WHEN s_name >= {p.name_mid} AND s_addr >= {p.addr_high} THEN 'name+address'
            ELSE NULL END AS rule
FROM (
  SELECT c.va, c.vb, c.blocked_on, {s_name} AS s_name, {s_addr} AS s_addr
  FROM tr_cand c JOIN tr_vkey a ON a.vid = c.va JOIN tr_vkey b ON b.vid = c.vb
) s""",
    )


# trade-firms-v3: names are blocked and scored once per distinct (country, name key), not
# once per spelling; spellings with the same name key, address key and legal form are one
# unit, joined without a score; units are compared where their names scored.


def name_token_df() -> Table:
    """``tr_ntokdf``: per country and name word, how many distinct names hold it."""
    return Table(
        "tr_ntokdf",
        "SELECT country, token, count(*) AS df FROM tr_ntok GROUP BY country, token",
    )


def _one_letter_off() -> str:
    """The word itself (``i`` = 0) or the word without its ``i``-th letter (``tr_num``)."""
    cut = "concat(substr(t.token, 1, n.i - 1), substr(t.token, n.i + 1, length(t.token)))"
    return f"CASE WHEN n.i = 0 THEN t.token ELSE {cut} END"


def name_candidates(p: Params) -> Table:
    """``tr_ncand(va, vb, blocked_on)``: pairs of distinct names (ids) worth scoring.

    A name meets another that holds a rare word of it (``rare_name_df``), a pair of its
    words, or all its words but one, that one a letter off ('~chag': 'Chang Spinning' and
    'Chag Spinning', 'Weaving' and 'Weavving'); or whose spelling has the same house
    number, street word and city ('=address'). No block of more than ``name_block_cap``
    names (``max_token_df`` spellings for an address): the pairs would grow with the
    square of the block, and a block that large says nothing on its own.
    """
    cap = p.name_block_cap
    words = _word_blocks("tr_ntok", "tr_ntokdf", "nid", p.rare_name_df, cap)
    return Table(
        "tr_ncand",
        f"""
WITH tp AS ({_word_pairs("tr_ntok", "nid")}
),
e AS (
  SELECT nid, ekey, variant, count(*) OVER (PARTITION BY ekey) AS n FROM (
    SELECT DISTINCT t.nid, concat(t.country, '|', t.rest, '|', {_one_letter_off()}) AS ekey,
           {_one_letter_off()} AS variant
    FROM tr_ntok t JOIN tr_num n ON n.i <= length(t.token)
    WHERE length(t.token) >= 4
  ) d
),
u AS (
  SELECT vid, nid, country, ablock, count(*) OVER (PARTITION BY country, ablock) AS n
  FROM tr_vkey WHERE vid = uid AND ablock <> ''
)
SELECT va, vb, min(token) AS blocked_on FROM ({words}
  UNION ALL
  SELECT a.nid AS va, b.nid AS vb, concat('~', a.variant) AS token
  FROM e a JOIN e b ON b.ekey = a.ekey AND a.nid < b.nid
  WHERE a.n <= {cap}
  UNION ALL
  SELECT least(a.nid, b.nid) AS va, greatest(a.nid, b.nid) AS vb, '=address' AS token
  FROM u a JOIN u b ON b.country = a.country AND b.ablock = a.ablock AND a.vid < b.vid
  WHERE a.n <= {p.max_token_df} AND a.nid <> b.nid
) c GROUP BY va, vb""",
    )


def name_weights() -> Table:
    """``tr_ntw``: each distinct name's words weighted by rarity, ln(1 + names / df)."""
    return Table("tr_ntw", _weights("tr_ntok", "tr_ntokdf", "nid"))


def name_scores(p: Params) -> Table:
    """``tr_nscore(va, vb, blocked_on, s_name)``: candidate names' weighted word similarity
    (:func:`soft_names`, the lower of the two directions; Levenshtein of the keys when a
    name has no word to weigh)."""
    ab = _soft_direction(p, "va", "vb", "tr_ncand", "tr_ntw")
    ba = _soft_direction(p, "vb", "va", "tr_ncand", "tr_ntw")
    return Table(
        "tr_nscore",
        f"""
SELECT c.va, c.vb, c.blocked_on, coalesce(t.s, {_sim("a.nkey", "b.nkey")}) AS s_name
FROM tr_ncand c JOIN tr_vkey a ON a.vid = c.va JOIN tr_vkey b ON b.vid = c.vb
LEFT JOIN (
  SELECT ab.va, ab.vb, least(ab.s, ba.s) AS s
  FROM ({ab}) ab JOIN ({ba}) ba ON ba.va = ab.va AND ba.vb = ab.vb
) t ON t.va = c.va AND t.vb = c.vb""",
    )


def unit_candidates(p: Params) -> Table:
    """``tr_ucand(va, vb, blocked_on, s_name)``: pairs of units (ids) whose names may match.

    Units of one name ('=key'), and units of two names that scored at least
    ``soft_mid`` (the least any rule accepts); of these, only the pairs the address veto
    leaves open: sharing a house number (``tr_unum``), one side without a number, or the
    two addresses in different scripts. Two units of one script whose numbers are
    disjoint are never one firm (:func:`scored_v2`), and at scale they are most pairs:
    many firms share a common name, each at its own gate. Names with more than
    ``max_token_df`` units are not expanded.
    """
    cap = p.max_token_df
    return Table(
        "tr_ucand",
        f"""
WITH u AS (
  SELECT vid, nid, anum, ascript, count(*) OVER (PARTITION BY nid) AS n
  FROM tr_vkey WHERE vid = uid
),
np AS (
  SELECT va, vb, blocked_on, s_name FROM tr_nscore WHERE s_name >= {p.soft_mid}
  UNION ALL
  SELECT nid AS va, nid AS vb, '=key' AS blocked_on, 1.0 AS s_name
  FROM u GROUP BY nid HAVING count(*) > 1
),
x AS (
  SELECT a.vid AS ua, b.vid AS ub, np.blocked_on, np.s_name
  FROM np JOIN tr_unum a ON a.nid = np.va JOIN tr_unum b ON b.nid = np.vb AND b.num = a.num
  UNION ALL
  SELECT a.vid AS ua, b.vid AS ub, np.blocked_on, np.s_name
  FROM np JOIN u a ON a.nid = np.va JOIN u b ON b.nid = np.vb
  WHERE a.anum = '' OR b.anum = '' OR a.ascript <> b.ascript
)
SELECT DISTINCT least(x.ua, x.ub) AS va, greatest(x.ua, x.ub) AS vb, x.blocked_on, x.s_name
FROM x JOIN u a ON a.vid = x.ua JOIN u b ON b.vid = x.ub
WHERE x.ua <> x.ub AND a.n <= {cap} AND b.n <= {cap}""",
    )


def scored_v3(d: Dialect, p: Params) -> Table:
    """``tr_pair`` (v3): :func:`scored_v2`'s rules over unit pairs, the names' score given."""
    return _rules(d, p, "c.s_name", "tr_ucand c")


def unit_counterparties() -> Table:
    """``tr_ucp(vid, cp)``: the names each unit (its id) trades with, over its spellings."""
    return Table(
        "tr_ucp",
        "SELECT DISTINCT k.uid AS vid, c.cp FROM tr_vcp c JOIN tr_vkey k ON k.vid = c.vid",
    )


def _mention_vids(buyer_cols: bool) -> str:
    """(record, vid) of each record's shipper, or of its buyer (the notify party 'TO ORDER')."""
    if not buyer_cols:
        return """
SELECT r.record_id, s.vid FROM tr_rec r
JOIN tr_var s ON s.name = r.shipper_name AND s.address = coalesce(r.shipper_address, '')
  AND s.country = coalesce(r.shipper_country, '')"""
    buyer = _to_order("r.consignee_name")
    return f"""
SELECT r.record_id, b.vid FROM tr_rec r
JOIN tr_var b
  ON b.name = CASE WHEN {buyer} THEN r.notify_name ELSE r.consignee_name END
  AND b.address = coalesce(CASE WHEN {buyer} THEN r.notify_address ELSE r.consignee_address END,
                           '')
  AND b.country = coalesce(r.consignee_country, '')"""


def record_variants() -> Table:
    """``tr_rv(record_id, svid, bvid)``: each record's shipper spelling and buyer spelling
    (the notify party 'TO ORDER'), matched once for :func:`counterparties` and
    :func:`record_firms`."""
    return Table(
        "tr_rv",
        f"""
SELECT s.record_id, s.vid AS svid, b.vid AS bvid
FROM ({_mention_vids(False)}) s JOIN ({_mention_vids(True)}) b ON b.record_id = s.record_id""",
    )


def counterparties(numbers: bool = False) -> Table:
    """``tr_vcp(vid, cp)``: the names (country and name key) each spelling trades with.

    ``numbers`` (v3): also each name with its partner's house numbers, so a partner
    whose address agrees counts twice: at scale, partners' names are shared too.
    """
    other = "concat(k.country, '|', k.nkey, '|', k.anum)"
    with_numbers = (
        f"""
UNION
SELECT x.vid, {other} AS cp FROM x JOIN tr_vkey k ON k.vid = x.other WHERE k.anum <> ''"""
        if numbers
        else ""
    )
    return Table(
        "tr_vcp",
        f"""
WITH x AS (
  SELECT svid AS vid, bvid AS other FROM tr_rv
  UNION ALL
  SELECT bvid AS vid, svid AS other FROM tr_rv
)
SELECT DISTINCT x.vid, concat(k.country, '|', k.nkey) AS cp FROM x
JOIN tr_vkey k ON k.vid = x.other{with_numbers}""",
    )


def shared_counterparties(cp: str = "tr_vcp") -> Table:
    """``tr_pcp(va, vb, shared)``: for accepted pairs, how many trading partners they share.

    A firm's partners are stable from month to month; an address-less spelling that
    two firms of one name could own goes first to the one it shares partners with.
    """
    return Table(
        "tr_pcp",
        f"""
SELECT p.va, p.vb, count(*) AS shared
FROM tr_pair p JOIN {cp} a ON a.vid = p.va JOIN {cp} b ON b.vid = p.vb AND b.cp = a.cp
WHERE p.rule IS NOT NULL
GROUP BY p.va, p.vb""",
    )


def accepted_pairs(algorithm: str) -> str:
    """The accepted pairs, strongest evidence first (the order :func:`~flscreen.trade.resolve.
    cluster` joins them in), as (va, vb, blocked_on, s_name, s_addr, rule, shared).

    Sorted here rather than in Python: at 10M records there are millions of pairs, and the
    engine sorts them without holding them as Python objects. v3 adds each unit's spellings
    joined to its first (one name key, address key and legal form: both similarities 1).
    """
    if algorithm == "trade-firms-v1":
        return (
            "SELECT va, vb, blocked_on, s_name, s_addr, rule, 0 AS shared FROM tr_pair "
            "WHERE rule IS NOT NULL ORDER BY s_name DESC, va, vb, blocked_on"
        )
    scored = """
SELECT p.va, p.vb, p.blocked_on, p.s_name, p.s_addr, p.rule, coalesce(c.shared, 0) AS shared
FROM tr_pair p LEFT JOIN tr_pcp c ON c.va = p.va AND c.vb = p.vb WHERE p.rule IS NOT NULL"""
    units = """
UNION ALL
SELECT uid AS va, vid AS vb, '=key+address' AS blocked_on, CAST(1.0 AS DOUBLE) AS s_name,
       CAST(1.0 AS DOUBLE) AS s_addr, 'name+address' AS rule, 0 AS shared
FROM tr_vkey WHERE uid <> vid"""
    partners = "shared DESC" if algorithm == "trade-firms-v3" else "shared = 0"
    return f"""
SELECT * FROM ({scored}{units if algorithm == "trade-firms-v3" else ""}) x
ORDER BY rule <> 'name+address', {partners}, s_name DESC, va, vb, blocked_on"""


def record_firms(d: Dialect) -> Table:
    """``tr_rf``: per record, the supplier and buyer firms, material, HS chapter, day, weight."""
    folded = d.replace_all("lower(coalesce(r.goods, ''))", r"[^\p{L}\p{N}]+", "' '")
    padded = f"concat(' ', trim({folded}), ' ')"
    material = material_case("g.folded", "g.hs")
    return Table(
        "tr_rf",
        f"""
SELECT g.record_id, g.bill_number, g.day, g.date, fs.firm AS supplier, fb.firm AS buyer,
       {material} AS material, substr(g.raw_hs, 1, 2) AS chapter, g.weight_kg
FROM (
  SELECT r.record_id, r.bill_number, r.day, r.date, r.weight_kg, {padded} AS folded,
         coalesce(r.hs, '') AS hs, r.hs AS raw_hs
  FROM tr_rec r
) g
JOIN tr_rv v ON v.record_id = g.record_id
JOIN tr_vfirm fs ON fs.vid = v.svid
JOIN tr_vfirm fb ON fb.vid = v.bvid""",
    )


def edges_select(d: Dialect, with_bills: bool = True) -> Table:
    """``tr_edge``: firm A shipped material M (HS chapter X) to firm B in a month."""
    month = "substr(date, 1, 7)"
    bills = d.sorted_set("bill_number") if with_bills else "NULL"
    return Table(
        "tr_edge",
        f"""
SELECT supplier, buyer, coalesce(material, '') AS material, coalesce(chapter, '') AS chapter,
       {month} AS period, min(day) AS first_day, max(day) AS last_day,
       min(date) AS first_date, max(date) AS last_date, count(*) AS records,
       sum(weight_kg) AS weight_kg, {bills} AS bills
FROM tr_rf
WHERE supplier <> buyer
GROUP BY supplier, buyer, coalesce(material, ''), coalesce(chapter, ''), {month}""",
    )


def transshipment(p: Params) -> Table:
    """``tr_ts``: a third-country firm T passes on what Xinjiang-linked firms shipped it.

    For each outbound edge T -> B of material M, the inbound of M to T from
    Xinjiang-linked firms in the ``ts_max_lag_days`` before it is summed; T is
    flagged when that weight is ``ts_min_ratio``-``ts_max_ratio`` times the
    outbound's, T is not itself in Xinjiang or China, and B is in another country.
    """
    return Table(
        "tr_ts",
        f"""
SELECT o.supplier AS firm, o.buyer AS buyer, o.material, o.period, o.first_day, o.weight_kg,
       sum(i.weight_kg) AS inbound_kg, count(*) AS inbound_edges, min(i.supplier) AS source,
       min(o.first_day - i.last_day) AS min_lag, max(o.first_day - i.last_day) AS max_lag
FROM tr_edge o
JOIN tr_edge i ON i.buyer = o.supplier AND i.material = o.material
JOIN tr_xj x ON x.firm = i.supplier
JOIN tr_fc ct ON ct.firm = o.supplier
JOIN tr_fc cb ON cb.firm = o.buyer
LEFT JOIN tr_xj self ON self.firm = o.supplier
WHERE o.material <> '' AND self.firm IS NULL AND ct.country <> 'CN' AND ct.country <> ''
  AND ct.country <> cb.country
  AND o.first_day - i.last_day BETWEEN 0 AND {p.ts_max_lag_days}
GROUP BY o.supplier, o.buyer, o.material, o.period, o.first_day, o.weight_kg
HAVING sum(i.weight_kg) >= {p.ts_min_ratio} * o.weight_kg
   AND sum(i.weight_kg) <= {p.ts_max_ratio} * o.weight_kg""",
    )
