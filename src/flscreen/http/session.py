"""Signing in and out, as the API's ``/auth/*`` routes and the sign-in pages share it:
the password check under the throttle, the session cookie, ending a session (and the
OpenID provider's end-session URL for one signed in there), and where a sign-in may
send the browser next."""

from __future__ import annotations

from fastapi import Request, Response
from starlette.concurrency import run_in_threadpool

from flscreen.identity import store as identity_store
from flscreen.identity.roles import Unauthenticated
from flscreen.identity.throttle import keys_of

from .auth import SESSION_COOKIE
from .state import AppState, get_state


def sign_in(state: AppState, request: Request, username: str, password: str) -> tuple[str, str]:
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


def delete_cookie(response: Response, name: str = SESSION_COOKIE) -> None:
    """Delete the session cookie (or the pending OpenID sign-in's) with the flags it was
    set with (a ``__Host-`` cookie is replaced only by a Secure one with Path=/)."""
    response.delete_cookie(name, path="/", secure=True, httponly=True, samesite="lax")


async def end_session(request: Request) -> str | None:
    """End the cookie's session here; the provider's end-session URL for an OpenID one
    (None otherwise, or when the provider offers no such endpoint)."""
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


def safe_next(target: str | None) -> str:
    """Only this app's pages: an open redirect would let a phishing link borrow our name."""
    if target and target.startswith("/ui/") and not target.startswith("//"):
        return target
    return "/ui/"


def oidc_label(request: Request) -> str | None:
    """The sign-in page's "Sign in with ..." label; None without an OpenID provider."""
    client = get_state(request).oidc
    return client.config.label if client is not None else None
