"""Goods descriptions and HS codes -> bill-of-materials materials (``materials.yml``).

One reviewed table gives both a Python function (for one record, and tests)
and a SQL ``CASE`` expression (for millions, on DuckDB or Spark): the two read
the same rules, so they agree.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib import resources

import yaml

ALGORITHM = "trade-materials-v1"


@dataclass(frozen=True, slots=True)
class MaterialRule:
    material: str
    keywords: tuple[str, ...]
    hs: tuple[str, ...]


@functools.cache
def rules() -> tuple[MaterialRule, ...]:
    text = resources.files("flscreen.resources").joinpath("trade", "materials.yml")
    data = yaml.safe_load(text.read_text(encoding="utf-8"))
    return tuple(
        MaterialRule(
            material=m["material"],
            keywords=tuple(fold(str(k)) for k in m.get("keywords", ())),
            hs=tuple(str(h) for h in m.get("hs", ())),
        )
        for m in data["materials"]
    )


_NON_WORD = re.compile(r"[^\w]+|_")


def fold(text: str) -> str:
    """Lower case, punctuation to single spaces.

    '100% COTTON YARN, NE 30/1' -> '100 cotton yarn ne 30 1'.
    """
    return " ".join(_NON_WORD.sub(" ", text.lower()).split())


def material_of(description: str | None, hs_codes: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """(material, basis) for one record: basis is 'description: <phrase>' or 'hs: <prefix>'."""
    if description:
        padded = f" {fold(description)} "
        for rule in rules():
            for kw in rule.keywords:
                if (f" {kw} " in padded) if kw.isascii() else (kw in padded):
                    return rule.material, f"description: {kw}"
    if hs_codes:
        first = hs_codes[0]
        best: tuple[int, str, str] | None = None
        for rule in rules():
            for prefix in rule.hs:
                if first.startswith(prefix) and (best is None or len(prefix) > best[0]):
                    best = (len(prefix), rule.material, prefix)
        if best is not None:
            return best[1], f"hs: {best[2]}"
    return None


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def material_case(folded: str, hs: str) -> str:
    """A SQL CASE giving the material from ``folded`` (the description as :func:`fold` makes it,
    padded with a space each side) and ``hs`` (the first HS code, digits only)."""
    parts = []
    for rule in rules():
        for kw in rule.keywords:
            needle = f"% {kw} %" if kw.isascii() else f"%{kw}%"
            parts.append(f"WHEN {folded} LIKE {_quote(needle)} THEN {_quote(rule.material)}")
    by_length = sorted(
        ((prefix, rule.material) for rule in rules() for prefix in rule.hs),
        key=lambda p: -len(p[0]),
    )
    for prefix, material in by_length:
        parts.append(f"WHEN {hs} LIKE {_quote(prefix + '%')} THEN {_quote(material)}")
    return "CASE " + " ".join(parts) + " ELSE NULL END"
