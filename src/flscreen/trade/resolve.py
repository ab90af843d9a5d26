"""Firm resolution: the Python steps between the SQL ones (keys in, clusters out).

Names are keyed by flscreen's own normaliser (:func:`flscreen.normalize.names.name_key`:
legal forms, abbreviations, glossary, pinyin), so '阿克苏华孚色纺有限公司' and
'AKSU HUAFU COLOR SPINNING CO LTD' block and score alike; SQL blocks on rare
key tokens and scores pairs; accepted pairs are joined by union-find, and each
firm keeps the pairs that joined it (its explanation).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from sys import intern
from typing import Any, NamedTuple

from flscreen.normalize.names import name_key
from flscreen.trade.materials import fold

ALGORITHM = "trade-firms-v3"
ALGORITHMS = ("trade-firms-v1", "trade-firms-v2", "trade-firms-v3")
"""v1: pairs joined by plain union-find (chains distinct firms through address-less
spellings); v2: IDF-weighted token similarity, house numbers, and a union only when the
two sides' addresses do not disagree; v3: v2's rules, with names blocked and scored once
per distinct name key (a one-letter-off key besides word pairs) and spellings of one
name key, address key and legal form joined as one unit (docs/trade.md)."""

VKEY_SCHEMA = (
    ("vid", "BIGINT"),
    ("country", "VARCHAR"),
    ("nkey", "VARCHAR"),
    ("nsorted", "VARCHAR"),
    ("akey", "VARCHAR"),
    ("ascript", "VARCHAR"),
    ("dkey", "VARCHAR"),
    ("anum", "VARCHAR"),
    ("arest", "VARCHAR"),
    ("ablock", "VARCHAR"),
    ("lform", "VARCHAR"),
    ("nid", "BIGINT"),
    ("uid", "BIGINT"),
)
"""``nid``: the first spelling of its (country, name key), the id of its name; ``uid``:
the first of its (country, name key, address key, legal form), the id of its unit."""
NTOK_SCHEMA = (("nid", "BIGINT"), ("country", "VARCHAR"), ("token", "VARCHAR"),
               ("rest", "VARCHAR"))  # fmt: skip
"""``tr_ntok``: each distinct name's words, and the name's other words sorted (``rest``)."""
UNUM_SCHEMA = (("vid", "BIGINT"), ("nid", "BIGINT"), ("num", "VARCHAR"))
"""``tr_unum``: each unit's (id, name id) house and unit numbers, one row each."""
NUM_SCHEMA = (("i", "INTEGER"),)
NUM_MAX = 64
"""``tr_num``: 0..NUM_MAX, which letter a one-letter-off key leaves out (0: none)."""
COMMON_SHARE = 0.02
"""A name token in more than this share of the spellings (and at least COMMON_MIN) is an
industry or filler word ('cotton', 'spinning'): the distinctive key leaves it out."""
COMMON_MIN = 5
VTOK_SCHEMA = (("vid", "BIGINT"), ("country", "VARCHAR"), ("token", "VARCHAR"))
VFIRM_SCHEMA = (("vid", "BIGINT"), ("firm", "VARCHAR"))

_ADDRESS_WORDS = {
    "rd": "road",
    "st": "street",
    "str": "street",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "bldg": "building",
    "ind": "industrial",
    "indl": "industrial",
    "dist": "district",
    "fl": "floor",
    "flr": "floor",
    "rm": "room",
    "no": "",
    "nr": "",
    "number": "",
}


@functools.cache
def country_code(text: str) -> str:
    """ISO code of a country name or code, '' when unknown (cached: few distinct values)."""
    from rigour.territories import lookup_territory

    territory = lookup_territory(text.strip()) if text.strip() else None
    return territory.code.upper() if territory is not None else ""


def address_country(address: str) -> str:
    """The country an address ends with ('..., Hai Phong, Vietnam' -> 'VN'), else ''."""
    parts = [p for p in address.replace("，", ",").split(",") if p.strip()]
    return country_code(parts[-1]) if len(parts) > 1 else ""


