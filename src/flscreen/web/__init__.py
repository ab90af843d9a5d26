"""The analyst pages, server-rendered with jinja2 and served by the API app under ``/ui/``.

Each page has a ``.json`` twin built from the same service calls; the CSS is
bundled (no CDN), so the pages work offline.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request, Response
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    """Add the pages and their static files to ``app``; an unknown page under ``/ui/``
    answers with an HTML error page, and a refused one with the sign-in page (a GET
    without an identity) or an HTML error page; everything else keeps the API's JSON
    errors."""
    from flscreen.http.auth import REFUSALS, note_refusal, refused
    from flscreen.http.errors import error_body, http_error_body, http_error_response
    from flscreen.identity.roles import Unauthenticated
    from flscreen.web import views
    from flscreen.web.pages import render

    async def refused_page(request: Request, exc: Exception) -> Response:
        if not _wants_page(request):
            return await refused(request, exc)
        assert isinstance(exc, REFUSALS)
        await run_in_threadpool(note_refusal, request, exc)
        if isinstance(exc, Unauthenticated) and request.method == "GET":
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            return RedirectResponse(f"/ui/login?next={quote(target)}", status_code=303)
        status, body = error_body(exc)
        return render(request, "error.html.j2", {"status": status, **body}, status)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if _wants_page(request):
            body = {"status": exc.status_code, **http_error_body(exc)}
            return render(request, "error.html.j2", body, exc.status_code, with_json=False)
        return http_error_response(exc)

    app.include_router(views.router)
    app.mount("/ui/static", StaticFiles(directory=STATIC), name="static")
    app.add_exception_handler(StarletteHTTPException, http_error)
    for kind in REFUSALS:
        app.add_exception_handler(kind, refused_page)
    app.add_middleware(PageHeaders)


def _wants_page(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/ui/") and not path.endswith(".json")


PAGE_CSP = (
    b"default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; "
    b"img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    b"form-action 'self'"
)
"""HTML answers (pages, the dossier, error pages) load nothing from elsewhere, run no
script, and post forms only to this app (and, when people sign in through an OpenID
provider, to it: the sign-out form's redirect ends the provider's session, and
browsers hold redirects of a form to ``form-action``). Inline styles stay: the dossier
is one self-contained file."""


def page_csp(scope: Scope) -> bytes:
    """The page CSP for the app serving ``scope``: the OpenID provider's origins added to
    ``form-action`` when one is configured."""
    state = getattr(getattr(scope.get("app"), "state", None), "flscreen", None)
    oidc = getattr(state, "oidc", None)
    if oidc is None:
        return PAGE_CSP
    return b" ".join([PAGE_CSP, *(o.encode() for o in oidc.form_origins())])


PAGE_HEADERS = [
    (b"content-security-policy", PAGE_CSP),  # per app: page_csp
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]


class PageHeaders:
    """Security headers: ``nosniff`` on every answer, and the page CSP on every HTML
    answer (pages, dossier, errors) that does not set its own (``/docs`` does)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                have = {k.lower() for k, _ in headers}
                html = any(
                    k.lower() == b"content-type" and v.lower().startswith(b"text/html")
                    for k, v in headers
                )
                for key, value in PAGE_HEADERS:
                    if key in have or (key != b"x-content-type-options" and not html):
                        continue
                    headers.append((key, page_csp(scope) if value is PAGE_CSP else value))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


__all__ = ["install"]
