"""The hash-chained audit log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from .. import services
from ..state import AppState, get_state

router = APIRouter(prefix="/audit", tags=["audit"])

State = Annotated[AppState, Depends(get_state)]


@router.get("/verify")
def verify(state: State) -> dict[str, Any]:
    """Recompute the chain of every screening, verdict, case move, judgement and document;
    `{"ok", "records", "head", "broken": {"seq", "problem", "kind", "at"} | null}` names
    the first record that was altered, deleted, reordered or truncated."""
    with state.store.connect() as conn:
        return services.verify_audit(conn)
