"""Signing in and out: local user name and password (argon2) or an OpenID Connect
provider (``/auth/oidc/login``), a session cookie, and who the caller is. The
sign-in page lives here too, beside the API it uses."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from flscreen.http.auth import SESSION_COOKIE, csrf_token, note_refusal, public, requires
from flscreen.http.state import AppState, get_state
from flscreen.identity import store as identity_store
from flscreen.identity.roles import Permission, Principal, Unauthenticated
from flscreen.identity.throttle import keys_of

router = APIRouter(tags=["session"])

SignedIn = Annotated[Principal, requires(Permission.SIGNED_IN)]


class LoginRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(max_length=128)
    password: str = Field(max_length=1024)


def _sign_in(state: AppState, request: Request, username: str, password: str) -> tuple[str, str]:
    """Check the password under the throttle (shared through the store by every server
    process); (session secret, CSRF token) on success."""
    keys = keys_of(username, request.client.host if request.client else "unknown")
    with state.store.begin() as conn:
        recent = state.throttle.check(conn, *keys)
        user = identity_store.check_password(conn, username, password)
        if user is not None:
            if keys[0] in recent:
                state.throttle.succeeded(conn, keys[0])
            return identity_store.create_session(conn, user, hours=state.session_hours)
    with state.store.begin() as conn:  # its own transaction: the refusal rolls nothing back
        state.throttle.failed(conn, *keys)
    raise Unauthenticated("wrong user name or password (or the user is disabled)")


def set_session_cookie(response: Response, secret: str, state: AppState) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(state.session_hours * 3600),
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",
    )


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


@router.post("/auth/login", dependencies=[public()])
async def login(body: LoginRequest, request: Request) -> JSONResponse:
    """Sign in with a local user name and password: sets the session cookie (Secure,
    HttpOnly, SameSite=Lax) and answers who you are with the `csrf_token` that every
    later POST from this session must send as the `X-CSRF-Token` header. Failed
    attempts are throttled per user name and per address (429 with Retry-After),
    counted in the store, so every server process shares the count."""
    state = get_state(request)
    secret, csrf = await run_in_threadpool(_sign_in, state, request, body.username, body.password)
    with state.store.connect() as conn:
        principal = identity_store.get_user(conn, body.username).principal("session")
    response = JSONResponse(_me(principal, csrf))
    set_session_cookie(response, secret, state)
    return response


@router.post("/auth/logout", dependencies=[public()])
async def logout(request: Request) -> JSONResponse:
    """End this session (the cookie stops working at once, server-side). For a session
    signed in through the OpenID provider, `end_session_url` is where to send the
    browser to end the provider's session too (RP-initiated logout); null otherwise,
    or when the provider offers no such endpoint."""
    provider = await _end_session(request)
    response = JSONResponse({"signed_out": True, "end_session_url": provider})
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response


async def _end_session(request: Request) -> str | None:
    """End the cookie's session here; the provider's end-session URL for an OpenID one."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    state = get_state(request)

    def end() -> str | None:
        with state.store.begin() as conn:
            id_token = identity_store.revoke_session(conn, cookie)
        if id_token is None or state.oidc is None:
            return None
        back = state.oidc.config.post_logout_redirect_uri or str(request.url_for("oidc_signed_out"))
        return state.oidc.end_session_url(id_token, back)

    return await run_in_threadpool(end)


@router.get("/auth/me")
def me(principal: SignedIn, request: Request) -> dict[str, Any]:
    """Who the caller is: user, role, tenant (importers), how they signed in, and the
    permissions the role holds."""
    return _me(principal, csrf_token(request) or None)


# --- the sign-in page ----------------------------------------------------------------


def safe_next(target: str | None) -> str:
    """Only this app's pages: an open redirect would let a phishing link borrow our name."""
    if target and target.startswith("/ui/") and not target.startswith("//"):
        return target
    return "/ui/"


@router.get("/ui/login", include_in_schema=False, dependencies=[public()])
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    from flscreen.web.pages import render

    return render(
        request,
        "login.html.j2",
        {"next": safe_next(next), "error": None, "oidc": oidc_label(request)},
        with_json=False,
    )


def oidc_label(request: Request) -> str | None:
    client = get_state(request).oidc
    return client.config.label if client is not None else None


@router.post("/ui/login", include_in_schema=False, dependencies=[public()])
async def login_form(request: Request) -> Response:
    from flscreen.web.pages import render

    state = get_state(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    target = safe_next(fields.get("next"))
    try:
        secret, _csrf = await run_in_threadpool(
            _sign_in, state, request, fields.get("username", ""), fields.get("password", "")
        )
    except Unauthenticated as exc:
        await run_in_threadpool(note_refusal, request, exc)
        return render(
            request,
            "login.html.j2",
            {"next": target, "error": str(exc), "oidc": oidc_label(request)},
            status=401,
            with_json=False,
        )
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, secret, state)
    return response


@router.post("/ui/logout", include_in_schema=False, dependencies=[public()])
async def logout_form(request: Request) -> Response:
    """Sign out: to the OpenID provider to end its session too when this one came from
    it (and it offers that), else to the sign-in page."""
    provider = await _end_session(request)
    response = RedirectResponse(provider or f"/ui/login?next={quote('/ui/')}", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="lax")
    return response
