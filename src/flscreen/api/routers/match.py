"""Screen parties against the imported lists, with the features that explain each hit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from flscreen.matching import Query

from .. import services
from ..bodies import openapi_body, parse_batch, read_json
from ..schemas import JudgementRequest, MatchRecord, MatchRequest
from ..state import AppState, get_state

router = APIRouter(tags=["matching"])

State = Annotated[AppState, Depends(get_state)]


def to_query(position: int, record: MatchRecord) -> Query:
    return Query(
        id=record.id if record.id is not None else str(position),
        name=record.name,
        aliases=tuple(record.aliases),
        country=record.country,
        address=record.address,
        registration_id=record.registration_id,
        schema=record.schema_,
    )


@router.post("/match", openapi_extra=openapi_body(MatchRequest, MatchRecord))
async def match(request: Request, state: State) -> dict[str, Any]:
    """Screen one or many parties (`{"records": [...]}`, a JSON array of records, or one
    record) against the latest version of every list (or `lists`), in any script.

    Each result is a `flscreen match` JSON line: `{"id", "match", "hits": [{"entry_id",
    "list", "list_version", "name", "matched_name", "score", "features": [{"name",
    "score", "detail"}], "judgement", "match"}]}`, hits from the review band up, best
    first; `match` is true when a hit reaches the threshold or an analyst confirmed it.
    At most 1,000 records per request (`{"records": [...], "lists": ["uflpa"],
    "threshold": 0.8, "limit": 5}`).
    """
    body = parse_batch(await read_json(request), MatchRequest, state.limits.max_records)
    queries = [to_query(i, r) for i, r in enumerate(body.records, start=1)]
    return await run_in_threadpool(
        services.match_queries, state, queries, body.lists, body.threshold, body.limit
    )


@router.post("/judgements", status_code=201)
def judge(state: State, body: JudgementRequest) -> dict[str, Any]:
    """Record that a party is (or is not) a list entry; every later match honours it
    (a confirmed pair is a match, a rejected one moves to `suppressed`). The judgement
    is logged in the audit trail with who decided and why."""
    return services.judge(
        state.store,
        body.name,
        body.list,
        body.entry_id,
        body.verdict,
        body.by,
        body.reason,
        body.registration_id,
    )
