"""Judging a match: an analyst's decision that a party is (or is not) a list entry.

One use case for `flscreen judge`, `POST /judgements` and the hit page; the
judgement is recorded with the list entry it names and logged in the audit trail
in one transaction, and every later match honours it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flscreen import audit
from flscreen.errors import InvalidInput, Problem
from flscreen.lists.store import get_entry
from flscreen.matching import ALGORITHM
from flscreen.matching.judgements import Judgement, normalize_verdict, record_judgement
from flscreen.store import Store


@dataclass(frozen=True, slots=True)
class RecordedJudgement:
    """A judgement as stored, with the list version and entry name it was made against."""

    judgement: Judgement
    list_version: int
    entry_name: str


def judgement_json(j: Judgement) -> dict[str, Any]:
    """The one JSON shape of a judgement (`flscreen judgements`, the API, the pages)."""
    return {
        "id": j.id,
        "party_key": j.party_key,
        "query_name": j.query_name,
        "list": j.list_name,
        "entry_id": j.entry_id,
        "verdict": j.verdict,
        "by": j.decided_by,
        "at": j.decided_at,
        "reason": j.reason,
    }


def judge(
    store: Store,
    *,
    name: str,
    list_name: str,
    entry_id: str,
    verdict: str,
    by: str,
    reason: str | None = None,
    registration_id: str | None = None,
    fields: Mapping[str, str] | None = None,
) -> RecordedJudgement:
    """Record ``by``'s judgement on (party ``name``, list entry) and audit it.

    Every problem with the request is listed at once, each naming its field as the
    caller knows it (``fields`` maps name, list, entry_id, verdict and by to the
    caller's own names: the CLI's flags; the API's fields by default). ``by`` is the
    authenticated actor, never a value from a request body.
    """
    problems = judgement_problems(name, list_name, entry_id, verdict, by, fields or {})
    if problems:
        raise InvalidInput(problems)
    with store.begin() as conn:
        ref, entry = get_entry(conn, list_name.strip(), entry_id.strip())
        j = record_judgement(
            conn,
            query_name=name,
            list_name=ref.list_name,
            entry_id=entry.entry_id,
            verdict=verdict,
            decided_by=by,
            reason=reason,
            registration_id=registration_id,
            algorithm=ALGORITHM,
        )
        audit.append(conn, "judgement", j, j.decided_by, subject=j.party_key)
    return RecordedJudgement(j, ref.version, entry.name)


def judgement_problems(
    name: str, list_name: str, entry_id: str, verdict: str, by: str, fields: Mapping[str, str]
) -> list[Problem]:
    """What is wrong with a judgement request, one Problem per field (none when valid)."""
    problems: list[Problem] = []
    for field_name, value in (("name", name), ("list", list_name), ("entry_id", entry_id)):
        if not value.strip():
            problems.append(
                Problem("", "missing required value", field=fields.get(field_name, field_name))
            )
    if normalize_verdict(verdict) is None:
        problems.append(
            Problem("", "expected match or no-match", field=fields.get("verdict", "verdict"))
        )
    if not by.strip():
        problems.append(Problem("", "say who decides", field=fields.get("by", "by")))
    return problems
