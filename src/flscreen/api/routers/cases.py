"""Cases opened by review, detain and exclude verdicts: list, read, move, attach evidence."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from flscreen.http.auth import audit_read, requires, scope_of
from flscreen.http.documents import attach_from_form
from flscreen.http.state import AppState, get_state
from flscreen.identity.roles import Permission, Principal, transition_permission
from flscreen.services import cases as services

from .. import answers as A
from ..schemas import AssignRequest, FindingRequest, TransitionRequest

router = APIRouter(prefix="/cases", tags=["cases"])

State = Annotated[AppState, Depends(get_state)]
Reader = Annotated[Principal, requires(Permission.CASES_READ)]


@router.get("", response_model=A.CaseList, **A.ANSWER)
def get_cases(
    state: State,
    principal: Reader,
    case_state: Annotated[
        str | None, Query(alias="state", description="Only cases in this state.")
    ] = None,
    shipment: Annotated[str | None, Query(description="Only cases of this shipment.")] = None,
) -> dict[str, Any]:
    """Cases, oldest first, with their shipment, verdict, state and policy (an importer's
    own only)."""
    scope = scope_of(state, principal)
    with state.store.connect() as conn:
        return services.list_cases(conn, case_state, shipment, scope)


@router.get("/queue", response_model=A.Queue, **A.ANSWER)
def get_queue(
    state: State,
    principal: Reader,
    case_state: Annotated[
        str | None, Query(alias="state", description="Only open cases in this state.")
    ] = None,
    assignee: Annotated[str | None, Query(description="Only this person's cases.")] = None,
    unassigned: Annotated[bool, Query(description="Only cases nobody works on.")] = False,
) -> dict[str, Any]:
    """The work queue: open cases with state, assignee, age and the detention clock (days
    since the goods were held against the policy's `detention.limit_days`), overdue ones
    first, then the longest held (an importer's own only)."""
    scope = scope_of(state, principal)
    with state.store.connect() as conn:
        return services.work_queue(conn, case_state, assignee, unassigned, scope)


@router.get("/{case_id}", response_model=A.CaseDetail, **A.ANSWER)
def get_case(case_id: str, state: State, principal: Reader) -> dict[str, Any]:
    """A case (`CASE-000001` or its number) with the verdict's reasons and list versions,
    its history (who moved it, when, why), rebuttals, documents, and the states it may
    move to next. Every read is logged in the audit trail."""
    scope = scope_of(state, principal)
    with state.store.connect() as conn:
        out = services.case_json(conn, case_id, scope)
    audit_read(state, principal, "case.read", out["case"])
    return out


@router.post("/{case_id}/transition", response_model=A.CaseDetail, **A.ANSWER)
def transition(
    case_id: str,
    body: TransitionRequest,
    state: State,
    principal: Annotated[Principal, requires(Permission.CASES_PREPARE)],
) -> dict[str, Any]:
    """Move a case to another state, recording the signed-in user, time and reason in the
    case history and the audit log. Releasing, excluding and granting an exception are
    decisions (officers only: 403 for an analyst). A forbidden move is refused with 422
    naming the allowed ones. Held goods (a detain or exclude verdict) reach `released`
    only on a recorded applicability finding, and `exception_granted` needs a recorded
    exception finding (`POST /cases/{case_id}/findings`)."""
    principal.require(transition_permission(body.to.strip()))
    return services.transition_case(state.store, case_id, body.to, principal.label(), body.reason)


@router.post("/{case_id}/findings", status_code=201, response_model=A.CaseDetail, **A.ANSWER)
def finding(
    case_id: str,
    body: FindingRequest,
    state: State,
    principal: Annotated[Principal, requires(Permission.CASES_DECIDE)],
) -> dict[str, Any]:
    """Record an applicability finding (the goods and their inputs have no link to the
    region or a listed entity) or an exception finding, citing the ids of the case's
    documents it rests on (`documents`); under `uflpa` an exception also needs
    `clear_and_convincing: true`. Findings are the officer's, recorded as the signed-in
    user. Returns the case."""
    return services.record_finding(
        state.store,
        case_id,
        body.kind,
        body.statement,
        body.documents,
        principal.label(),
        body.clear_and_convincing,
    )


@router.post("/{case_id}/assign", response_model=A.CaseDetail, **A.ANSWER)
def assign(
    case_id: str,
    body: AssignRequest,
    state: State,
    principal: Annotated[Principal, requires(Permission.CASES_ASSIGN)],
) -> dict[str, Any]:
    """Assign or reassign a case (`to: null` for nobody); recorded as a case event and
    in the audit log, by the signed-in user. Returns the case."""
    return services.assign_case(state.store, case_id, body.to, principal.label(), body.note)


@router.post("/{case_id}/documents", status_code=201, response_model=A.Attached, **A.ANSWER)
async def attach(
    case_id: str,
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(Permission.DOCUMENTS_ATTACH)],
) -> dict[str, Any]:
    """Attach documents (multipart: one or more `file` parts, and the fields `kind`,
    optional `statement` and `transaction`). Files are stored by sha256; with a
    `statement` the files and statement form one rebuttal. Who supplied them is the
    signed-in user (an importer: its own tenant's cases only)."""
    return await attach_from_form(request, state, principal, case_id)
