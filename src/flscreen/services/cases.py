"""Reading a case: one shape for `flscreen case show --json`, `GET /cases/{id}` and the
case page, so the desk, a script and the dossier never disagree on what a case holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Connection

from flscreen.errors import NotFound
from flscreen.identity.scope import Scope, not_visible, require_shipment
from flscreen.policy import cases
from flscreen.policy.records import StoredScreening, get_screening, staleness


@dataclass(frozen=True, slots=True)
class CaseDetail:
    """A case with the screening it was opened on and everything recorded on it since."""

    case: cases.Case
    screening: StoredScreening
    events: list[cases.CaseEvent]
    rebuttals: list[cases.Rebuttal]
    documents: list[cases.StoredDocument]
    findings: list[cases.Finding]
    staleness: dict[str, Any]

    @property
    def allowed_next(self) -> list[str]:
        return sorted(cases.TRANSITIONS[self.case.state])

    def to_dict(self) -> dict[str, Any]:
        """The case as every interface shows it (the API's answer, `case show --json`)."""
        verdict = self.screening.verdict
        return {
            **self.case.to_dict(),
            "allowed_next": self.allowed_next,
            "held": self.case.held,
            "findings": [f.to_dict() for f in self.findings],
            "exception_rule": self.case.exception_rule,
            "reasons": [r.to_dict() for r in verdict.reasons],
            "list_versions": verdict.list_versions,
            **self.staleness,
            "history": [
                {
                    "from": e.from_state,
                    "to": e.to_state,
                    "actor": e.actor,
                    "at": e.at,
                    "reason": e.reason,
                    "clear_and_convincing": e.clear_and_convincing,
                    "audit_seq": e.audit_seq,
                }
                for e in self.events
            ],
            "rebuttals": [
                {
                    "statement": r.statement,
                    "supplied_by": r.supplied_by,
                    "at": r.submitted_at,
                    "documents": [d.sha256 for d in r.documents],
                }
                for r in self.rebuttals
            ],
            "documents": [d.to_dict() for d in self.documents],
        }


def scoped_case(conn: Connection, ref: str, scope: Scope | None) -> cases.Case:
    """The case, or NotFound, also (with the same message) for another tenant's."""
    try:
        case = cases.get_case(conn, ref)
    except NotFound as exc:
        if scope is None or scope.unrestricted:
            raise
        # Under row-level security another tenant's case is invisible, not absent.
        raise not_visible(scope, f"case {ref}", str(exc)) from None
    if scope is not None:
        require_shipment(
            conn, scope, case.shipment_id, f"no case {ref!r} (see GET /cases, `flscreen case list`)"
        )
    return case


def case_detail(conn: Connection, ref: str, scope: Scope | None = None) -> CaseDetail:
    """A case with its verdict's reasons, history, rebuttals, findings and documents."""
    case = scoped_case(conn, ref, scope)
    screening = get_screening(conn, case.screening_id)
    return CaseDetail(
        case=case,
        screening=screening,
        events=cases.history(conn, case),
        rebuttals=cases.rebuttals_of_case(conn, case),
        documents=cases.documents_of_case(conn, case),
        findings=cases.findings_of_case(conn, case),
        staleness=staleness(conn, screening.verdict.list_versions, screening.screened_at),
    )
