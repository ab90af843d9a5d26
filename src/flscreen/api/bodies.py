"""Read a JSON request body of records in any of the three shapes the API accepts.

``{"records": [...], ...options}``, a bare JSON array of records, or one record:
the shape is chosen from the JSON itself, so a validation error names the record
(row, from 1) and the field, instead of three guesses at a union.
"""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from flscreen.errors import InvalidInput, Problem

from .errors import validation_problems

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


def parse_batch(data: Any, request_model: type[M], max_records: int) -> M:
    """Validate ``data`` as ``request_model`` (which has a ``records`` list), accepting
    a bare array or a single record too; refuse more than ``max_records`` records."""
    if isinstance(data, list):
        data = {"records": data}
    elif isinstance(data, dict) and "records" not in data:
        data = {"records": [data]}
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
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"oneOf": shapes}}},
        }
    }
