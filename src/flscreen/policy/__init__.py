"""Presumption policies turn traces into verdicts; cases and documents record what people did.

``decide`` is pure; ``cases``, ``store`` and ``screening`` work on a store.
"""

from flscreen.policy.decide import decide
from flscreen.policy.loader import bundled_policies, load_policy, parse_policy
from flscreen.policy.schema import OUTCOMES, Outcome, Policy
from flscreen.policy.verdict import Reason, Verdict

__all__ = [
    "OUTCOMES",
    "Outcome",
    "Policy",
    "Reason",
    "Verdict",
    "bundled_policies",
    "decide",
    "load_policy",
    "parse_policy",
]
