"""Name matching: cross-script, evasion-resistant, explainable.

``Matcher.build(entries)`` indexes list entries; ``matcher.match(Query(...))``
returns a :class:`~flscreen.model.matching.MatchResult` whose hits carry the
features that explain their score.
"""

from flscreen.matching.judgements import Judgement, JudgementBook
from flscreen.matching.matcher import Matcher
from flscreen.matching.query import Query, party_key
from flscreen.matching.scoring import ALGORITHM, DEFAULT_THRESHOLD, REVIEW_THRESHOLD

__all__ = [
    "ALGORITHM",
    "DEFAULT_THRESHOLD",
    "REVIEW_THRESHOLD",
    "Judgement",
    "JudgementBook",
    "Matcher",
    "Query",
    "party_key",
]
