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
    match: bool = False
    """True when the score reaches the match threshold or an analyst confirmed the pair;
    a hit below it (in the review band) is a possible match for a person to review."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class MatchResult:
    id: str
    match: bool
    hits: tuple[MatchHit, ...] = field(default_factory=tuple)
    algorithm: str = ""
    threshold: float | None = None
    """The match threshold the hits were judged against."""
    review_threshold: float | None = None
    """Hits from here up to ``threshold`` are possible matches (review band)."""
    suppressed: tuple[MatchHit, ...] = field(default_factory=tuple)
    """Hits an analyst judged 'no_match': kept out of ``hits``, shown here with the reason."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": self.id,
            "match": self.match,
            "hits": [h.to_dict() for h in self.hits],
            "algorithm": self.algorithm,
        }
        if self.suppressed:
            data["suppressed"] = [h.to_dict() for h in self.suppressed]
        return data
