"""One table from flscreen error types to HTTP statuses, and the JSON an error becomes.

Every error body has the same shape, so a client needs one parser:
``{"error": kind, "message": text, "problems": [{source, row, field, message}]}``.
Request bodies FastAPI cannot parse (bad JSON, a missing field, a wrong type) are
reported the same way as the core's ``InvalidInput``: 422 with every problem listed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from flscreen.errors import (
    FlscreenError,
    InvalidInput,
    NotFound,
    Problem,
    StoreError,
    Tampered,
    UnsupportedMedia,
)
from flscreen.identity.roles import Forbidden, TooManyAttempts, Unauthenticated

ERROR_STATUS: tuple[tuple[type[FlscreenError], int, str], ...] = (
    (UnsupportedMedia, 415, "unsupported_media_type"),
    (InvalidInput, 422, "invalid_input"),
    (Unauthenticated, 401, "unauthenticated"),
    (Forbidden, 403, "forbidden"),
    (TooManyAttempts, 429, "too_many_attempts"),
    (NotFound, 404, "not_found"),
    (StoreError, 503, "store_unavailable"),
    (Tampered, 409, "altered"),
    (FlscreenError, 400, "error"),
)
"""(error type, HTTP status, error kind); the first type that matches wins."""

UNREACHABLE = (sa.exc.OperationalError, sa.exc.InterfaceError, sa.exc.TimeoutError)
"""Database errors the core does not wrap that mean "the store is not there": 503 too."""


def status_of(exc: FlscreenError) -> tuple[int, str]:
    for kind, status, name in ERROR_STATUS:
        if isinstance(exc, kind):
            return status, name
    return 400, "error"  # pragma: no cover - FlscreenError is last in the table


def problem_json(problem: Problem) -> dict[str, Any]:
    return problem.to_dict()


def error_body(exc: FlscreenError) -> tuple[int, dict[str, Any]]:
    """(status, body) for a flscreen error, per :data:`ERROR_STATUS`."""
    status, kind = status_of(exc)
    if isinstance(exc, InvalidInput):
        return status, {
            "error": kind,
            "message": exc.render(),
            "problems": [problem_json(p) for p in exc.problems],
        }
    return status, {"error": kind, "message": str(exc), "problems": []}


def validation_problems(errors: Sequence[Any]) -> list[Problem]:
    """FastAPI/pydantic validation errors as Problems: where in the request, and what.

    ``("body", "records", 3, "name")`` becomes source "body", row 4 (1-based
    record number), field "name"; query and path parameters name themselves.
    """
    problems = []
    for err in errors:
        loc = [str(part) if not isinstance(part, int) else part for part in err.get("loc", ())]
        source = str(loc[0]) if loc else "request"
        rest = loc[1:]
        row: int | None = None
        if "records" in rest:
            at = rest.index("records")
            if at + 1 < len(rest) and isinstance(rest[at + 1], int):
                row = int(rest[at + 1]) + 1
                rest = rest[at + 2 :]
        elif rest and isinstance(rest[0], int):
            row = int(rest[0]) + 1
            rest = rest[1:]
        # Unions add the member type's name to the location: drop those.
        fields = [str(p) for p in rest if not isinstance(p, int) and not _is_type_tag(str(p))]
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        if err.get("type") == "unknown_field":
            fields = [*fields, str((err.get("ctx") or {}).get("field", ""))]
        if err.get("type") == "json_invalid":
            ctx = err.get("ctx") or {}
            message = f"not valid JSON ({ctx.get('error', 'syntax error')})"
            fields = []
        problems.append(
            Problem(source=source, message=message, row=row, field=".".join(fields) or None)
        )
    return problems


def _is_type_tag(part: str) -> bool:
    return part[:1].isupper() or part.startswith(("list[", "dict[", "function-"))


def http_error_body(exc: StarletteHTTPException) -> dict[str, Any]:
    """An HTTP error (unknown route, wrong method, ...) in the one error shape."""
    kind = {404: "not_found", 405: "method_not_allowed", 413: "too_large"}.get(
        exc.status_code, "http_error"
    )
    return {"error": kind, "message": str(exc.detail), "problems": []}


def http_error_response(exc: StarletteHTTPException) -> JSONResponse:
    return JSONResponse(
        http_error_body(exc), status_code=exc.status_code, headers=getattr(exc, "headers", None)
    )


def install_error_handlers(app: FastAPI) -> None:
    """Route every flscreen error and request-validation error through the table."""

    async def flscreen_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, FlscreenError)
        status, body = error_body(exc)
        return JSONResponse(body, status_code=status)

    async def request_invalid(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        problems = validation_problems(exc.errors())
        return JSONResponse(
            error_body(InvalidInput(problems or [Problem("request", "invalid request")]))[1],
            status_code=422,
        )

    async def http_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        return http_error_response(exc)

    async def store_unreachable(_request: Request, exc: Exception) -> JSONResponse:
        # The driver's text may carry the URL; the class name says enough to the client.
        status, body = error_body(StoreError(f"the store did not answer ({type(exc).__name__})"))
        return JSONResponse(body, status_code=status)

    app.add_exception_handler(FlscreenError, flscreen_error)
    for kind in UNREACHABLE:
        app.add_exception_handler(kind, store_unreachable)
    app.add_exception_handler(RequestValidationError, request_invalid)
    app.add_exception_handler(StarletteHTTPException, http_error)
