"""``/docs`` and ``/redoc`` that work offline: Swagger UI and ReDoc served by the app.

FastAPI's default pages load their scripts from a CDN, so an officer on a closed
network saw a blank page. The assets come from the ``fastapi-offline`` package
(Swagger UI 5 and ReDoc 2, which read OpenAPI 3.1) and are mounted under
``/docs-static``; the pages' one inline script is allowed by its hash only.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from flscreen.http.auth import public

STATIC_URL = "/docs-static"
_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def assets_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _with_csp(page: HTMLResponse) -> HTMLResponse:
    """The page with a CSP allowing this app's scripts and its own inline script only."""
    body = bytes(page.body).decode()
    sources = ["'self'"] + [
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _SCRIPT.findall(body)
    ]
    page.headers["Content-Security-Policy"] = (
        f"default-src 'self'; script-src {' '.join(sources)}; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    )
    return page


def install_docs(app: FastAPI) -> None:
    """Mount the bundled assets and add ``/docs`` and ``/redoc`` (create the app with
    ``docs_url=None, redoc_url=None``)."""
    app.mount(STATIC_URL, StaticFiles(directory=assets_dir()), name="docs-static")
    openapi_url = app.openapi_url or "/openapi.json"

    @app.get("/docs", include_in_schema=False, dependencies=[public()])
    def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _with_csp(
            get_swagger_ui_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title}: API reference",
                swagger_js_url=f"{root}{STATIC_URL}/swagger-ui-bundle.js",
                swagger_css_url=f"{root}{STATIC_URL}/swagger-ui.css",
                swagger_favicon_url=f"{root}{STATIC_URL}/favicon.png",
            )
        )

    @app.get("/redoc", include_in_schema=False, dependencies=[public()])
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        return _with_csp(
            get_redoc_html(
                openapi_url=f"{root}{openapi_url}",
                title=f"{app.title}: API reference",
                redoc_js_url=f"{root}{STATIC_URL}/redoc.standalone.js",
                redoc_favicon_url=f"{root}{STATIC_URL}/favicon.png",
                with_google_fonts=False,
            )
        )
