"""Presumption policies: the bundled ones, and checking one of your own."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from flscreen.errors import InvalidInput, NotFound, Problem
from flscreen.http.auth import requires
from flscreen.identity.roles import Permission
from flscreen.policy import bundled_policies, load_policy, parse_policy
from flscreen.policy.schema import Policy

# Checking a policy writes nothing, so it needs no more than reading them.
from .. import answers as A

router = APIRouter(
    prefix="/policies", tags=["policies"], dependencies=[requires(Permission.POLICIES_READ)]
)


def summary(p: Policy) -> dict[str, Any]:
    return {
        "name": p.name,
        "version": p.version,
        "title": p.title,
        "jurisdiction": p.jurisdiction,
        "status": p.status,
        "approach": p.approach,
        "legal_basis": list(p.legal_basis),
    }


@router.get("", response_model=A.PolicyList, **A.ANSWER)
def get_policies() -> dict[str, Any]:
    """The bundled policies (`flscreen policy list`): name, version, title, jurisdiction,
    status (in force, adopted, proposal), approach (presumption or risk-based), legal basis."""
    return {"policies": [summary(load_policy(name)) for name in bundled_policies()]}


@router.get("/{name}", response_model=Policy, **A.ANSWER)
def get_policy(name: str) -> dict[str, Any]:
    """One bundled policy in full: which taint sources raise the presumption, how possible
    matches, gaps and shortfalls are routed, priority sectors by HS code, thresholds, the
    exception rule."""
    if name not in bundled_policies():
        raise NotFound(f"no bundled policy {name!r}: one of {', '.join(bundled_policies())}")
    return load_policy(name).model_dump(mode="json")


_YAML = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "text/plain")


@router.post(
    "/check",
    openapi_extra={"requestBody": {"content": {k: {} for k in _YAML}}},
    response_model=A.PolicyCheck,
    **A.ANSWER,
)
async def check(request: Request) -> dict[str, Any]:
    """Validate a policy file sent as the request body (YAML), as `flscreen policy check`
    does: 200 with its summary, or 422 listing every problem. Nothing is stored: screen
    with a custom policy from the CLI (`flscreen screen --policy FILE`)."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput([Problem("body", "not UTF-8 text")]) from None
    if not text.strip():
        raise InvalidInput([Problem("body", "empty body: send the policy YAML")])
    return {"valid": True, **summary(parse_policy(text, "body"))}
