"""The FastAPI app: ``create_app()`` wires the store, the routers, the error table and
the analyst pages. ``flscreen serve`` runs it under uvicorn."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from flscreen.http import auth
from flscreen.http.errors import install_error_handlers
from flscreen.http.state import AppState, Limits
from flscreen.services.matching import MatcherCache
from flscreen.settings import OidcConfig, load_oidc, load_settings
from flscreen.store import open_store

from .docs import install_docs
from .media import known_media
from .strict import known_query

UPLOAD_PATHS = ("/import", "/documents")
"""Paths whose POST bodies may be as large as a list file (``max_upload_bytes``): list and
package imports and case documents, from the API and from the pages' forms."""

DESCRIPTION = """\
Forced-labour import screening over HTTP: the same services as the `flscreen` CLI.

* **lists**: imported screening lists, their versions and diffs; import a new version.
* **matching**: screen parties against the lists in any script; record judgements.
* **region**: tell whether a party or facility is in Xinjiang, with every signal.
* **shipments**: stored shipments, their traces and verdicts; screen them under a policy;
  the evidence dossier as HTML or PDF.
* **cases** and **audit**: what people did about a verdict, and the hash-chained log.

Errors share one shape: `{"error", "message", "problems": [{"source", "row", "field",
"message"}]}`; bad input is 422 with every problem listed, an unknown list, shipment or
case is 404, a body in a media type the endpoint does not read is 415, an unreachable
database is 503. The analyst pages live under `/ui/`.

Every endpoint but `/healthz` and signing in needs an identity: an API token
(`Authorization: Bearer fls_...`, from `flscreen tokens create`) or the session cookie
set by `POST /auth/login` or by an OpenID Connect sign-in in the browser
(`/auth/oidc/login`, when a provider is configured); with the cookie, send the session's
`csrf_token` (`GET /auth/me`) as `X-CSRF-Token` on every POST. No identity is 401, a
role without the permission is 403, another tenant's shipment or case is 404; see
docs/security.md.
"""


class BodyLimit:
    """Refuse request bodies over a size (413) before a router reads them: by the
    declared Content-Length, and by counting the bytes of a chunked body."""

    def __init__(self, app: ASGIApp, limits: Limits) -> None:
        self.app = app
        self.limits = limits

    def limit_for(self, path: str) -> int:
        if path.endswith(UPLOAD_PATHS):
            return self.limits.max_upload_bytes
        return self.limits.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit)
            return
        seen = 0
        refused = False

        async def counted() -> Message:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    refused = True
                    raise _TooLarge
            return message

        try:
            await self.app(scope, counted, send)
        except _TooLarge:
            if refused:
                await _too_large(send, limit)


class _TooLarge(Exception):
    pass


async def _too_large(send: Send, limit: int) -> None:
    body = json.dumps(
        {
            "error": "too_large",
            "message": f"request body larger than {limit} bytes",
            "problems": [],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"connection", b"close")],
        }
    )
    await send({"type": "http.response.body", "body": body})


def offer_algorithms(path: str | None) -> None:
    """Register the matching algorithms of the YAML file at ``path`` (FLSCREEN_ALGORITHMS)
    beside the default, so ``?algorithm=`` and ``GET /algorithms`` offer them."""
    if not path:
        return
    from flscreen.matching import register
    from flscreen.matching.algorithm import load_algorithms

    for algorithm in load_algorithms(Path(path)):
        register(algorithm)


def create_app(
    store_url: str | None = None,
    *,
    documents_dir: str | Path | None = None,
    limits: Limits | None = None,
    with_web: bool = True,
    oidc: OidcConfig | None = None,
    index_dir: str | Path | None = None,
) -> FastAPI:
    """The flscreen app over the store at ``store_url`` (default: FLSCREEN_DB_URL, else the
    SQLite file under FLSCREEN_HOME), migrated on start. ``documents_dir`` is where case
    documents are stored (default: FLSCREEN_HOME/documents). ``oidc`` is the OpenID
    provider people sign in through (default: FLSCREEN_OIDC_*, none when unset).
    ``index_dir`` is where matching indexes are saved and mapped (default:
    FLSCREEN_HOME/index, as the CLI)."""
    settings = load_settings()
    offer_algorithms(os.environ.get("FLSCREEN_ALGORITHMS"))
    store = open_store(store_url or settings.db_url)
    from flscreen.identity.scope import install_row_scope

    install_row_scope(store.engine)
    state = AppState(
        store=store,
        limits=limits or Limits(),
        documents_dir=Path(documents_dir) if documents_dir else settings.documents_dir,
        matchers=MatcherCache(index_dir=Path(index_dir) if index_dir else settings.index_dir),
    )
    provider = oidc or load_oidc()
    if provider is not None:
        from flscreen.http.oidc import OidcClient

        state.oidc = OidcClient(provider)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        store.dispose()

    from flscreen import __version__

    app = FastAPI(
        title="flscreen",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # served offline by install_docs
        redoc_url=None,
    )
    app.state.flscreen = state
    install_error_handlers(app)
    install_docs(app)

    from flscreen.web import signin

    from .routers import (
        audit,
        cases,
        documents,
        health,
        lists,
        locate,
        match,
        policies,
        reconcile,
        session,
        shipments,
        yente,
    )

    auth.install(app)
    # The sign-in pages and the OpenID round trip (flscreen.web.signin) are routed
    # beside the API's session routes, with the same checks, pages or not.
    tolerant = (yente.router, reconcile.router, signin.oidc_router)
    for router in (
        health.router,
        session.router,
        signin.router,
        signin.oidc_router,
        lists.router,
        match.router,
        locate.router,
        shipments.router,
        policies.router,
        cases.router,
        documents.router,
        audit.router,
        yente.router,
        reconcile.router,
    ):
        # flscreen's own routes refuse unknown query parameters; the yente,
        # reconciliation and OpenID callback routes keep those protocols' own tolerance.
        # Every router refuses a body in a media type its route does not read (415).
        own = router not in tolerant
        checks = [Depends(known_media), *([Depends(known_query)] if own else [])]
        app.include_router(router, dependencies=checks)
    if with_web:
        from flscreen.web import install

        install(app)
    app.add_middleware(BodyLimit, limits=state.limits)
    # Last: a route added above without a declared permission stops the app here.
    auth.check_routes(app)
    return app
