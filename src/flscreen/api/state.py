"""What the app holds between requests: the store, limits, and a matcher cache.

Building a matcher indexes every list entry, so it is read from the saved index
(``matching.persist``, the one ``flscreen match`` maps, built and saved on first
use) and reused until a list gets a new version or an analyst records a
judgement; a cheap query per request tells which (the cache key is the latest
version of each list and the newest judgement id).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa
from fastapi import Request

from flscreen.errors import InvalidInput
from flscreen.identity.throttle import Throttle
from flscreen.lists import store as lists_store
from flscreen.matching import Matcher
from flscreen.matching.judgements import judgements_table
from flscreen.matching.persist import matcher_for
from flscreen.store import Store

from .shipments import GraphCache

if TYPE_CHECKING:
    from .oidc import OidcClient

MatcherKey = tuple[tuple[tuple[str, int, str], ...], int, int]


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
class MatcherCache:
    """Matchers by the lists they cover, rebuilt when a list or the judgements change."""

    _lock: threading.Lock = field(default_factory=threading.Lock)
    _built: dict[tuple[str, ...], tuple[MatcherKey, Matcher]] = field(default_factory=dict)
    builds: int = 0
    """How many matchers were built (the tests check reuse with it)."""
    keep: int = 3
    """Matchers kept at once (one per distinct ``lists`` selection, least recent dropped):
    each holds a whole index, so clients cannot fill memory by varying ``lists``."""
    index_dir: Path | None = None
    """Where saved indexes live (FLSCREEN_HOME/index, shared with the CLI); None: build
    in memory, never save."""

    def get(self, store: Store, lists: Sequence[str] | None) -> Matcher:
        """The matcher over the latest version of ``lists`` (all when empty) and every judgement."""
        wanted = tuple(sorted(set(lists or ())))
        with store.connect() as conn:
            latest = lists_store.latest_versions(conn)
            if wanted:
                for name in wanted:
                    lists_store.resolve_version(conn, name)  # NotFound for an unknown list
            names = wanted or tuple(sorted(latest))
            count, newest = conn.execute(
                sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(judgements_table.c.id), 0))
            ).one()
            key: MatcherKey = (
                tuple((n, latest[n].version, latest[n].sha256) for n in names if n in latest),
                int(count),
                int(newest),
            )
        with self._lock:
            cached = self._built.pop(wanted, None)
            if cached is not None and cached[0] == key:
                self._built[wanted] = cached  # most recently used last
                return cached[1]
            cached = None  # let a stale index go before building its successor
            # the saved index for exactly these versions (mapped, not rebuilt), else
            # built and saved; judgements are read fresh either way
            matcher = matcher_for(store, list(names), self.index_dir)
            self.builds += 1
            self._built[wanted] = (key, matcher)
            while len(self._built) > self.keep:
                del self._built[next(iter(self._built))]
        if not len(matcher):
            raise InvalidInput(
                "no list entries to match against: import a list first "
                "(POST /lists/{name}/import or `flscreen lists import FILE --list NAME`)"
            )
        return matcher


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
