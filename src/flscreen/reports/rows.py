"""Match and screen results as spreadsheet rows: one row per supplier or shipment.

Analysts filter a sheet by status, list and score, and read the evidence in
the next column; so each row carries the best hit (or the first raised reason)
in its own columns and the rest joined in one. The rows feed
:mod:`flscreen.reports.tabular` (CSV/XLSX with formula-leading cells
neutralised) from the CLI and the API alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flscreen.matching import Query
from flscreen.policy.verdict import Verdict

MATCH_COLUMNS = (
    "id",
    "name",
    "country",
    "registration_id",
    "status",
    "score",
    "list",
    "list_version",
    "entry_id",
    "entry_name",
    "matched_name",
    "judgement",
    "why",
    "other_hits",
    "algorithm",
)
VERDICT_COLUMNS = (
    "shipment",
    "verdict",
    "policy",
    "policy_version",
    "case",
    "first_reason",
    "reason_codes",
    "evidence",
    "list_versions",
    "risk_score",
)


def match_status(result: Mapping[str, Any]) -> str:
    """'match', 'review' (a hit in the review band) or 'clear'."""
    if result["match"]:
        return "match"
    return "review" if result["hits"] else "clear"


def match_row(query: Query, result: Mapping[str, Any]) -> dict[str, Any]:
    """One party's row from its ``flscreen match`` JSON line (``MatchResult.to_dict()``)."""
    hits = result["hits"]
    best = hits[0] if hits else {}
    return {
        "id": query.id,
        "name": query.name,
        "country": query.country,
        "registration_id": query.registration_id,
        "status": match_status(result),
        "score": best.get("score"),
        "list": best.get("list"),
        "list_version": best.get("list_version"),
        "entry_id": best.get("entry_id"),
        "entry_name": best.get("name"),
        "matched_name": best.get("matched_name"),
        "judgement": best.get("judgement"),
        "why": "; ".join(
            f"{f['name']} {f['score']:.2f}: {f['detail']}" for f in best.get("features", ())
        )
        or None,
        "other_hits": "; ".join(
            f"{h['list']} v{h['list_version']} {h['entry_id']} {h['name']} ({h['score']:.3f})"
            for h in hits[1:]
        )
        or None,
        "algorithm": result.get("algorithm"),
    }


def match_rows(pairs: Iterable[tuple[Query, Mapping[str, Any]]]) -> list[dict[str, Any]]:
    return [match_row(q, r) for q, r in pairs]


def verdict_row(verdict: Verdict, case_id: str | None = None) -> dict[str, Any]:
    raised = [r for r in verdict.reasons if r.outcome != "clear"] or list(verdict.reasons)
    return {
        "shipment": verdict.shipment,
        "verdict": verdict.outcome,
        "policy": verdict.policy,
        "policy_version": verdict.policy_version,
        "case": case_id,
        "first_reason": raised[0].code if raised else None,
        "reason_codes": ", ".join(dict.fromkeys(r.code for r in raised)) or None,
        "evidence": " | ".join(f"{r.outcome}: {r.text}" for r in raised) or None,
        "list_versions": _versions(verdict.list_versions),
        "risk_score": verdict.risk_score,
    }


def _versions(versions: Mapping[str, Mapping[str, Any]]) -> str:
    return ", ".join(f"{name} v{v.get('version')}" for name, v in sorted(versions.items()))
