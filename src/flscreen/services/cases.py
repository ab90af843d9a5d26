"""Cases: one shape for `flscreen case show --json`, `GET /cases/{id}` and the case page,
so the desk, a script and the dossier never disagree on what a case holds; and the
desk's work on them (list, queue, move, find, assign, attach and read evidence), for
the REST API and the pages alike, within a tenant's scope.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen.errors import InvalidInput, NotFound, Problem
from flscreen.identity.redact import redact_screening
from flscreen.identity.scope import (
    Scope,
    not_visible,
    require_shipment,
    shipment_clause,
    visible_shipments,
)
from flscreen.policy import cases
from flscreen.policy import tables as case_tables
from flscreen.policy.records import StoredScreening, get_screening, staleness
from flscreen.store import Store

from .locks import writing


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
    """A case with its verdict's reasons, history, rebuttals, findings and documents, as
    ``scope`` may read it (other tenants' shipment ids redacted from the evidence)."""
    case = scoped_case(conn, ref, scope)
    screening = redact_screening(conn, scope, get_screening(conn, case.screening_id))
    return CaseDetail(
        case=case,
        screening=screening,
        events=cases.history(conn, case),
        rebuttals=cases.rebuttals_of_case(conn, case),
        documents=cases.documents_of_case(conn, case),
        findings=cases.findings_of_case(conn, case),
        staleness=staleness(conn, screening.verdict.list_versions, screening.screened_at),
    )


def list_cases(
    conn: Connection,
    state: str | None = None,
    shipment: str | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Cases (of ``scope``'s tenant only, when restricted), oldest first."""
    _check_state(state)
    found = cases.list_cases(conn, state=state, shipment_id=shipment)
    if scope is not None and not scope.unrestricted:
        visible = visible_shipments(conn, scope) or frozenset()
        found = [c for c in found if c.shipment_id in visible]
    return {"cases": [c.to_dict() for c in found], "states": list(cases.STATES)}


def _check_state(state: str | None) -> None:
    """A case state named in a query, refused naming the API's ``state`` parameter (the
    core's message names the CLI's ``--state``)."""
    if state is not None and state not in cases.STATES:
        choices = ", ".join(cases.STATES)
        raise InvalidInput(
            [Problem("query", f"unknown state {state!r}: one of {choices}", field="state")]
        )


def work_queue(
    conn: Connection,
    state: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Open cases (of ``scope``'s tenant only, when restricted) with the detention clock,
    overdue first; optionally only one state, one assignee's or the unassigned."""
    _check_state(state)
    assignee = (assignee or "").strip() or None
    rows = cases.work_queue(conn)
    if scope is not None and not scope.unrestricted:
        visible = visible_shipments(conn, scope) or frozenset()
        rows = [r for r in rows if r["shipment"] in visible]
    if state is not None:
        rows = [r for r in rows if r["state"] == state]
    if unassigned:
        rows = [r for r in rows if not r["assignee"]]
    elif assignee is not None:
        rows = [r for r in rows if r["assignee"] == assignee]
    return {
        "cases": rows,
        "total": len(rows),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "states": [s for s in cases.STATES if s not in cases.CLOSED],
    }


def cases_by_state(conn: Connection, scope: Scope | None = None) -> dict[str, int]:
    """How many cases are in each state (one grouped query), within ``scope``."""
    table = case_tables.cases
    stmt = sa.select(table.c.state, sa.func.count()).group_by(table.c.state)
    if scope is not None:
        stmt = stmt.where(shipment_clause(scope, table.c.shipment_id))
    return {state: int(n) for state, n in conn.execute(stmt)}


def case_json(conn: Connection, ref: str, scope: Scope | None = None) -> dict[str, Any]:
    """The case (flscreen.services.cases) as the API answers it."""
    return case_detail(conn, ref, scope).to_dict()


def transition_case(store: Store, ref: str, to: str, actor: str, reason: str) -> dict[str, Any]:
    """Move a case (the rules are the core's; a refusal lists every problem)."""
    with writing(store), store.begin() as conn:
        case = cases.transition(conn, ref, to, actor, reason)
    with store.connect() as conn:
        return case_json(conn, case.case_id)


def record_finding(
    store: Store,
    ref: str,
    kind: str,
    statement: str,
    documents: Sequence[int],
    actor: str,
    clear_and_convincing: bool,
) -> dict[str, Any]:
    """Record an applicability or exception finding on a case; returns the case."""
    with writing(store), store.begin() as conn:
        found = cases.record_finding(
            conn,
            ref,
            kind,
            statement,
            documents,
            actor,
            clear_and_convincing=clear_and_convincing,
        )
    with store.connect() as conn:
        return case_json(conn, found.case_id)


def assign_case(store: Store, ref: str, to: str | None, actor: str, note: str) -> dict[str, Any]:
    """Assign or reassign a case (audited); returns the case."""
    with writing(store), store.begin() as conn:
        case = cases.assign(conn, ref, to, actor, note)
    with store.connect() as conn:
        return case_json(conn, case.case_id)


def attach_documents(
    store: Store,
    documents_dir: Path,
    ref: str,
    files: Iterable[Path],
    kind: str,
    supplied_by: str,
    statement: str | None,
    transaction: str | None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Store uploaded files by sha256 on a case (a rebuttal when a statement is given);
    a restricted ``scope`` may attach only to its own tenant's cases."""
    with writing(store), store.begin() as conn:
        scoped_case(conn, ref, scope)
        stored = cases.attach(
            conn,
            documents_dir,
            list(files),
            kind,
            supplied_by,
            case_ref=ref,
            transaction_id=transaction,
            statement=statement,
        )
    return {"attached": [d.to_dict() for d in stored]}


def read_document(
    conn: Connection,
    documents_dir: Path,
    document_id: int,
    case_id: str | None = None,
    scope: Scope | None = None,
) -> tuple[cases.StoredDocument, bytes]:
    """A stored document and its bytes, its hash checked (:class:`~flscreen.errors.Tampered`
    when altered); a restricted ``scope`` sees its own tenant's cases' documents only."""
    doc = cases.get_document(conn, document_id)
    if scope is not None and not scope.unrestricted:
        if doc.case_id is None:
            raise NotFound(f"no document {document_id}")
        scoped_case(conn, doc.case_id, scope)
    return cases.read_document(conn, documents_dir, document_id, case_id)
