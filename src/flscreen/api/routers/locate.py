"""Tell whether parties or facilities are in Xinjiang, with every signal behind it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from flscreen.region import LocateQuery

from .. import services
from ..bodies import openapi_body, parse_batch, read_json
from ..schemas import LocateRecord, LocateRequest
from ..state import AppState, get_state

router = APIRouter(tags=["region"])

State = Annotated[AppState, Depends(get_state)]


def to_query(position: int, record: LocateRecord) -> LocateQuery:
    return LocateQuery(
        id=record.id if record.id is not None else str(position),
        address=record.address,
        postal_code=record.postal_code,
        phone=record.phone,
        registration_id=record.registration_id,
        name=record.name,
        country=record.country,
    )


@router.post("/locate", openapi_extra=openapi_body(LocateRequest, LocateRecord))
async def locate(request: Request, state: State) -> dict[str, Any]:
    """Locate one or many records (`{"records": [...]}`, a JSON array, or one record).

    Each result is a `flscreen locate` JSON line: `{"id", "in_xinjiang": true|false|null,
    "status": "xinjiang"|"elsewhere"|"unknown"|"conflict", "confidence", "division_code",
    "division_name", "xpcc", "signals": [{"kind", "value", "detail"}]}`. Conflicting
    signals (a Shanghai address with a Xinjiang USCC) come out as "conflict" for review.
    At most 1,000 records per request.
    """
    body = parse_batch(await read_json(request), LocateRequest, state.limits.max_records)
    queries = [to_query(i, r) for i, r in enumerate(body.records, start=1)]
    return await run_in_threadpool(services.locate_queries, queries)
