"""A verdict on one shipment: an outcome and the reasons behind it, each with evidence."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flscreen.policy.schema import SEVERITY, Outcome


def canonical_json(value: Any) -> str:
    """One text per value: sorted keys, no spaces, UTF-8 kept (hashing and ordering)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Reason:
    """One finding and what it means under the policy.

    ``evidence`` points at stored facts: the list entry with its list name,
    version and date; the region signals; the path with its transactions and
    documents; the gap; the mass-balance finding.
    """

    code: str
    outcome: Outcome
    text: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def sort_key(self) -> tuple[int, str, str]:
        return (-SEVERITY[self.outcome], self.code, canonical_json(self.evidence))

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "outcome": self.outcome,
            "text": self.text,
            "evidence": self.evidence,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Reason:
        return cls(data["code"], data["outcome"], data["text"], dict(data.get("evidence", {})))


@dataclass(frozen=True, slots=True)
class Verdict:
    shipment: str
    outcome: Outcome
    reasons: tuple[Reason, ...]
    policy: str
    policy_version: str
    list_versions: dict[str, dict[str, Any]]
    """List name -> {"version", "imported_at", "sha256"} of every list the screen rests on."""
    sector: str | None = None
    risk_score: float | None = None
    """Highest path risk under a risk-based policy; None under a presumption."""

    @property
    def opens_case(self) -> bool:
        """Review, detain and exclude all need a person to act."""
        return self.outcome != "clear"

    def to_dict(self) -> dict[str, Any]:
        """The ``flscreen screen`` JSON line."""
        return {
            "shipment": self.shipment,
            "verdict": self.outcome,
            "reasons": [r.to_dict() for r in self.reasons],
            "policy": self.policy,
            "policy_version": self.policy_version,
            "list_versions": self.list_versions,
            "sector": self.sector,
            "risk_score": self.risk_score,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Verdict:
        return cls(
            shipment=data["shipment"],
            outcome=data["verdict"],
            reasons=tuple(Reason.from_dict(r) for r in data.get("reasons", ())),
            policy=data["policy"],
            policy_version=data["policy_version"],
            list_versions=dict(data.get("list_versions", {})),
            sector=data.get("sector"),
            risk_score=data.get("risk_score"),
        )
