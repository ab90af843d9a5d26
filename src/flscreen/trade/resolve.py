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
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flscreen.normalize.names import name_key
from flscreen.trade.materials import fold

ALGORITHM = "trade-firms-v1"

VKEY_SCHEMA = (
    ("vid", "BIGINT"),
    ("country", "VARCHAR"),
    ("nkey", "VARCHAR"),
    ("nsorted", "VARCHAR"),
    ("akey", "VARCHAR"),
    ("ascript", "VARCHAR"),
    ("dkey", "VARCHAR"),
)
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


def address_key(address: str) -> str:
    """Folded address with common abbreviations spelled out and house-number words dropped."""
    words = [_ADDRESS_WORDS.get(w, w) for w in fold(address).split()]
    return " ".join(w for w in words if w)


@dataclass(frozen=True, slots=True)
class VariantKey:
    vid: int
    country: str
    nkey: str
    tokens: tuple[str, ...]
    akey: str


def variant_key(vid: int, name: str, address: str, country: str) -> VariantKey:
    """The keys one spelling is blocked and scored on."""
    key = name_key(name)
    tokens = key.tokens if key is not None else tuple(fold(name).split())
    code = (country_code(country) if country else "") or address_country(address)
    return VariantKey(vid, code, " ".join(tokens), tokens, address_key(address))


def key_rows(keys: Iterable[VariantKey]) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Rows of ``tr_vkey`` and ``tr_vtok``."""
    vkey: list[tuple[Any, ...]] = []
    vtok: list[tuple[Any, ...]] = []
    keys = list(keys)
    df = Counter(t for k in keys for t in set(k.tokens))
    common = max(COMMON_MIN, int(COMMON_SHARE * len(keys)))
    for k in keys:
        script = "latin" if k.akey.isascii() else "other"
        rare = sorted(t for t in k.tokens if df[t] <= common)
        dkey = " ".join(rare) or " ".join(sorted(k.tokens))
        vkey.append((k.vid, k.country, k.nkey, " ".join(sorted(k.tokens)), k.akey, script, dkey))
        vtok.extend((k.vid, k.country, t) for t in dict.fromkeys(k.tokens) if len(t) > 1)
    return vkey, vtok


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
    merges: list[dict[str, Any]] = field(default_factory=list)

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
        else:
            text = (
                f"{len(self.variants)} spellings joined by {len(self.merges)} scored pair(s) "
                f"({ALGORITHM}: flscreen name keys blocked on a shared rare token, "
                "Levenshtein similarity of name keys and addresses)"
            )
        return {"algorithm": ALGORITHM, "text": text, "pairs": self.merges}


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


def cluster(
    variants: Sequence[Variant],
    keys: dict[int, VariantKey],
    pairs: Iterable[tuple[int, int, str, float, float | None, str]],
) -> list[Cluster]:
    """Union-find over accepted pairs ``(va, vb, blocked_on, s_name, s_addr, rule)``."""
    uf = UnionFind()
    joins: dict[int, list[dict[str, Any]]] = {}
    by_vid = {v.vid: v for v in variants}
    for va, vb, blocked_on, s_name, s_addr, rule in sorted(
        pairs, key=lambda p: (-p[3], p[0], p[1])
    ):
        if uf.union(va, vb):
            joins.setdefault(va, []).append(
                {
                    "a": by_vid[va].name,
                    "a_address": by_vid[va].address or None,
                    "b": by_vid[vb].name,
                    "b_address": by_vid[vb].address or None,
                    "name_similarity": round(float(s_name), 4),
                    "address_similarity": None if s_addr is None else round(float(s_addr), 4),
                    "rule": rule,
                    "blocked_on": blocked_on,
                }
            )
    groups: dict[int, list[Variant]] = {}
    for v in variants:
        groups.setdefault(uf.find(v.vid), []).append(v)
    merges: dict[int, list[dict[str, Any]]] = {}
    for va, items in joins.items():
        merges.setdefault(uf.find(va), []).extend(items)
    taken: set[str] = set()
    out = []
    for root in sorted(groups):
        members = groups[root]
        c = Cluster("", members, merges.get(root, []))
        rep = c.representative
        c.firm_id = firm_id_of(rep.country_code, keys[rep.vid].nkey, taken)
        out.append(c)
    return out
