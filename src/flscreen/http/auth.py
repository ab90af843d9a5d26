"""Authentication and authorization for the app, in one place.

* Who: a bearer API token (``Authorization: Bearer fls_...``) for machines, or the
  session cookie (Secure, HttpOnly, SameSite=Lax) set by signing in, for people.
* May they: every route declares one permission with :func:`requires` (or
  :func:`public`); :func:`check_routes` refuses to build an app with a route that
  declares none, and the route-table test walks the same table.
* Forged requests: an unsafe request (POST, PUT, PATCH, DELETE) whose Origin (or
  Referer) is another site is refused whatever its credentials; one authenticated
  by the cookie must also carry the session's CSRF token (``X-CSRF-Token`` header
  or ``csrf_token`` form field). Bearer tokens are never sent by a browser on its
  own, so they need no CSRF token.
* Refusals (401, 403, 429, and 404 for another tenant's object) are logged in the
  audit trail as ``auth.refused`` with who, what and why; the refused request
  writes nothing else.
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import urlsplit

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.routing import Mount, Route

from flscreen import audit
from flscreen.errors import FlscreenError, StoreError
from flscreen.identity import store as identity_store
from flscreen.identity.roles import (
    Forbidden,
    Permission,
    Principal,
    TooManyAttempts,
    Unauthenticated,
)
from flscreen.identity.scope import OutOfScope, Scope, scope_for, set_row_scope

from .errors import error_body
from .state import AppState, get_state

SESSION_COOKIE = "__Host-flscreen-session"
"""``__Host-``: the browser keeps it only if Secure, Path=/ and without Domain."""
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
FRAMEWORK_PUBLIC = frozenset({"/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"})
"""Routes FastAPI adds itself (the API reference): public by declaration here."""


class Require:
    """The dependency a route declares: authenticate, then check ``permission``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __repr__(self) -> str:
        return f"Require({self.permission.value!r})"

    async def __call__(self, request: Request) -> Principal:
        await check_origin(request)
        principal = await authenticate(request)
        if principal is None:
            raise Unauthenticated(
                "sign in first: send an API token (Authorization: Bearer fls_...) or "
                "sign in at /ui/login"
            )
        principal.require(self.permission)
        await check_csrf(request, principal)
        # The second wall: this request's connections carry the tenant for PostgreSQL's
        # row-level security (identity_0002), whatever the services filter.
        if principal.tenant_bound:
            set_row_scope(await run_in_threadpool(scope_of, get_state(request), principal))
        else:
            set_row_scope(Scope.everything())
        return principal


class Public:
    """The dependency of a route anyone may call; still refuses cross-site posts."""

    permission = Permission.PUBLIC

    def __repr__(self) -> str:
        return "Public()"

    async def __call__(self, request: Request) -> Principal | None:
        await check_origin(request)
        try:
            return await authenticate(request)
        except Unauthenticated:
            return None


_REQUIRES: dict[Permission, Require] = {}


def requires(permission: Permission) -> Any:
    """``Depends`` on :class:`Require` for ``permission``: put it in a route's
    ``dependencies=[...]`` or annotate a parameter ``Annotated[Principal, requires(P)]``."""
    dep = _REQUIRES.setdefault(permission, Require(permission))
    return Depends(dep)


_PUBLIC = Public()


def public() -> Any:
    return Depends(_PUBLIC)


# --- who -----------------------------------------------------------------------------


KEY_IN_URL_PATHS = ("/reconcile/",)
"""Paths where an API token may come as ``?api_key=`` (a reconciliation service URL is
all OpenRefine lets a user configure); everywhere else only the header counts, so a
key never has to sit in a URL."""


