"""Signing in and out over the API: a local user name and password (argon2) sets the
session cookie, ``/auth/me`` says who the caller is. The sign-in pages and the OpenID
Connect round trip are the browser's (:mod:`flscreen.web.signin`); both share
:mod:`flscreen.http.session`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from flscreen.http.auth import csrf_token, public, requires
from flscreen.http.session import delete_cookie, end_session, set_session_cookie, sign_in
from flscreen.http.state import get_state
from flscreen.identity import store as identity_store
from flscreen.identity.roles import Permission, Principal

from .. import answers as A

router = APIRouter(tags=["session"])

SignedIn = Annotated[Principal, requires(Permission.SIGNED_IN)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=128)
    password: str = Field(max_length=1024)


def _me(principal: Principal, csrf: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "user": principal.name,
        "role": principal.role.value,
        "tenant": principal.tenant,
        "via": principal.via,
        "permissions": sorted(
            p.value for p in Permission if principal.can(p) and p is not Permission.PUBLIC
        ),
    }
    if csrf is not None:
        out["csrf_token"] = csrf
    return out


@router.post("/auth/login", response_model=A.SignedIn, dependencies=[public()], **A.ANSWER)
async def login(body: LoginRequest, request: Request, response: Response) -> dict[str, Any]:
    """Sign in with a local user name and password: sets the session cookie (Secure,
    HttpOnly, SameSite=Lax) and answers who you are with the `csrf_token` that every
    later POST from this session must send as the `X-CSRF-Token` header. Failed
    attempts are throttled per user name and per address (429 with Retry-After),
    counted in the store, so every server process shares the count."""
    state = get_state(request)
    secret, csrf = await run_in_threadpool(sign_in, state, request, body.username, body.password)
    with state.store.connect() as conn:
        principal = identity_store.get_user(conn, body.username).principal("session")
    set_session_cookie(response, secret, state)
    return _me(principal, csrf)


@router.post("/auth/logout", response_model=A.SignedOut, dependencies=[public()], **A.ANSWER)
async def logout(request: Request, response: Response) -> dict[str, Any]:
    """End this session (the cookie stops working at once, server-side). For a session
    signed in through the OpenID provider, `end_session_url` is where to send the
    browser to end the provider's session too (RP-initiated logout); null otherwise,
    or when the provider offers no such endpoint."""
    provider = await end_session(request)
    delete_cookie(response)
    return {"signed_out": True, "end_session_url": provider}


@router.get("/auth/me", response_model=A.Me, **A.ANSWER)
def me(principal: SignedIn, request: Request) -> dict[str, Any]:
    """Who the caller is: user, role, tenant (importers), how they signed in, and the
    permissions the role holds."""
    return _me(principal, csrf_token(request) or None)
