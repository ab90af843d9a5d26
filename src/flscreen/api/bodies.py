"""Read a request body of records in any of the shapes the API accepts.

JSON: ``{"records": [...], ...options}``, a bare JSON array of records, or one
record; the shape is chosen from the JSON itself, so a validation error names the
record (row, from 1) and the field, instead of three guesses at a union. Or the
CLI's own input: CSV (``text/csv``) or JSON lines (``application/x-ndjson``), read
by the same reader as ``flscreen match FILE``, with the same row-numbered errors.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from fastapi import Request, Response
from pydantic import BaseModel, ValidationError

from flscreen.errors import InvalidInput, Problem
from flscreen.http.errors import validation_problems
from flscreen.records import read_records

from .strict import field_names, record_problems

M = TypeVar("M", bound=BaseModel)


async def read_json(request: Request) -> Any:
    """The body as JSON, or InvalidInput saying where it stops being JSON."""
    raw = await request.body()
    if not raw.strip():
        raise InvalidInput([Problem("body", "empty body: expected JSON")])
    try:
        return json.loads(raw)
    except UnicodeDecodeError:
        raise InvalidInput([Problem("body", "not UTF-8 text: send JSON in UTF-8")]) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            [Problem("body", f"not valid JSON ({exc.msg}, line {exc.lineno} column {exc.colno})")]
        ) from None


RECORD_TYPES = {
    "text/csv": ".csv",
    "application/csv": ".csv",
    "application/x-ndjson": ".jsonl",
    "application/jsonl": ".jsonl",
    "application/jsonlines": ".jsonl",
}


def record_type(request: Request) -> str | None:
    """The file suffix for a CSV or JSON-lines body, None for JSON."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return RECORD_TYPES.get(kind)


async def read_records_body(
    request: Request, suffix: str, list_fields: tuple[str, ...], required: tuple[str, ...] = ()
) -> Any:
    """Records from a CSV or JSON-lines body, through the CLI's reader (so a bad row is
    reported with its line number); problems name the body, not a temporary file."""
    raw = await request.body()
    with tempfile.TemporaryDirectory(prefix="flscreen-records-") as tmp:
        path = Path(tmp) / f"body{suffix}"
        path.write_bytes(raw)
        try:
            return [record for _, record in read_records(str(path), required, list_fields)]
        except InvalidInput as exc:
            raise InvalidInput(
                [
                    Problem("body", p.message.replace(str(path), "body"), p.row, p.field)
                    for p in exc.problems
                ]
            ) from None


def wants_lines(request: Request) -> bool:
    """Whether the client asked for JSON lines (one result per line, as the CLI writes)."""
    return "application/x-ndjson" in request.headers.get("accept", "")


def parse_batch(
    data: Any,
    request_model: type[M],
    max_records: int,
    record_model: type[BaseModel] | None = None,
) -> M:
    """Validate ``data`` as ``request_model`` (which has a ``records`` list), accepting
    a bare array or a single record too; refuse more than ``max_records`` records.

    With ``record_model`` (a JSON body) a record's unknown fields are refused too; a
    single record may carry the batch options (``lists``, ``threshold``...) beside it.
    """
    options = [n for n in field_names(request_model) if n != "records"]
    if isinstance(data, list):
        data = {"records": data}
    elif isinstance(data, dict) and "records" not in data:
        record = {k: v for k, v in data.items() if k not in options}
        data = {"records": [record], **{k: v for k, v in data.items() if k in options}}
    elif not isinstance(data, dict):
        raise InvalidInput([Problem("body", "expected a JSON object or an array of records")])
    records = data.get("records")
    if isinstance(records, list):
        if not records:
            raise InvalidInput([Problem("body", "no records", field="records")])
        if len(records) > max_records:
            raise InvalidInput(
                [
                    Problem(
                        "body",
                        f"{len(records)} records in one request; at most {max_records} "
                        "(send several requests)",
                        field="records",
                    )
                ]
            )
    if record_model is not None and isinstance(records, list):
        unknown = record_problems(records, record_model, also=options)
        if unknown:
            raise InvalidInput(unknown)
    try:
        return request_model.model_validate(data)
    except ValidationError as exc:
        errors = [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]
        raise InvalidInput(validation_problems(errors)) from None


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k != "$defs"}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def openapi_body(request_model: type[BaseModel], record_model: type[BaseModel]) -> dict[str, Any]:
    """``openapi_extra`` documenting the three accepted shapes (refs inlined)."""
    full = request_model.model_json_schema()
    record = record_model.model_json_schema()
    shapes = [
        _inline(full, full.get("$defs", {})),
        {"type": "array", "items": _inline(record, record.get("$defs", {}))},
        _inline(record, record.get("$defs", {})),
    ]
    # CSV and JSON lines are read as ``flscreen match FILE`` reads them.
    files = {kind: {"schema": {"type": "string"}} for kind in RECORD_TYPES}
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"oneOf": shapes}}, **files},
        }
    }


def json_lines(results: list[dict[str, Any]]) -> Response:
    """One JSON object per line, UTF-8 kept, as ``flscreen match``/``locate`` write them."""
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results)
    return Response(text, media_type="application/x-ndjson")
