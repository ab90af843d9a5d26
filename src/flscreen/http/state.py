"""What the app holds between requests: the store, limits, the matcher and supply graph
caches (:mod:`flscreen.services`), the login throttle and the OpenID client; the API's
routers and the pages read it with :func:`get_state`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from fastapi import Request

from flscreen.identity.throttle import Throttle
from flscreen.services.matching import MatcherCache
from flscreen.services.shipments import GraphCache
from flscreen.store import Store

if TYPE_CHECKING:
    from flscreen.http.oidc import OidcClient


@dataclass(frozen=True, slots=True)
class Limits:
    """Caps the routers enforce before calling the core."""

    max_records: int = 1000
    """Records per match/locate request."""
    max_body_bytes: int = 5 * 1024 * 1024
    """JSON request bodies."""
    max_upload_bytes: int = 512 * 1024 * 1024
    """List and document uploads (streamed to a temporary file, never held in memory)."""
    max_page: int = 500
    """Entries per page of ``GET /lists/{name}/entries``."""


@dataclass
class AppState:
    store: Store
    limits: Limits
    documents_dir: Path
    matchers: MatcherCache = field(default_factory=MatcherCache)
    graphs: GraphCache = field(default_factory=GraphCache)
    throttle: Throttle = field(default_factory=Throttle)
    session_hours: float = 8.0
    """How long a signed-in session lasts."""
    oidc: OidcClient | None = None
    """The OpenID provider people may sign in through (None: local passwords only)."""


def get_state(request: Request) -> AppState:
    """The app's state (a FastAPI dependency)."""
    state: AppState = request.app.state.flscreen
    return state
