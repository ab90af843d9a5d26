"""The sign-in pages: user name and password (``/ui/login``), signing out
(``/ui/logout``), and the browser's round trip through an OpenID Connect provider
(authorization code with PKCE, see :mod:`flscreen.http.oidc`): ``/auth/oidc/login``
sends the browser to the provider, ``/auth/oidc/callback`` signs the mapped flscreen
user in with the session cookie a password sign-in sets; ``/auth/oidc/signed-out`` is
where the provider sends the browser back after signing out there too.

The app includes both routers itself (:func:`flscreen.api.create_app`), with the same
request checks as the API's session routes; ``oidc_router`` without the strict query
check: a provider may add parameters of its own to the callback (``session_state``,
``scope``...)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from flscreen.http.auth import note_refusal, public
from flscreen.http.oidc import PENDING_COOKIE, PENDING_SECONDS, Pending
from flscreen.http.session import (
    delete_cookie,
    end_session,
    oidc_label,
    safe_next,
    set_session_cookie,
    sign_in,
)
from flscreen.http.state import get_state
from flscreen.identity import store as identity_store
from flscreen.identity.roles import Unauthenticated
from flscreen.settings import OidcConfig

from .pages import render

router = APIRouter(tags=["session"])
oidc_router = APIRouter(tags=["session"])


def login_html(
    request: Request, next: str, error: str | None = None, status: int = 200, **more: str
) -> HTMLResponse:
    """The sign-in page, with why the last attempt failed (``error``) or a ``notice``."""
    context = {"next": next, "error": error, **more, "oidc": oidc_label(request)}
    return render(request, "login.html.j2", context, status=status, with_json=False)


@router.get("/ui/login", include_in_schema=False, dependencies=[public()])
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    return login_html(request, safe_next(next))


@router.post("/ui/login", include_in_schema=False, dependencies=[public()])
async def login_form(request: Request) -> Response:
    state = get_state(request)
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    target = safe_next(fields.get("next"))
    try:
        secret, _csrf = await run_in_threadpool(
            sign_in, state, request, fields.get("username", ""), fields.get("password", "")
        )
    except Unauthenticated as exc:
        await run_in_threadpool(note_refusal, request, exc)
        return login_html(request, target, str(exc), status=401)
    response = RedirectResponse(target, status_code=303)
    set_session_cookie(response, secret, state)
    return response


@router.post("/ui/logout", include_in_schema=False, dependencies=[public()])
async def logout_form(request: Request) -> Response:
    """Sign out: to the OpenID provider to end its session too when this one came from
    it (and it offers that), else to the sign-in page."""
    provider = await end_session(request)
    response = RedirectResponse(provider or f"/ui/login?next={quote('/ui/')}", status_code=303)
    delete_cookie(response)
    return response


# --- OpenID Connect --------------------------------------------------------------------


def _redirect_uri(config: OidcConfig, request: Request) -> str:
    return config.redirect_uri or str(request.url_for("oidc_callback"))


@oidc_router.get("/auth/oidc/login", include_in_schema=False, dependencies=[public()])
def oidc_login(request: Request, next: str | None = None) -> Response:
    """Send the browser to the OpenID provider (authorization code with PKCE); it comes
    back to ``/auth/oidc/callback``."""
    client = get_state(request).oidc
    if client is None:
        return _oidc_refused(
            request, Unauthenticated("no OpenID provider is configured: sign in with a password")
        )
    try:
        url, pending = client.begin(_redirect_uri(client.config, request), safe_next(next))
    except Unauthenticated as exc:
        return _oidc_refused(request, exc)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        PENDING_COOKIE,
        pending.encode(),
        max_age=PENDING_SECONDS,
        path="/",
        secure=True,
        httponly=True,
        samesite="lax",  # the provider sends the browser back with a top-level GET
    )
    return response


@oidc_router.get("/auth/oidc/callback", include_in_schema=False, dependencies=[public()])
def oidc_callback(request: Request) -> Response:
    """Where the OpenID provider sends the browser back: redeem the code, check the ID
    token, map its claim to a flscreen user, and sign that user in (the session cookie
    of a password sign-in). Refusals show the sign-in page with the reason (401)."""
    state = get_state(request)
    client = state.oidc
    try:
        if client is None:
            raise Unauthenticated("no OpenID provider is configured: sign in with a password")
        pending = Pending.decode(request.cookies.get(PENDING_COOKIE), client.clock())
        signed_in = client.finish(pending, dict(request.query_params))
        claims = signed_in.claims
        with state.store.begin() as conn:
            user = identity_store.find_user_by_oidc(
                conn, client.config.claim, claims.get(client.config.claim)
            )
            if client.config.claim == "email" and claims.get("email_verified") is False:
                raise Unauthenticated(
                    f"the OpenID provider has not verified the e-mail {claims['email']!r}"
                )
            secret, _csrf = identity_store.create_session(
                conn, user, hours=state.session_hours, via="oidc", id_token=signed_in.id_token
            )
    except Unauthenticated as exc:
        return _oidc_refused(request, exc)
    response = RedirectResponse(pending.next, status_code=303)
    set_session_cookie(response, secret, state)
    delete_cookie(response, PENDING_COOKIE)
    return response


@oidc_router.get("/auth/oidc/signed-out", include_in_schema=False, dependencies=[public()])
def oidc_signed_out(request: Request) -> Response:
    """Where the OpenID provider sends the browser back after ending its session (the
    ``post_logout_redirect_uri`` registered there): the sign-in page, saying so. The
    flscreen session ended before the browser left."""
    client = get_state(request).oidc
    label = client.config.label if client is not None else "the OpenID provider"
    return login_html(request, "/ui/", notice=f"You are signed out of flscreen and of {label}.")


def _oidc_refused(request: Request, exc: Unauthenticated) -> Response:
    """The sign-in page with the reason, logged as a refusal; the pending sign-in ends."""
    note_refusal(request, exc)
    response = login_html(request, "/ui/", str(exc), status=401)
    delete_cookie(response, PENDING_COOKIE)
    return response
