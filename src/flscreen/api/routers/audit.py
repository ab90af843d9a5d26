"""The hash-chained audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from flscreen.http.auth import requires
from flscreen.http.state import AppState, get_state
from flscreen.identity.roles import Permission
from flscreen.services import audit as services

from .. import answers as A

router = APIRouter(prefix="/audit", tags=["audit"], dependencies=[requires(Permission.AUDIT_READ)])

State = Annotated[AppState, Depends(get_state)]


@router.get("/verify", response_model=A.AuditVerify, **A.ANSWER)
def verify(state: State) -> dict[str, Any]:
    """Recompute the chain of every screening, verdict, case move, judgement and document;
    `{"ok", "records", "head", "broken": {"seq", "problem", "kind", "at"} | null}` names
    the first record that was altered, deleted, reordered or truncated; `documents` lists
    every stored evidence file that is missing or whose bytes no longer match its sha256."""
    with state.store.connect() as conn:
        return services.verify_audit(conn, state.documents_dir)


@router.get("/log", response_model=A.AuditLog, **A.ANSWER)
def log(
    state: State,
    subject: Annotated[
        str | None, Query(description="Only records about this shipment, case or party.")
    ] = None,
    kind: Annotated[
        str | None, Query(description="Only records of this kind (screening, case.transition…).")
    ] = None,
    last: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The newest audit records, newest first (`flscreen audit log`): each with its
    sequence number, time, kind, actor, subject, payload and hash."""
    with state.store.connect() as conn:
        return {"records": services.audit_records(conn, subject, kind, last)}
