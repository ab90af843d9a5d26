"""Shipments: their traces, their verdicts under a policy, and the evidence dossier."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from .. import shipments as service
from ..schemas import ScreenRequest
from ..state import AppState, get_state

router = APIRouter(tags=["shipments"])

State = Annotated[AppState, Depends(get_state)]
PolicyName = Annotated[
    str | None, Query(description="Only verdicts under this policy (default: the latest).")
]


@router.get("/shipments")
def get_shipments(
    state: State,
    policy: PolicyName = None,
    verdict: Annotated[
        str | None,
        Query(description="Only shipments whose latest verdict is this (or 'unscreened')."),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    """Stored shipments, newest first, with importer, exporter and manufacturer names, the
    latest verdict and its main reason, and the open case; `by_verdict` tallies them all."""
    return service.list_shipments(
        state.store, state.graphs, policy=policy, verdict=verdict, limit=limit, offset=offset
    )


@router.get("/shipments/{shipment_id}/trace")
def get_trace(
    shipment_id: str,
    state: State,
    lookback_days: Annotated[
        int | None, Query(ge=1, le=3650, description="Days each hop looks back (365).")
    ] = None,
    ownership_threshold: Annotated[
        float | None,
        Query(ge=0, le=100, description="Percent owned by listed parties that taints (50)."),
    ] = None,
) -> dict[str, Any]:
    """Trace a shipment upstream now, in memory (`flscreen trace SHIPMENT --json`):
    `{"shipment", "tainted", "paths": [{"source", "steps", "share"}], "gaps",
    "mass_balance"}`; each step cites its transaction and documents."""
    return service.trace_one(
        state.store, state.graphs, shipment_id, lookback_days, ownership_threshold
    )


@router.post("/screen")
def screen(body: ScreenRequest, state: State) -> dict[str, Any]:
    """Screen stored shipments (all, or `shipments`) under a bundled policy: trace, decide,
    record each verdict in the audit log and open a case for review, detain and exclude.
    Each result is a `flscreen screen` JSON line with its screening id and case."""
    return service.screen(state.store, state.graphs, body.policy, body.shipments, body.actor)


@router.get("/shipments/{shipment_id}/verdict")
def get_verdict(shipment_id: str, state: State, policy: PolicyName = None) -> dict[str, Any]:
    """The latest recorded verdict: outcome, reasons with their evidence (list entry and
    version, region signals, path and transactions, gap, mass balance), the policy and
    list versions used, when and by whom, and the case. 404 when never screened."""
    with state.store.connect() as conn:
        return service.stored_verdict(conn, shipment_id, policy)


@router.get(
    "/shipments/{shipment_id}/dossier",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def get_dossier(
    shipment_id: str,
    state: State,
    format: Annotated[str, Query(pattern="^(html|pdf)$", description="html or pdf.")] = "html",
    policy: PolicyName = None,
) -> Response:
    """The evidence dossier of a screened shipment, in the shape CBP asks for: summary,
    contents, flow chart, parties, steps and documents, mass balance, gaps, versions and
    case history; as HTML or PDF."""
    with state.store.connect() as conn:
        body = service.dossier(conn, shipment_id, policy, format)
    if isinstance(body, bytes):
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in shipment_id)
        return Response(
            body,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="dossier-{safe}.pdf"'},
        )
    return HTMLResponse(body)
