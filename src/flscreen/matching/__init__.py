"""Name matching: cross-script, evasion-resistant, explainable.

``Matcher.build(entries)`` indexes list entries; ``matcher.match(Query(...))``
returns a :class:`~flscreen.model.matching.MatchResult` whose hits carry the
features that explain their score. ``matcher.with_algorithm(get_algorithm(name))``
scores with another registered :class:`Algorithm` over the same index.
"""

from flscreen.matching.algorithm import (
    ALGORITHMS,
    DEFAULT_ALGORITHM,
    Algorithm,
    get_algorithm,
    register,
)
from flscreen.matching.judgements import Judgement, JudgementBook
from flscreen.matching.matcher import Matcher
from flscreen.matching.query import Query, party_key
from flscreen.matching.scoring import ALGORITHM, DEFAULT_THRESHOLD, REVIEW_THRESHOLD

__all__ = [
    "ALGORITHM",
    "ALGORITHMS",
    "DEFAULT_ALGORITHM",
    "DEFAULT_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Algorithm",
    "Judgement",
    "JudgementBook",
    "Matcher",
    "Query",
    "get_algorithm",
    "party_key",
    "register",
]
