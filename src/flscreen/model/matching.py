"""Match results: one per screened party, with hits that explain their score."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Feature:
    """One piece of evidence: which feature, its score, and a sentence saying why."""

    name: str
    score: float
    detail: str


@dataclass(frozen=True, slots=True)
class MatchHit:
    entry_id: str
    list: str
    list_version: int
    name: str
    """The entry's primary name."""
    matched_name: str
    """The entry name (primary, alias, former) that scored best."""
    score: float
    features: tuple[Feature, ...] = ()
    judgement: str | None = None
    """'match' or 'no_match' when an analyst has judged this pair, else None."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class MatchResult:
    id: str
    match: bool
    hits: tuple[MatchHit, ...] = field(default_factory=tuple)
    algorithm: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "match": self.match, "hits": [h.to_dict() for h in self.hits]}
