"""Screen parties against the imported lists, with the features that explain each hit."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from flscreen.http.auth import requires
from flscreen.http.state import AppState, get_state
from flscreen.identity.roles import Permission, Principal
from flscreen.reports.rows import MATCH_COLUMNS, match_rows
from flscreen.reports.tabular import MEDIA_TYPES
from flscreen.reports.tabular import export as export_rows
from flscreen.services import matching as services

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
from ..schemas import JudgementRequest, MatchRecord, MatchRequest

router = APIRouter(tags=["matching"])

State = Annotated[AppState, Depends(get_state)]


@router.post(
    "/match",
    openapi_extra=openapi_body(MatchRequest, MatchRecord),
    dependencies=[requires(Permission.MATCH)],
    response_model=A.MatchAnswer,
    **A.ANSWER,
)
async def match(
    request: Request,
    state: State,
    lists: Annotated[
        list[str] | None, Query(alias="list", description="For CSV/JSON-lines bodies.")
    ] = None,
    threshold: Annotated[float | None, Query(ge=0.0, le=1.0)] = None,
    limit: Annotated[int | None, Query(ge=1, le=100)] = None,
) -> Any:
    """Screen one or many parties (`{"records": [...]}`, a JSON array of records, or one
    record) against the latest version of every list (or `lists`), in any script. A
    supplier file works too: send it as `text/csv` or `application/x-ndjson` (the
    columns of `flscreen match`, options as query parameters).

    Each result is a `flscreen match` JSON line: `{"id", "match", "hits": [{"entry_id",
    "list", "list_version", "name", "matched_name", "score", "features": [{"name",
    "score", "detail"}], "judgement", "match"}]}`, hits from the review band up, best
    first; `match` is true when a hit reaches the threshold or an analyst confirmed it.
    With `Accept: application/x-ndjson` the answer is those lines, as the CLI writes them;
    with `Accept: text/csv` or the XLSX media type, a spreadsheet with one row per party
    (status, best hit, list version, score, why, other hits), formula-leading cells
    neutralised.
    At most 1,000 records per request (`{"records": [...], "lists": ["uflpa"],
    "threshold": 0.8, "limit": 5}`).
    """
    suffix = record_type(request)
    if suffix is not None:
        rows = await read_records_body(request, suffix, ("aliases",), ("name",))
        data: Any = {"records": rows, "lists": lists, "threshold": threshold}
        if limit is not None:
            data["limit"] = limit
    else:
        data = await read_json(request)
    strict = MatchRecord if suffix is None else None  # a file's other columns are fine
    body = parse_batch(data, MatchRequest, state.limits.max_records, strict)
    queries = [r.to_query(i) for i, r in enumerate(body.records, start=1)]
    out = await run_in_threadpool(
        services.match_queries,
        state.store,
        state.matchers,
        queries,
        body.lists,
        body.threshold,
        body.limit,
    )
    sheet = wanted_sheet(request)
    if sheet is not None:
        rows = match_rows(zip(queries, out["results"], strict=True))
        content, media = export_rows(rows, sheet, MATCH_COLUMNS, sheet="matches")
        return Response(
            content,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="matches.{sheet}"'},
        )
    return json_lines(out["results"]) if wants_lines(request) else out


def wanted_sheet(request: Request) -> str | None:
    """'xlsx' or 'csv' when the client asks for a spreadsheet (``Accept``), else None."""
    accept = request.headers.get("accept", "")
    for fmt, media in MEDIA_TYPES.items():
        if media.split(";")[0] in accept:
            return fmt
    return None


@router.post("/judgements", status_code=201, response_model=A.Judgement, **A.ANSWER)
def judge(
    state: State,
    body: JudgementRequest,
    principal: Annotated[Principal, requires(Permission.JUDGE)],
) -> dict[str, Any]:
    """Record that a party is (or is not) a list entry; every later match honours it
    (a confirmed pair is a match, a rejected one moves to `suppressed`). The judgement
    is logged in the audit trail with who decided (the signed-in user) and why."""
    return services.judge_json(
        state.store,
        body.name,
        body.list,
        body.entry_id,
        body.verdict,
        principal.label(),
        body.reason,
        body.registration_id,
    )
