"""Serialise writers on SQLite inside one app process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from flscreen.store import Store

_SQLITE_WRITERS: dict[str, threading.Lock] = {}
_WRITERS_LOCK = threading.Lock()


@contextmanager
def writing(store: Store) -> Iterator[None]:
    """One writer at a time on a SQLite store (its transactions cannot wait for each other
    once they have read: a second writer fails at once with "database is locked"); no
    lock on PostgreSQL, which serialises writers itself."""
    if store.dialect != "sqlite":
        yield
        return
    key = str(store.engine.url)
    with _WRITERS_LOCK:
        lock = _SQLITE_WRITERS.setdefault(key, threading.Lock())
    with lock:
        yield
