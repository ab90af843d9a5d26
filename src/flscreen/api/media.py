"""A body in a media type the route does not read is 415, naming what it reads.

Before, a JSON body sent as ``text/plain`` (curl's ``-d`` sends a form type) came
back as 422 "Input should be a valid dictionary", and one sent to ``/match`` as
``application/xml`` was read as JSON. Each route's media types come from its own
declaration: ``openapi_extra``'s request body (``/match`` and ``/locate`` take JSON,
CSV and JSON lines; ``/policies/check`` YAML), else a form or file parameter (a
form), else a body model (JSON). Routes that store whatever file they are given
(list and package imports, case documents) declare none and are not checked.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi import params as fastapi_params

from flscreen.errors import Problem, UnsupportedMedia

FORM_TYPES = frozenset({"multipart/form-data", "application/x-www-form-urlencoded"})
JSON_TYPES = frozenset({"application/json"})

_ACCEPTED: dict[int, frozenset[str] | None] = {}


def accepted_types(route: Any) -> frozenset[str] | None:
    """The media types ``route`` reads a body in, or None when it takes any."""
    key = id(route)
    if key not in _ACCEPTED:
        _ACCEPTED[key] = _declared(route)
    return _ACCEPTED[key]


def _declared(route: Any) -> frozenset[str] | None:
    extra = getattr(route, "openapi_extra", None) or {}
    content = (extra.get("requestBody") or {}).get("content")
    if content:
        return frozenset(k.lower() for k in content)
    body = getattr(route, "body_field", None)
    if body is None:
        return None
    if isinstance(getattr(body, "field_info", None), fastapi_params.Form):  # File is a Form
        return FORM_TYPES
    return JSON_TYPES


def _fits(media: str, accepted: frozenset[str]) -> bool:
    if media in accepted:
        return True
    # application/problem+json and the like are JSON.
    return media.endswith("+json") and "application/json" in accepted


def _has_body(request: Request) -> bool:
    length = request.headers.get("content-length")
    if length is not None:
        return length.strip() not in ("", "0")
    return "transfer-encoding" in request.headers


async def known_media(request: Request) -> None:
    """Router dependency: refuse (415) a body whose Content-Type the route does not read.

    A body without a Content-Type is left to the route (it is read as the route's
    first type); only a type named and not read is refused."""
    if request.method in ("GET", "HEAD", "OPTIONS", "DELETE") or not _has_body(request):
        return
    accepted = accepted_types(request.scope.get("route"))
    raw = request.headers.get("content-type")
    if accepted is None or raw is None or not raw.strip():
        return
    media = raw.split(";")[0].strip().lower()
    if _fits(media, accepted):
        return
    raise UnsupportedMedia(
        [
            Problem(
                "headers",
                f"this endpoint does not read {media!r} bodies: send "
                + " or ".join(sorted(accepted)),
                field="content-type",
            )
        ]
    )
