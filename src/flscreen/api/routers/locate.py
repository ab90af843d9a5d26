"""Tell whether parties or facilities are in Xinjiang, with every signal behind it."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool

from flscreen.http.auth import requires
from flscreen.http.state import AppState, get_state
from flscreen.identity.roles import Permission
from flscreen.region import LocateQuery
from flscreen.services import region as services

from .. import answers as A
from ..bodies import (
    json_lines,
    openapi_body,
    parse_batch,
    read_json,
    read_records_body,
    record_type,
    wants_lines,
)
from ..schemas import LocateRecord, LocateRequest

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


@router.post(
    "/locate",
    openapi_extra=openapi_body(LocateRequest, LocateRecord),
    dependencies=[requires(Permission.LOCATE)],
    response_model=A.LocateAnswer,
    **A.ANSWER,
)
async def locate(request: Request, state: State) -> Any:
    """Locate one or many records (`{"records": [...]}`, a JSON array, or one record).

    Each result is a `flscreen locate` JSON line: `{"id", "in_xinjiang": true|false|null,
    "status": "xinjiang"|"elsewhere"|"unknown"|"conflict", "confidence", "division_code",
    "division_name", "xpcc", "signals": [{"kind", "value", "detail"}]}`. Conflicting
    signals (a Shanghai address with a Xinjiang USCC) come out as "conflict" for review.
    A supplier file works too (`text/csv` or `application/x-ndjson`, the columns of
    `flscreen locate`); `Accept: application/x-ndjson` answers with JSON lines.
    At most 1,000 records per request.
    """
    suffix = record_type(request)
    if suffix is not None:
        data: Any = {"records": await read_records_body(request, suffix, ())}
    else:
        data = await read_json(request)
    strict = LocateRecord if suffix is None else None  # a file's other columns are fine
    body = parse_batch(data, LocateRequest, state.limits.max_records, strict)
    queries = [to_query(i, r) for i, r in enumerate(body.records, start=1)]
    out = await run_in_threadpool(services.locate_queries, queries)
    return json_lines(out["results"]) if wants_lines(request) else out