async def authenticate(request: Request) -> Principal | None:
    """The request's principal (cached per request), None when it carries no credential,
    :class:`Unauthenticated` when the credential is bad."""
    if "principal" in request.scope.get("flscreen", {}):
        cached: Principal | None = request.scope["flscreen"]["principal"]
        return cached
    state = get_state(request)
    principal: Principal | None = None
    csrf: str | None = None
    header = request.headers.get("authorization")
    if header is not None:
        kind, _, value = header.partition(" ")
        # "ApiKey" is how yente's clients send a key: the same tokens work unchanged.
        if kind.lower() not in ("bearer", "apikey") or not value.strip():
            raise Unauthenticated("Authorization header must be 'Bearer fls_...'")
        principal = await run_in_threadpool(_from_token, state, value.strip())
    elif request.url.path.startswith(KEY_IN_URL_PATHS) and request.query_params.get("api_key"):
        # OpenRefine cannot add a header to a reconciliation service: like yente, the
        # service URL carries the key (``/reconcile/default?api_key=fls_...``).
        key = request.query_params["api_key"].strip()
        principal = await run_in_threadpool(_from_token, state, key)
    else:
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            principal, csrf = await run_in_threadpool(_from_session, state, cookie)
    request.scope.setdefault("flscreen", {}).update({"principal": principal, "csrf": csrf})
    return principal


def _from_token(state: AppState, token: str) -> Principal:
    with state.store.connect() as conn:
        return identity_store.principal_from_token(conn, token)


def _from_session(state: AppState, cookie: str) -> tuple[Principal, str]:
    with state.store.connect() as conn:
        return identity_store.principal_from_session(conn, cookie)


def csrf_token(request: Request) -> str:
    """The session's CSRF token for forms (empty when not signed in with a cookie)."""
    found = request.scope.get("flscreen", {}).get("csrf")
    return str(found) if found else ""


def current_principal(request: Request) -> Principal | None:
    found: Principal | None = request.scope.get("flscreen", {}).get("principal")
    return found


def scope_of(state: AppState, principal: Principal) -> Scope:
    """The tenant scope the services filter by."""
    with state.store.connect() as conn:
        return scope_for(conn, principal)


# --- forged requests ------------------------------------------------------------------


def same_origin(request: Request) -> bool:
    """False when the request names another site as its Origin (or, lacking one, its
    Referer); clients that send neither (curl, scripts) are not browsers posting forms."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return True
    if origin == "null":  # sandboxed frames and some redirects: never this app's pages
        return False
    return urlsplit(origin).netloc == request.url.netloc


async def check_origin(request: Request) -> None:
    if request.method in UNSAFE_METHODS and not same_origin(request):
        origin = request.headers.get("origin") or request.headers.get("referer")
        raise Forbidden(
            f"cross-site request refused: it comes from {origin!r}, not from this server's "
            "own pages"
        )


async def check_csrf(request: Request, principal: Principal) -> None:
    """A cookie-authenticated unsafe request must echo the session's CSRF token."""
    if request.method not in UNSAFE_METHODS or principal.via != "session":
        return
    expected = csrf_token(request)
    given = request.headers.get(CSRF_HEADER)
    content_type = request.headers.get("content-type", "")
    if given is None and content_type.startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()  # Starlette keeps it: the route reads the same form
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not given or not expected or not hmac.compare_digest(given, expected):
        raise Forbidden(
            "missing or wrong CSRF token: a signed-in browser form must carry the page's "
            f"{CSRF_FIELD!r} field (or send the {CSRF_HEADER} header)"
        )


# --- refusals --------------------------------------------------------------------------


REFUSALS = (Unauthenticated, Forbidden, TooManyAttempts, OutOfScope)


def note_refusal(request: Request, exc: FlscreenError) -> None:
    """Log a refused request in the audit trail (its own transaction: nothing the request
    meant to write is written). Other errors are not refusals and are not logged here."""
    if not isinstance(exc, REFUSALS):
        return
    principal = current_principal(request)
    payload = {
        "method": request.method,
        "path": request.url.path,
        "status": {Unauthenticated: 401, Forbidden: 403, TooManyAttempts: 429}.get(type(exc), 404),
        "reason": exc.detail if isinstance(exc, OutOfScope) else str(exc),
        "role": principal.role.value if principal else None,
        "tenant": principal.tenant if principal else None,
        "via": principal.via if principal else None,
        "client": request.client.host if request.client else None,
    }
    actor = principal.label() if principal else "anonymous"
    try:
        with get_state(request).store.begin() as conn:
            audit.append(conn, "auth.refused", payload, actor, subject=request.url.path[:255])
    except StoreError:
        pass  # a busy store must not turn a refusal into a 503


