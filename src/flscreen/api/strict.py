"""Unknown body fields and query parameters are refused (422), naming the field and the
closest valid name: ``{"shipment": "S-1004"}`` once screened every shipment because
the singular was silently ignored.

Record fields from a CSV or JSON-lines file stay lenient (supplier files carry other
columns); JSON bodies, single records included, are strict.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request
from pydantic import BaseModel, model_validator
from pydantic_core import PydanticCustomError

from flscreen.errors import InvalidInput, Problem


def field_names(model: type[BaseModel]) -> list[str]:
    """The names a client may send for ``model`` (aliases where a field has one)."""
    return [info.alias or name for name, info in model.model_fields.items()]


SIGNED_IN_FIELDS = frozenset({"actor", "by", "supplied_by", "decided_by"})
"""Fields older clients sent to say who acts: the signed-in user does, never the body."""


def unknown_message(name: str, valid: Iterable[str], what: str = "field") -> str:
    """'unknown field 'shipment' (did you mean 'shipments'?)', else the valid names."""
    choices = sorted(set(valid))
    if what == "field" and name in SIGNED_IN_FIELDS and name not in choices:
        return f"unknown field {name!r} (who acts is the signed-in user: leave it out)"
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.6)
    if not close:  # 'list' ~ 'lists': a prefix is as telling as a spelling
        close = [c for c in choices if c.startswith(name) or name.startswith(c)][:1]
    hint = f"did you mean {close[0]!r}?" if close else f"valid: {', '.join(choices)}"
    return f"unknown {what} {name!r} ({hint})"


def unknown_fields(
    data: Mapping[str, Any], model: type[BaseModel], also: Iterable[str] = ()
) -> list[tuple[str, str]]:
    """(name, message) for each key of ``data`` that ``model`` does not take; ``also``
    adds names to suggest (e.g. the batch options beside a single record)."""
    valid = field_names(model)
    suggest = [*valid, *also]
    return [(k, unknown_message(k, suggest)) for k in data if k not in valid]


class StrictBody(BaseModel):
    """A request body that refuses fields it does not know, naming the closest one."""

    @model_validator(mode="before")
    @classmethod
    def _known_fields(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            bad = unknown_fields(data, cls)
            if bad:
                raise PydanticCustomError(
                    "unknown_field",
                    "{message}",
                    {"message": "; ".join(m for _, m in bad), "field": bad[0][0]},
                )
        return data


def record_problems(
    records: Iterable[Any], model: type[BaseModel], also: Iterable[str] = ()
) -> list[Problem]:
    """Unknown fields in JSON records (row = record number from 1)."""
    found: list[Problem] = []
    for row, record in enumerate(records, start=1):
        if isinstance(record, Mapping):
            found.extend(
                Problem("body", message, row=row, field=name)
                for name, message in unknown_fields(record, model, also)
            )
    return found


def _query_names(dependant: Any) -> set[str]:
    """The query parameters a route and its dependencies declare."""
    names = {str(p.alias) for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


async def known_query(request: Request) -> None:
    """Router dependency: refuse query parameters the route does not declare."""
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    valid = _query_names(dependant)
    problems = [
        Problem("query", unknown_message(k, valid, "parameter"), field=k)
        for k in request.query_params
        if k not in valid
    ]
    if problems:
        raise InvalidInput(problems)
