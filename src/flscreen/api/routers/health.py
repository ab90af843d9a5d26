"""Liveness: is the app up and can it reach its store."""

from __future__ import annotations

from typing import Annotated, Any

import sqlalchemy as sa
from fastapi import APIRouter, Depends

from flscreen.errors import StoreError
from flscreen.http.auth import public
from flscreen.http.state import AppState, get_state

from .. import answers as A

router = APIRouter(tags=["health"])


@router.get("/healthz", dependencies=[public()], response_model=A.Health, **A.ANSWER)
def healthz(state: Annotated[AppState, Depends(get_state)]) -> dict[str, Any]:
    """Answer 200 with the store's backend when the database answers; 503 when it does not.
    Nothing about where the store lives (file path, host, database name) is shown."""
    try:
        with state.store.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        raise StoreError(f"store does not answer: {exc.__class__.__name__}") from exc
    from flscreen import __version__

    return {
        "status": "ok",
        "version": __version__,
        "store": state.store.dialect,
    }