ADDRESS_CACHE = 1 << 22
"""Distinct addresses whose keys are kept (a firm's address comes back in every record)
until :func:`clear_caches`."""


@functools.lru_cache(maxsize=ADDRESS_CACHE)
def address_key(address: str) -> str:
    """Folded address with common abbreviations spelled out and house-number words dropped."""
    words = [_ADDRESS_WORDS.get(w, w) for w in fold(address).split()]
    return " ".join(w for w in words if w)


@functools.lru_cache(maxsize=ADDRESS_CACHE)
def address_parts(akey: str) -> tuple[str, str]:
    """(numbers, rest) of an address key: its digit words sorted and joined, the other words.

    '88 jiefang road room 1201' -> ('1201 88', 'jiefang road room').
    """
    words = akey.split()
    digits = [any(map(str.isdigit, w)) for w in words]
    numbers = sorted({w for w, d in zip(words, digits, strict=True) if d})
    return " ".join(numbers), " ".join(w for w, d in zip(words, digits, strict=True) if not d)


LEGAL_FAMILY = {
    "ltd": "limited",
    "limited": "limited",
    "coltd": "limited",
    "pvt": "limited",
    "plc": "plc",
    "inc": "inc",
    "incorporated": "inc",
    "corp": "inc",
    "corporation": "inc",
    "corpn": "inc",
    "llc": "llc",
    "lc": "llc",
    "jsc": "jsc",
    "ojsc": "jsc",
    "joint": "jsc",
    "stock": "jsc",
    "sdn": "bhd",
    "bhd": "bhd",
    "berhad": "bhd",
    "sendirian": "bhd",
    "pte": "pte",
    "private": "pte",
    "gmbh": "gmbh",
    "ag": "ag",
    "sa": "sa",
    "bv": "bv",
    "nv": "nv",
    "llp": "llp",
    "lp": "lp",
    "srl": "srl",
    "spa": "spa",
}
"""Legal-form words -> the form they name ('Co., Ltd.' and 'Company Limited' one, 'JSC'
another). 'Co', 'Company', 'Group' name none: they go with several forms."""

_DOTTED = re.compile(r"\b(?:[A-Za-z]\.){2,}")


def undot(name: str) -> str:
    """Initials written with dots as one word: 'Sheng Brands L.L.C.' -> 'Sheng Brands LLC'."""
    return _DOTTED.sub(lambda m: m.group().replace(".", "") + " ", name).strip()


@dataclass(frozen=True, slots=True)
class VariantKey:
    vid: int
    country: str
    nkey: str
    tokens: tuple[str, ...]
    akey: str
    legal: frozenset[str] = frozenset()
    """The legal forms the spelling names (:data:`LEGAL_FAMILY`)."""