async def refused(request: Request, exc: Exception) -> Response:
    """A refusal as the API answers it (JSON, with ``WWW-Authenticate`` or ``Retry-After``
    where they apply), logged in the audit trail. The pages answer their own refusals
    (:func:`flscreen.web.install`) and come back here for everything else."""
    assert isinstance(exc, FlscreenError)
    await run_in_threadpool(note_refusal, request, exc)
    status, body = error_body(exc)
    headers = {}
    if isinstance(exc, Unauthenticated):
        headers["www-authenticate"] = 'Bearer realm="flscreen"'
    if isinstance(exc, TooManyAttempts):
        headers["retry-after"] = str(exc.retry_after)
    return JSONResponse(body, status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    """Answer refusals as JSON and log each one (:func:`refused`)."""
    for kind in REFUSALS:
        app.add_exception_handler(kind, refused)


# --- the route table -------------------------------------------------------------------


def _dependency_calls(route: Any) -> list[Any]:
    """Every dependency callable of a route, router-level ones included."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant is not None else []
    calls = []
    while stack:
        dep = stack.pop()
        calls.append(dep.call)
        stack.extend(dep.dependencies)
    return calls


def declared_permission(route: Any) -> Permission | None:
    """The permission ``route`` declares through :func:`requires` or :func:`public`."""
    found = [c.permission for c in _dependency_calls(route) if isinstance(c, Require | Public)]
    if not found:
        return None
    # Every declaration must pass; a route is reported by its first non-public one.
    return next((p for p in found if p is not Permission.PUBLIC), found[0])


def _routes(app: FastAPI) -> list[tuple[Any, Any]]:
    """(route as declared, route as served with its routers' dependencies) pairs: FastAPI
    0.160+ keeps included routers lazily, so ``app.routes`` alone is not the table."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI: included routes are copied into app.routes
        return [(r, r) for r in app.routes]
    return [(ctx.original_route, ctx) for ctx in iter_route_contexts(app.routes)]


def route_permissions(app: FastAPI) -> list[tuple[str, str, Permission | None]]:
    """(methods, path, permission) for every route; permission None = undeclared."""
    out: list[tuple[str, str, Permission | None]] = []
    for original, served in _routes(app):
        methods = ",".join(sorted(getattr(served, "methods", None) or ()))
        path = str(getattr(served, "path", None) or getattr(original, "path", original))
        if isinstance(original, APIRoute):
            out.append((methods, path, declared_permission(served)))
        elif isinstance(original, Mount):
            ok = isinstance(original.app, StaticFiles)  # bundled CSS and assets
            out.append(("GET", path, Permission.PUBLIC if ok else None))
        elif isinstance(original, Route) and path in FRAMEWORK_PUBLIC:
            out.append((methods, path, Permission.PUBLIC))
        else:
            out.append((methods or "?", path, None))
    return out


def check_routes(app: FastAPI) -> None:
    """Refuse to serve an app with a route that declares no permission."""
    missing = [f"{m} {p}" for m, p, perm in route_permissions(app) if perm is None]
    if missing:
        raise RuntimeError(
            "routes without a declared permission (add dependencies=[requires(Permission.X)] "
            "or public(); see flscreen.http.auth): " + ", ".join(missing)
        )


def audit_read(
    state: AppState,
    principal: Principal,
    kind: str,
    subject: str,
    payload: dict[str, Any] | None = None,
) -> None:
    """Log that ``principal`` read a case or dossier (who saw the evidence, and when)."""
    with state.store.begin() as conn:
        audit.append(
            conn,
            kind,
            {"via": principal.via, "role": principal.role.value, **(payload or {})},
            principal.label(),
            subject=subject,
        )
