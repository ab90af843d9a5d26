"""The W3C Reconciliation Service API (0.2) at yente's paths, for OpenRefine.

Add ``http://HOST/reconcile/default`` (or ``/reconcile/{list}``) as a
reconciliation service in OpenRefine; queries arrive as a form field
``queries`` (JSON), data extension as ``extend``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request, Response
from fastapi.responses import HTMLResponse

from flscreen.compat import models as m
from flscreen.compat import reconcile as recon
from flscreen.compat import yente
from flscreen.errors import InvalidInput, Problem
from flscreen.http.auth import requires
from flscreen.http.state import AppState, get_state
from flscreen.identity.roles import Permission
from flscreen.lists import store as lists_store
from flscreen.matching import Matcher

from .yente import answer


# Reconciling is matching: the roles that may screen names may reconcile them.
def service_key(
    api_key: Annotated[
        str | None,
        Query(description="An API token, for clients (OpenRefine) that cannot send a header."),
    ] = None,
) -> None:
    """Declares ``api_key`` (read by authentication before the route runs)."""


router = APIRouter(
    tags=["reconciliation"],
    dependencies=[Depends(service_key), requires(Permission.MATCH)],
)
State = Annotated[AppState, Depends(get_state)]


def _matcher(state: AppState, dataset: str) -> Matcher | None:
    with state.store.connect() as conn:
        latest = lists_store.latest_versions(conn)
    names = yente.scope(latest, dataset)
    return state.matchers.get(state.store, yente.matcher_lists(latest, names)) if names else None


def _queries(state: AppState, dataset: str, queries: str | None, extend: str | None) -> Any:
    if extend and extend.strip():
        with state.store.connect() as conn:
            return recon.extend(conn, extend)
    if queries and queries.strip():
        batch = recon.parse_batch(queries)
        matcher = _matcher(state, dataset)
        with state.store.connect() as conn:
            return recon.reconcile_queries(conn, matcher, batch)
    return None


def _manifest(state: AppState, request: Request, dataset: str) -> dict[str, Any]:
    with state.store.connect() as conn:
        yente.scope(lists_store.latest_versions(conn), dataset)  # NotFound for an unknown one
    return recon.manifest(str(request.base_url), dataset, request.url.query.strip())


@router.get(
    "/reconcile/{dataset}",
    response_model=m.FreebaseManifest
    | dict[str, m.FreebaseEntityResult]
    | m.FreebaseExtendResponse,
    # as the service answered: the manifest's types keep what they said, nothing added
    response_model_exclude_unset=True,
    responses={200: {"description": "The service manifest, or the answers to `queries`"}},
)
async def manifest_or_queries(
    state: State,
    request: Request,
    response: Response,
    dataset: str,
    queries: str | None = None,
    extend: str | None = None,
) -> Any:
    """The service manifest; with `queries` (or `extend`) as a query parameter, the
    answers, as the 0.2 specification allows for GET."""
    out = await answer(_queries, state, dataset, queries, extend)
    if out is None:
        return await answer(_manifest, state, request, dataset)
    return out


@router.post(
    "/reconcile/{dataset}",
    response_model=dict[str, m.FreebaseEntityResult] | m.FreebaseExtendResponse,
)
async def reconcile_post(
    state: State,
    dataset: str,
    queries: Annotated[str | None, Form(description="JSON-encoded reconciliation queries")] = None,
    extend: Annotated[str | None, Form(description="JSON-encoded data extension query")] = None,
) -> Any:
    """Reconciliation queries (form field `queries`) or data extension (`extend`)."""

    def run() -> Any:
        out = _queries(state, dataset, queries, extend)
        if out is None:
            raise InvalidInput([Problem("body", "send a form field 'queries' or 'extend'")])
        return out

    return await answer(run)


@router.get("/reconcile/{dataset}/suggest/entity", response_model=m.FreebaseSuggestResponse)
async def suggest_entity(
    state: State,
    dataset: str,
    prefix: str = "",
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
) -> Any:
    """Entities whose names match what has been typed so far."""

    def run() -> Any:
        matcher = _matcher(state, dataset)
        with state.store.connect() as conn:
            return recon.suggest_entities(conn, matcher, prefix, limit)

    return await answer(run)


@router.get("/reconcile/{dataset}/suggest/type", response_model=m.FreebaseSuggestResponse)
async def suggest_type(dataset: str, prefix: str = "") -> Any:
    """The entity types (FtM schemata) flscreen's lists hold, matching `prefix`."""
    return recon.suggest_types(prefix)


@router.get("/reconcile/{dataset}/suggest/property", response_model=m.FreebaseSuggestResponse)
async def suggest_property(dataset: str, prefix: str = "") -> Any:
    """Properties a query may filter on (country, registrationNumber, address...)."""
    return recon.suggest_properties(prefix)


@router.get(
    "/reconcile/{dataset}/extend/property", response_model=m.FreebaseExtendPropertiesResponse
)
async def extend_property(dataset: str, type: str = recon.BASE_SCHEMA, limit: int = 0) -> Any:
    """Properties data extension can pull back for a type."""
    return await answer(recon.extend_properties, type, limit)


@router.get("/reconcile/{dataset}/preview", response_class=HTMLResponse)
async def preview(state: State, dataset: str, id: str) -> Any:
    """The card OpenRefine shows for a candidate."""

    def run() -> HTMLResponse:
        with state.store.connect() as conn:
            return HTMLResponse(recon.preview_html(conn, id))

    return await answer(run)