@functools.lru_cache(maxsize=1 << 18)
def _name_tokens(name: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """(name key tokens, legal forms) of a name; cached, as one name comes with several
    addresses (and without one) in the records."""
    key = name_key(undot(name))
    tokens = key.tokens if key is not None else tuple(fold(name).split())
    legal = frozenset(LEGAL_FAMILY[w] for w in (key.legal if key else ()) if w in LEGAL_FAMILY)
    if key is not None and len(tokens) > 1 and _cut_legal_word(name, key.words, tokens[-1]):
        tokens = tokens[:-1]
    return tokens, legal


def _cut_legal_word(name: str, words: tuple[str, ...], last: str) -> bool:
    """A long name's last word is the start of a legal form the field cut short
    ('... Spinning Co., Lim' for 'Limited'): not a word of the name."""
    from flscreen.normalize.names import vocabulary

    shortest = 2 if len(name) >= NAME_FIELD else 3
    if len(name) < CUT_MIN or len(last) < shortest or not words or words[-1] != last:
        return False
    return any(form.startswith(last) and form != last for form in vocabulary().legal_en)


CUT_MIN = 25
"""Names this long may have been cut at a field limit ('American Business Corporati' in
US manifest data): a last word of 3+ letters that starts a legal form is dropped."""
NAME_FIELD = 35
"""UN/EDIFACT's NAD party name (an..35): at this length a 2-letter start ('Li') too."""


NameTokens = tuple[tuple[str, ...], frozenset[str]]


def _name_tokens_chunk(names: list[str]) -> list[NameTokens]:
    return [_name_tokens(n) for n in names]


def name_tokens_many(names: Sequence[str], workers: int = 1) -> dict[str, NameTokens]:
    """:func:`_name_tokens` of many names, over ``workers`` processes when there are many
    (the name key is Python, about 0.1-0.2 ms a name)."""
    return name_tokens_start(names, workers)()


def name_tokens_start(
    names: Sequence[str], workers: int = 1
) -> Callable[[], dict[str, NameTokens]]:
    """:func:`name_tokens_many` started in ``workers`` processes: returns the call that
    waits for it, so this process can do other work meanwhile (with few names, or one
    worker, the keys are made in this process when that call comes)."""
    distinct = list(dict.fromkeys(names))
    if workers <= 1 or len(distinct) < PARALLEL_MIN:
        return lambda: {n: _name_tokens(n) for n in distinct}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = max(1000, len(distinct) // (workers * 8))
    chunks = [distinct[i : i + size] for i in range(0, len(distinct), size)]
    context = multiprocessing.get_context("forkserver")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context)
    futures = [pool.submit(_name_tokens_chunk, chunk) for chunk in chunks]

    def result() -> dict[str, NameTokens]:
        try:
            done = [t for f in futures for t in f.result()]
        finally:
            pool.shutdown(cancel_futures=True)
        return dict(zip(distinct, done, strict=True))

    return result


PARALLEL_MIN = 50_000
"""Fewer distinct names than this are keyed in this process (a worker starts in ~1 s)."""


def variant_key(
    vid: int,
    name: str,
    address: str,
    country: str,
    named: Mapping[str, NameTokens] | None = None,
) -> VariantKey:
    """The keys one spelling is blocked and scored on (``named``: names keyed already)."""
    tokens, legal = named[name] if named is not None and name in named else _name_tokens(name)
    code = (country_code(country) if country else "") or address_country(address)
    # one name key string per name, not per spelling (a name comes with several addresses)
    return VariantKey(vid, code, intern(" ".join(tokens)), tokens, address_key(address), legal)


def unit_ids(keys: Iterable[VariantKey]) -> dict[int, tuple[int, int]]:
    """Per spelling, (name id, unit id): the first spelling (lowest vid) of its (country,
    name key), and of its (country, name key, address key, legal form); a spelling without
    an address is a unit of its own (which firm of that name it is, its trading partners
    may tell: :func:`cluster`)."""
    names: dict[tuple[str, str], int] = {}
    units: dict[tuple[str, str, str, frozenset[str]], int] = {}
    out = {}
    for k in sorted(keys, key=lambda k: k.vid):
        nid = names.setdefault((k.country, k.nkey), k.vid)
        uid = units.setdefault((k.country, k.nkey, k.akey, k.legal), k.vid) if k.akey else k.vid
        out[k.vid] = (nid, uid)
    return out


def name_rows(
    keys: Iterable[VariantKey], ids: Mapping[int, tuple[int, int]]
) -> list[tuple[Any, ...]]:
    """Rows of ``tr_ntok``: the words of each distinct name (one-letter words left out)."""
    out: list[tuple[Any, ...]] = []
    for k in keys:
        if ids[k.vid][0] != k.vid:
            continue
        words = list(dict.fromkeys(k.tokens))
        for i, t in enumerate(words):
            if len(t) > 1:
                out.append((k.vid, k.country, t, " ".join(sorted(words[:i] + words[i + 1 :]))))
    return out


def unit_numbers(
    keys: Mapping[int, VariantKey], ids: Mapping[int, tuple[int, int]]
) -> list[tuple[Any, ...]]:
    """Rows of ``tr_unum``: the numbers of each unit's address."""
    return [
        (vid, nid, num)
        for vid, (nid, uid) in ids.items()
        if uid == vid
        for num in address_parts(keys[vid].akey)[0].split()
    ]


def key_rows(
    keys: Iterable[VariantKey],
    ids: Mapping[int, tuple[int, int]] | None = None,
    spelling_words: bool = True,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of ``tr_vkey`` and ``tr_vtok``. Without ``spelling_words`` (v3 blocks and
    scores the words of names, ``tr_ntok``), no ``tr_vtok`` rows and no ``dkey`` (v1's)."""
    keys = list(keys)
    ids = ids if ids is not None else unit_ids(keys)
    if not spelling_words:
        return list(vkey_rows(keys, ids)), []
    vtok: list[tuple[Any, ...]] = []
    df = Counter(t for k in keys for t in set(k.tokens))
    common = max(COMMON_MIN, int(COMMON_SHARE * len(keys)))
    dkeys: dict[int, str] = {}
    for k in keys:
        rare = sorted(t for t in k.tokens if df[t] <= common)
        dkeys[k.vid] = " ".join(rare) or " ".join(sorted(k.tokens))
        vtok.extend((k.vid, k.country, t) for t in dict.fromkeys(k.tokens) if len(t) > 1)
    return list(vkey_rows(keys, ids, dkeys)), vtok


def vkey_rows(
    keys: Iterable[VariantKey],
    ids: Mapping[int, tuple[int, int]],
    dkeys: Mapping[int, str] | None = None,
) -> Iterator[tuple[Any, ...]]:
    """Rows of ``tr_vkey``, one at a time (3M at 10M records: not held as a list)."""
    for k in keys:
        script = "latin" if k.akey.isascii() else "other"
        numbers, rest = address_parts(k.akey)
        ablock = address_block(numbers, rest)
        nsorted = " ".join(sorted(k.tokens))
        lform = " ".join(sorted(k.legal))
        dkey = dkeys[k.vid] if dkeys is not None else ""
        yield (k.vid, k.country, k.nkey, nsorted, k.akey, script, dkey, numbers, rest, ablock,
               lform, *ids[k.vid])  # fmt: skip


def clear_caches(signatures: bool = True) -> None:
    """Forget the address keys kept while resolving (millions of strings at 10M records).

    Without ``signatures``, only the keys (once the spellings' keys are loaded): clustering
    needs the addresses' signatures (:func:`_address_sig`), and no more."""
    address_key.cache_clear()
    address_parts.cache_clear()
    if signatures:
        _address_sig.cache_clear()


class UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    def union(self, a: int, b: int) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        if rb < ra:
            ra, rb = rb, ra
        self.parent[rb] = ra
        return True


@dataclass(frozen=True, slots=True)
class Variant:
    vid: int
    name: str
    address: str
    country: str
    """As written in the records ('' when absent)."""
    records: int
    roles: str
    country_code: str = ""
    """As resolved (written, or read from the address)."""


@dataclass(slots=True)
class Cluster:
    """One firm: its spellings and the scored pairs that joined them."""

    firm_id: str
    variants: list[Variant]
    joins: list[Pair] = field(default_factory=list)
    """The accepted pairs that joined the spellings, in the order they were joined."""
    algorithm: str = ALGORITHM

    @property
    def merges(self) -> list[dict[str, Any]]:
        """:attr:`joins` as their explanation shows them, with both spellings written out
        (made when asked: 10M records join millions of pairs)."""
        by_vid = {v.vid: v for v in self.variants}
        return [
            {
                "a": by_vid[p.va].name,
                "a_address": by_vid[p.va].address or None,
                "b": by_vid[p.vb].name,
                "b_address": by_vid[p.vb].address or None,
                "name_similarity": round(float(p.s_name), 4),
                "address_similarity": None if p.s_addr is None else round(float(p.s_addr), 4),
                "rule": p.rule,
                "blocked_on": p.blocked_on,
                "shared_partners": p.shared,
            }
            for p in self.joins
        ]

    @property
    def representative(self) -> Variant:
        return max(self.variants, key=lambda v: (v.records, len(v.address), -v.vid))

    @property
    def records(self) -> int:
        return sum(v.records for v in self.variants)

    def address(self) -> str | None:
        with_address = [v for v in self.variants if v.address]
        if not with_address:
            return None
        return max(with_address, key=lambda v: (v.records, len(v.address))).address

    def country(self) -> str | None:
        counts: dict[str, int] = {}
        for v in self.variants:
            if v.country_code:
                counts[v.country_code] = counts.get(v.country_code, 0) + v.records
        return max(sorted(counts), key=lambda c: counts[c]) if counts else None

    def explanation(self) -> dict[str, Any]:
        """Why these spellings are one firm: the pairs that joined them, with their scores."""
        if len(self.variants) == 1:
            text = "one spelling only"
        elif self.algorithm == "trade-firms-v1":
            text = (
                f"{len(self.variants)} spellings joined by {len(self.joins)} scored pair(s) "
                "(trade-firms-v1: flscreen name keys blocked on a shared rare token, "
                "Levenshtein similarity of name keys and addresses)"
            )
        elif self.algorithm == "trade-firms-v3":
            text = (
                f"{len(self.variants)} spellings joined by {len(self.joins)} pair(s) "
                "(trade-firms-v3: spellings with one flscreen name key, address key and legal "
                "form joined as they stand; distinct names blocked on a rare word, a pair of "
                "words, all words but one letter, or house number and street, and scored "
                "by word similarity weighted by how rare each word is; "
                "addresses compared on their numbers and words; no two spellings whose "
                "addresses disagree are in one firm)"
            )
        else:
            text = (
                f"{len(self.variants)} spellings joined by {len(self.joins)} scored pair(s) "
                "(trade-firms-v2: flscreen name keys blocked on a shared rare token or house "
                "number and street; name similarity weighted by how rare each word is; "
                "addresses compared on their numbers and words; no two spellings whose "
                "addresses disagree are in one firm)"
            )
        return {"algorithm": self.algorithm, "text": text, "pairs": self.merges}


def firm_id_of(country: str, nkey: str, taken: set[str]) -> str:
    """A stable id from the representative's country and name key (suffixed on a clash)."""
    digest = hashlib.sha1(f"{country}|{nkey}".encode()).hexdigest()[:10]
    fid = f"FIRM-{digest}"
    n = 1
    while fid in taken:
        n += 1
        fid = f"FIRM-{digest}-{n}"
    taken.add(fid)
    return fid


def address_block(numbers: str, rest: str) -> str:
    """The blocking key of an address: its numbers, first word and the word before the
    last (the city or province before the country), '' without numbers."""
    words = rest.split()
    if not numbers or not words:
        return ""
    return f"{numbers}|{words[0]}|{words[-2] if len(words) > 1 else ''}"


@dataclass(frozen=True, slots=True)
class AddressSig:
    """What an address comparison needs: its house and unit numbers, its other words, script."""

    numbers: frozenset[str]
    rest: str
    script: str

    @classmethod
    def of(cls, akey: str) -> AddressSig:
        return _address_sig(akey)


@functools.lru_cache(maxsize=ADDRESS_CACHE)
def _address_sig(akey: str) -> AddressSig:
    numbers, rest = address_parts.__wrapped__(akey)  # this cache is enough
    script = "latin" if akey.isascii() else "other"
    return AddressSig(frozenset(numbers.split()), rest, script)


def addresses_disagree(a: AddressSig, b: AddressSig, veto: float) -> bool:
    """Two addresses in one script that share no number, or whose words are < ``veto`` alike."""
    from rapidfuzz.distance import Levenshtein

    if not a.rest or not b.rest or a.script != b.script:
        return False
    if a.numbers and b.numbers and a.numbers.isdisjoint(b.numbers):
        return True
    return bool(Levenshtein.normalized_similarity(a.rest, b.rest) < veto)


MAX_SIGS = 8
"""Distinct addresses a firm keeps for the merge check (the most frequent first)."""


class _Constraint:
    """Per cluster root, its distinct addresses: a union whose sides disagree is refused."""

    def __init__(self, keys: dict[int, VariantKey], veto: float) -> None:
        self.veto = veto
        self.keys = keys
        self.sigs: dict[int, list[AddressSig]] = {}
        """Roots that have joined another; a spelling not in it has only its own address."""

    def _of(self, root: int) -> list[AddressSig]:
        sigs = self.sigs.get(root)
        if sigs is not None:
            return sigs
        k = self.keys.get(root)
        return [AddressSig.of(k.akey)] if k is not None and k.akey else []

    def allows(self, ra: int, rb: int) -> bool:
        return not any(
            addresses_disagree(x, y, self.veto) for x in self._of(ra) for y in self._of(rb)
        )

    def joined(self, root: int, other: int) -> None:
        mine = self.sigs.setdefault(root, self._of(root))
        for sig in self.sigs.pop(other, None) or self._of(other):
            if sig not in mine and len(mine) < MAX_SIGS:
                mine.append(sig)


class Pair(NamedTuple):
    """An accepted pair of spellings, as scored in SQL (``tr_pair``)."""

    va: int
    vb: int
    blocked_on: str
    s_name: float
    s_addr: float | None
    rule: str
    shared: int = 0
    """Trading partners (country and name key) the two spellings have in common."""


def _rank(pair: Pair) -> tuple[int, int, float, int, int]:
    """Strongest evidence first: name and address agreeing; then pairs that share trading
    partners; then by name similarity."""
    return (0 if pair.rule == "name+address" else 1, 0 if pair.shared else 1, -pair.s_name,
            pair.va, pair.vb)  # fmt: skip


def _rank_v1(pair: Pair) -> tuple[float, int, int]:
    return (-pair.s_name, pair.va, pair.vb)


def _rank_v3(pair: Pair) -> tuple[int, int, float, int, int]:
    """v2's order, with pairs sharing more trading partners before those sharing fewer:
    at scale an address-less spelling can share a partner's name with the wrong firm of
    its name, and more rarely two."""
    return (0 if pair.rule == "name+address" else 1, -pair.shared, -pair.s_name,
            pair.va, pair.vb)  # fmt: skip


def cluster(
    variants: Sequence[Variant],
    keys: dict[int, VariantKey],
    pairs: Iterable[Pair],
    algorithm: str = ALGORITHM,
    addr_veto: float = 0.6,
    ordered: bool = False,
) -> tuple[list[Cluster], int]:
    """Join accepted pairs into firms.

    v1: plain union-find. v2: pairs in order of strength (:func:`_rank`), and a union is
    refused when any address on one side disagrees with one on the other
    (:func:`addresses_disagree`), so an address-less spelling joins one firm, never two:
    the one whose spellings share its trading partners when there is one. Returns the
    firms and the number of accepted pairs refused that way.

    ``ordered``: ``pairs`` come in that order already (:func:`flscreen.trade.sql.
    accepted_pairs` sorts them in the engine), and are read one at a time: only the pairs
    that join two firms are kept.
    """
    uf = UnionFind()
    constraint = _Constraint(keys, addr_veto) if algorithm != "trade-firms-v1" else None
    refused = 0
    joins: dict[int, list[Pair]] = {}
    order = {"trade-firms-v1": _rank_v1, "trade-firms-v2": _rank}.get(algorithm, _rank_v3)
    for pair in pairs if ordered else sorted(pairs, key=order):
        ra, rb = uf.find(pair.va), uf.find(pair.vb)
        if ra == rb:
            continue
        if constraint is not None and not constraint.allows(ra, rb):
            refused += 1
            continue
        uf.union(ra, rb)
        if constraint is not None:
            root = uf.find(ra)
            constraint.joined(root, rb if root == ra else ra)
        joins.setdefault(pair.va, []).append(pair)
    groups: dict[int, list[Variant]] = {}
    for v in variants:
        groups.setdefault(uf.find(v.vid), []).append(v)
    merges: dict[int, list[Pair]] = {}
    for va, items in joins.items():
        merges.setdefault(uf.find(va), []).extend(items)
    taken: set[str] = set()
    out = []
    for root in sorted(groups):
        members = groups[root]
        c = Cluster("", members, merges.get(root, []), algorithm)
        rep = c.representative
        c.firm_id = firm_id_of(rep.country_code, keys[rep.vid].nkey, taken)
        out.append(c)
    return out, refused
