"""Shipments: their traces, their verdicts under a policy, and the evidence dossier."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from flscreen.http.auth import audit_read, requires, scope_of
from flscreen.http.state import AppState, get_state
from flscreen.http.uploads import import_from_upload
from flscreen.identity.roles import Permission, Principal
from flscreen.services import shipments as service

from .. import answers as A
from ..schemas import ScreenRequest

router = APIRouter(tags=["shipments"])

State = Annotated[AppState, Depends(get_state)]
Reader = Annotated[Principal, requires(Permission.SHIPMENTS_READ)]
PolicyName = Annotated[
    str | None, Query(description="Only verdicts under this policy (default: the latest).")
]


@router.get("/shipments", response_model=A.ShipmentList, **A.ANSWER)
def get_shipments(
    state: State,
    principal: Reader,
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
        state.store,
        state.graphs,
        policy=policy,
        verdict=verdict,
        limit=limit,
        offset=offset,
        scope=scope_of(state, principal),
    )


@router.post("/shipments/import", response_model=A.PackageImport, **A.ANSWER)
async def import_package(
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(Permission.SHIPMENTS_IMPORT)],
    screen: Annotated[
        str | None,
        Query(description="Screen the package's shipments under this policy right after."),
    ] = None,
) -> dict[str, Any]:
    """Import a supply package: one `.json` or `.xlsx` file, or the package's CSV files
    (`parties.csv`, `facilities.csv`, `transactions.csv`, `shipments.csv`, ...) as
    `file` parts of a multipart form. Everything is validated before anything is written;
    a rejected package answers 422 listing every problem with file, row and field.
    Parties are matched against the lists and located. With `screen=uflpa` the package's
    shipments are screened at once (`flscreen screen PACKAGE`); screening needs the
    `shipments.screen` permission (officers and analysts). An importer may send only its
    own shipments (their `importer_id` one of its tenant's parties)."""
    return await import_from_upload(request, state, principal, screen)


@router.get("/shipments/{shipment_id}", response_model=A.ShipmentDetail, **A.ANSWER)
def get_shipment(
    shipment_id: str, state: State, principal: Reader, policy: PolicyName = None
) -> dict[str, Any]:
    """One shipment: its facts (parties by name), its trace now, its latest recorded
    verdict (or null when never screened) and its earlier screenings. 404 when unknown."""
    scope = scope_of(state, principal)
    return service.shipment_detail(state.store, state.graphs, shipment_id, policy, scope)


@router.get("/shipments/{shipment_id}/trace", response_model=A.Trace, **A.ANSWER)
def get_trace(
    shipment_id: str,
    state: State,
    principal: Reader,
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
    "mass_balance", "unlisted_paths"}`; each step cites its transaction and documents; at
    most `max_paths` routes are listed, `unlisted_paths` counts the rest."""
    return service.trace_one(
        state.store,
        state.graphs,
        shipment_id,
        lookback_days,
        ownership_threshold,
        scope_of(state, principal),
    )


@router.post("/screen", response_model=A.ScreenRun, **A.ANSWER)
def screen(
    body: ScreenRequest,
    state: State,
    principal: Annotated[Principal, requires(Permission.SCREEN)],
) -> dict[str, Any]:
    """Screen stored shipments (all, or `shipments`) under a bundled policy: trace, decide,
    record each verdict in the audit log (by the signed-in user) and open a case for
    review, detain and exclude. Each result is a `flscreen screen` JSON line with its
    screening id and case."""
    return service.screen(state.store, body.policy, body.shipments, principal.label(), state.graphs)


@router.get("/shipments/{shipment_id}/verdict", response_model=A.StoredVerdict, **A.ANSWER)
def get_verdict(
    shipment_id: str, state: State, principal: Reader, policy: PolicyName = None
) -> dict[str, Any]:
    """The latest recorded verdict: outcome, reasons with their evidence (list entry and
    version, region signals, path and transactions, gap, mass balance), the policy and
    list versions used, when and by whom, and the case. 404 when never screened."""
    scope = scope_of(state, principal)
    with state.store.connect() as conn:
        return service.stored_verdict(conn, shipment_id, policy, scope)


@router.get(
    "/shipments/{shipment_id}/dossier",
    response_class=Response,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def get_dossier(
    shipment_id: str,
    state: State,
    principal: Reader,
    format: Annotated[str, Query(pattern="^(html|pdf)$", description="html or pdf.")] = "html",
    policy: PolicyName = None,
) -> Response:
    """The evidence dossier of a screened shipment, in the shape CBP asks for: summary,
    contents, flow chart, parties, steps and documents, mass balance, gaps, versions and
    case history; as HTML or PDF. Every read is logged in the audit trail."""
    scope = scope_of(state, principal)
    with state.store.connect() as conn:
        body = service.dossier(conn, shipment_id, policy, format, scope)
    audit_read(state, principal, "dossier.read", shipment_id, {"format": format})
    if isinstance(body, bytes):
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in shipment_id)
        return Response(
            body,
            media_type="application/pdf",
            headers={"content-disposition": f'inline; filename="dossier-{safe}.pdf"'},
        )
    return HTMLResponse(body)
