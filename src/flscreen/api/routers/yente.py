"""yente-compatible endpoints: the paths, bodies, parameters and answers of yente 5.

A script, spreadsheet or the ``yente-client`` package pointed at flscreen works
unchanged: each list is a dataset and ``default`` holds them all. Errors carry
yente's ``detail`` beside flscreen's ``error``/``message``/``problems``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from flscreen.compat import models as m
from flscreen.compat import yente
from flscreen.compat.ftm import ExampleError, read_example
from flscreen.errors import FlscreenError, InvalidInput, Problem
from flscreen.http.auth import requires
from flscreen.http.errors import error_body
from flscreen.http.state import AppState, get_state
from flscreen.identity.roles import Permission
from flscreen.lists import store as lists_store

router = APIRouter(tags=["yente-compatible"])
Match = [requires(Permission.MATCH)]
Read = [requires(Permission.LISTS_READ)]
State = Annotated[AppState, Depends(get_state)]
T = TypeVar("T")

TS_PATTERN = r"^\d{4}-\d{2}-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?$"


class EntityExample(BaseModel):
    """One query: an FtM-shaped example entity, as yente takes it."""

    model_config = ConfigDict(populate_by_name=True, extra="forbid")
    id: str | None = None
    schema_: str = Field(alias="schema")
    properties: dict[str, str | list[Any]]


class EntityMatchQuery(BaseModel):
    """yente's ``/match`` body. ``weights`` and ``config`` tune yente's algorithms;
    flscreen has none to tune and refuses any config key, as yente refuses unknown ones."""

    model_config = ConfigDict(extra="forbid")
    weights: dict[str, float] = {}
    config: dict[str, str | int | float | bool | None] = {}
    queries: dict[str, EntityExample]


def yente_error(exc: FlscreenError) -> JSONResponse:
    status, body = error_body(exc)
    problems = "; ".join(p.get("message", "") for p in body.get("problems", []))
    body["detail"] = problems or body["message"]
    return JSONResponse(body, status_code=status)


async def answer(fn: Callable[..., T], *args: Any) -> T | JSONResponse:
    try:
        return await run_in_threadpool(fn, *args)
    except FlscreenError as exc:
        return yente_error(exc)


def _match(
    state: AppState,
    dataset: str,
    body: EntityMatchQuery,
    params: dict[str, Any],
) -> dict[str, Any]:
    algorithm = yente.check_algorithm(params["algorithm"])
    if body.config:
        raise InvalidInput(
            [
                Problem("body", f"invalid configuration parameter: {k}", field="config")
                for k in body.config
            ]
        )
    if len(body.queries) > yente.MAX_BATCH:
        raise InvalidInput(
            [Problem("body", f"too many queries in one batch (limit: {yente.MAX_BATCH})")]
        )
    threshold, cutoff = yente.match_defaults(params["threshold"], params["cutoff"], algorithm)
    limit = params["limit"]
    filters = yente.Filters(
        topics=tuple(params["topics"]),
        exclude_schema=tuple(params["exclude_schema"]),
        changed_since=params["changed_since"],
    )
    examples = {}
    problems = []
    for key, ex in body.queries.items():
        try:
            examples[key] = read_example(ex.schema_, ex.properties)
        except ExampleError as exc:
            problems.append(
                Problem("body", f"cannot parse example entity: {exc}", field=f"queries.{key}")
            )
    if problems:
        raise InvalidInput(problems)
    with state.store.connect() as conn:
        latest = lists_store.latest_versions(conn)
    names = yente.scope(latest, dataset, params["include_dataset"], params["exclude_dataset"])
    responses: dict[str, Any] = {}
    matcher = state.matchers.get(state.store, yente.matcher_lists(latest, names)) if names else None
    if matcher is not None:
        matcher = matcher.with_algorithm(algorithm)
    # Over-fetch so filters applied after scoring still leave ``limit`` results.
    fetch = (
        min(100, limit * 3 + 5)
        if (filters.topics or filters.exclude_schema or filters.changed_since)
        else limit
    )
    results = {}
    if matcher is not None:
        for key, example in examples.items():
            query = yente.to_query(key, example)
            results[key] = matcher.match(
                query, threshold=threshold, limit=fetch, review_threshold=cutoff
            ).hits
    with state.store.connect() as conn:
        scored = yente.hit_entities_many(conn, results, threshold, cutoff, filters)
    for key, example in examples.items():
        hits = scored.get(key, [])
        ex = body.queries[key]
        responses[key] = {
            "status": 200,
            "results": hits[:limit],
            "total": {"value": len(hits), "relation": "eq"},
            "query": {"id": ex.id, "schema": example.schema.name, "properties": ex.properties},
        }
    return {
        "responses": responses,
        "limit": limit,
        "matcher": {"name": algorithm.name, "threshold": threshold, "cutoff": cutoff},
        "lists": [
            {"list": n, "version": latest[n].version, "sha256": latest[n].sha256} for n in names
        ],
    }


@router.post("/match/{dataset}", dependencies=Match, response_model=m.EntityMatchResponse)
async def match(
    state: State,
    dataset: str,
    body: EntityMatchQuery,
    limit: Annotated[int, Query(ge=1, le=500)] = 5,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    cutoff: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    algorithm: str = "best",
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006 (FastAPI copies defaults)
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(pattern=TS_PATTERN)] = None,
    exclude_entity_ids: Annotated[list[str], Query(max_length=50)] = [],  # noqa: B006
) -> Any:
    """Query-by-example matching, as yente's `POST /match/{dataset}`: `queries` of
    FtM-shaped examples (`{"schema": "Company", "properties": {"name": [...],
    "jurisdiction": ["cn"], "registrationNumber": [...]}}`), each answered with scored
    entities (`score`, `match`, `explanations`, `features`) from flscreen's matcher.
    `threshold` defaults to flscreen's match threshold and `cutoff` to its review band,
    so possible matches come back with `match: false`."""
    params = {
        "limit": limit,
        "threshold": threshold,
        "cutoff": cutoff,
        "algorithm": algorithm,
        "include_dataset": include_dataset,
        "exclude_dataset": exclude_dataset,
        "exclude_schema": exclude_schema,
        "topics": topics,
        "changed_since": changed_since,
    }
    out = await answer(_match, state, dataset, body, params)
    if isinstance(out, dict) and exclude_entity_ids:
        drop = set(exclude_entity_ids)
        for resp in out["responses"].values():
            resp["results"] = [
                r for r in resp["results"] if r["id"] not in drop and not drop & set(r["referents"])
            ]
    return out


def _search(state: AppState, dataset: str, params: dict[str, Any]) -> dict[str, Any]:
    schema = params["schema"]
    from followthemoney import model

    schema_obj = model.get(schema)
    if schema_obj is None:
        raise InvalidInput([Problem("query", f"invalid schema {schema!r}", field="schema")])
    with state.store.connect() as conn:
        latest = lists_store.latest_versions(conn)
        names = yente.scope(latest, dataset, params["include_dataset"], params["exclude_dataset"])
        if params["datasets"]:
            names = [n for n in names if n in params["datasets"]]
        filters = yente.Filters(
            topics=tuple(params["topics"]),
            exclude_schema=tuple(params["exclude_schema"]),
            changed_since=params["changed_since"],
        )
        found = yente.search_entities(
            conn,
            state.matchers.get(state.store, yente.matcher_lists(latest, names))
            if names and params["q"].strip()
            else None,
            names,
            params["q"],
            schema_obj,
            params["countries"],
            filters,
        )
    offset, limit = params["offset"], params["limit"]
    return {
        "results": found[offset : offset + limit],
        "facets": yente.facets(found, params["facets"]),
        "total": {"value": len(found), "relation": "eq"},
        "limit": limit,
        "offset": offset,
    }


@router.get("/search/{dataset}", dependencies=Match, response_model=m.SearchResponse)
async def search(
    state: State,
    dataset: str,
    q: str = "",
    schema: str = "Thing",
    include_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_dataset: Annotated[list[str], Query()] = [],  # noqa: B006
    exclude_schema: Annotated[list[str], Query()] = [],  # noqa: B006
    changed_since: Annotated[str | None, Query(pattern=TS_PATTERN)] = None,
    countries: Annotated[list[str], Query()] = [],  # noqa: B006
    topics: Annotated[list[str], Query()] = [],  # noqa: B006
    datasets: Annotated[list[str], Query()] = [],  # noqa: B006
    filter: Annotated[list[str], Query()] = [],  # noqa: B006
    limit: Annotated[int, Query(ge=0, le=500)] = 10,
    offset: Annotated[int, Query(ge=0, le=9499)] = 0,
    sort: Annotated[list[str], Query()] = [],  # noqa: B006
    fuzzy: bool = False,
    simple: bool = False,
    facets: Annotated[list[str], Query()] = ["countries", "topics", "datasets"],  # noqa: B006
    filter_op: str = "OR",
) -> Any:
    """Simple entity search, as yente's `GET /search/{dataset}`: `q` is screened by
    flscreen's matcher (any script, typos, legal forms), best first; without `q` every
    entity of the dataset is listed. Filters and facets as in yente (`sort`, `fuzzy`,
    `simple`, `filter` and `filter_op` are accepted and have no further effect)."""
    params = {
        "q": q,
        "schema": schema,
        "include_dataset": include_dataset,
        "exclude_dataset": exclude_dataset,
        "exclude_schema": exclude_schema,
        "changed_since": changed_since,
        "countries": countries,
        "topics": topics,
        "datasets": datasets,
        "limit": limit,
        "offset": offset,
        "facets": facets,
    }
    return await answer(_search, state, dataset, params)


def _entity(state: AppState, entity_id: str, nested: bool) -> dict[str, Any]:
    with state.store.connect() as conn:
        return yente.fetch_entity(conn, entity_id, nested)


@router.get("/entities/{entity_id}", dependencies=Read, response_model=m.EntityResponse)
async def entity(state: State, entity_id: str, nested: bool = True) -> Any:
    """One entity by id (`{list}-{entry_id}`, or as a match answer gives it), as yente's
    `GET /entities/{id}`: with `nested`, its listing (`sanctions`) and the links the list
    names (`ownershipOwner`, `directorshipOrganization`...) with the parties on their
    far side."""
    return await answer(_entity, state, entity_id, nested)


def _catalog(state: AppState) -> dict[str, Any]:
    with state.store.connect() as conn:
        return yente.catalog(lists_store.latest_versions(conn))


@router.get("/catalog", dependencies=Read, response_model=m.CatalogResponse)
async def catalog(state: State) -> Any:
    """The datasets, as yente's `GET /catalog`: each list, and `default` over all."""
    return await answer(_catalog, state)


@router.get("/algorithms", dependencies=Read, response_model=m.AlgorithmResponse)
async def algorithms() -> dict[str, Any]:
    """The matching algorithms, as yente's `GET /algorithms`: each registered one, with its
    features (`best` and `default` name it too)."""
    return yente.algorithm_docs()
