"""Matching algorithms: a name, what it is, and the tunables its score combines with.

The features (word alignment, compact spelling, literal copy, pinyin, brand rules) are
code; how they weigh against each other, where a score is capped or lifted and where
the match line runs are an :class:`Algorithm`'s tunables. A second algorithm is a
second instance beside the first (``register``), chosen per call (``Matcher.
with_algorithm``, the yente-compatible ``algorithm`` parameter), while the index,
which depends only on how names are read, is shared. As nomenklatura's logic_v2 keeps
its weights in a config, each algorithm here says what its numbers are (``config``).
A server offers more algorithms from a YAML file (``FLSCREEN_ALGORITHMS``, see
:func:`load_algorithms`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from flscreen.errors import InvalidInput, Problem

TUNABLES: dict[str, str] = {
    "threshold": "Hits from here up are matches.",
    "review_threshold": "Hits from here up to the threshold are for a person to review.",
    "w_tokens": "Weight of the word overlap in the name score.",
    "w_compact": "Weight of the compact (space-free) spelling similarity in the name score.",
    "no_distinctive_cap": "Cap when the list name's distinctive words are all missing.",
    "acronym_score": "Score of an acronym alone: ambiguous, so the review band.",
    "listed_acronym_score": "Score when the list name itself carries the acronym (VSETC).",
    "pinyin_factor": "Factor when the match runs through pinyin (lossy) across scripts.",
    "brand_factor": "Factor when the match runs through a reviewed brand spelling.",
    "number_factor": "Factor when the names carry different numbers (No. 4, No. 5).",
    "id_match_floor": "Floor when a registration id equals the entry's.",
    "id_conflict_factor": "Factor when two valid unified social credit codes differ.",
    "country_factor": "Factor when the query's country is not the entry's.",
    "schema_factor": "Factor for a person against an organisation, or the reverse.",
    "brand_only_cap": "Cap when the names share only distinctive words (a brand is not "
    "an entity: Sunrise Trading, Sunrise Group).",
    "brand_only_spelling": "Compact similarity from which the words not shared count as "
    "the same words misspelt, lifting the brand-only cap.",
    "brand_alone_score": "Score of a query that is exactly a listed organisation's "
    "distinctive words: review.",
}


@dataclass(frozen=True, slots=True)
class Algorithm:
    """One named configuration of the matcher (see the module docstring)."""

    name: str
    description: str
    threshold: float = 0.80
    review_threshold: float = 0.62
    w_tokens: float = 0.6
    w_compact: float = 0.4
    no_distinctive_cap: float = 0.5
    acronym_score: float = 0.78
    listed_acronym_score: float = 0.9
    pinyin_factor: float = 0.96
    brand_factor: float = 0.98
    number_factor: float = 0.7
    id_match_floor: float = 0.97
    id_conflict_factor: float = 0.6
    country_factor: float = 0.85
    schema_factor: float = 0.8
    brand_only_cap: float = 0.76
    brand_only_spelling: float = 0.9
    brand_alone_score: float = 0.70

    def __post_init__(self) -> None:
        if not 0.0 < self.review_threshold <= self.threshold <= 1.0:
            raise ValueError(
                f"algorithm {self.name!r}: thresholds must satisfy 0 < review "
                f"({self.review_threshold}) <= match ({self.threshold}) <= 1"
            )
        if abs(self.w_tokens + self.w_compact - 1.0) > 1e-9:
            raise ValueError(f"algorithm {self.name!r}: w_tokens + w_compact must be 1")

    def config(self) -> dict[str, dict[str, float | str]]:
        """Each tunable with its value and what it does (for /algorithms and docs)."""
        values = asdict(self)
        return {
            f.name: {"value": values[f.name], "description": TUNABLES[f.name]}
            for f in fields(self)
            if f.name in TUNABLES
        }


FLSCREEN_V6 = Algorithm(
    name="flscreen-v6",
    description=(
        "flscreen's cross-script name matcher: words aligned as written and as read "
        "(typos, boundaries, abbreviations, Chinese words' pinyin and senses), compact "
        "spelling, brand and schema rules, identifiers and country; every score "
        "explained by its features"
    ),
)
DEFAULT_ALGORITHM = FLSCREEN_V6

ALGORITHMS: dict[str, Algorithm] = {FLSCREEN_V6.name: FLSCREEN_V6}
"""Every algorithm this process offers, by name."""


def register(algorithm: Algorithm) -> Algorithm:
    """Offer ``algorithm`` beside the others (a name is registered once)."""
    known = ALGORITHMS.get(algorithm.name)
    if known is not None and known != algorithm:
        raise ValueError(f"another algorithm is already registered as {algorithm.name!r}")
    ALGORITHMS[algorithm.name] = algorithm
    return algorithm


def get_algorithm(name: str | None) -> Algorithm:
    """The algorithm called ``name`` (None, "default" and "best": the default)."""
    if name in (None, "default", "best"):
        return DEFAULT_ALGORITHM
    try:
        return ALGORITHMS[name]
    except KeyError:
        raise KeyError(f"unknown algorithm {name!r}; offered: {', '.join(ALGORITHMS)}") from None


def load_algorithms(path: Path) -> list[Algorithm]:
    """Algorithms from a YAML list, each ``{name, description, like, <tunable>: value}``
    (``like``: the registered algorithm it starts from, default the default one).
    Every problem is named by file, item and field; nothing is registered on error."""
    source = str(path)
    try:
        items = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InvalidInput(f"cannot read algorithms: {exc}", source=source) from None
    if not isinstance(items, list):
        raise InvalidInput("expected a list of algorithms", source=source)
    out: list[Algorithm] = []
    problems: list[Problem] = []
    for row, item in enumerate(items, start=1):
        try:
            out.append(_algorithm_of(item, [*out]))
        except (KeyError, TypeError, ValueError) as exc:
            message = str(exc.args[0]) if isinstance(exc, KeyError) else str(exc)
            problems.append(Problem(source, message, row=row))
    if problems:
        raise InvalidInput(problems)
    return out


def _algorithm_of(item: Any, earlier: list[Algorithm]) -> Algorithm:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ValueError("each algorithm needs a name")
    like_name = item.get("like")
    base = next((a for a in earlier if a.name == like_name), None) or get_algorithm(like_name)
    unknown = sorted(set(item) - set(TUNABLES) - {"name", "description", "like"})
    if unknown:
        raise ValueError(f"unknown tunable(s) {', '.join(unknown)}; known: {', '.join(TUNABLES)}")
    values: dict[str, Any] = {k: v for k, v in item.items() if k in TUNABLES}
    for key, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{key} must be a number, not {value!r}")
    return replace(
        base,
        name=item["name"],
        description=str(item.get("description") or f"{base.name} with other tunables"),
        **{k: float(v) for k, v in values.items()},
    )
