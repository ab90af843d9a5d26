"""An app per backend, and stores seeded with the bundled sample lists and supply package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flscreen.store import Store

from .seed import make_client, seed_lists, seed_supply


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """A client of an app over an empty store (each backend)."""
    with make_client(db_url, tmp_path) as c:
        yield c


@pytest.fixture
def listed(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """A client over a store holding the sample lists (each backend)."""
    seed_lists(store)
    with make_client(db_url, tmp_path) as c:
        yield c


@pytest.fixture
def supplied(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """A client over a store holding the sample lists and supply package, not yet screened."""
    seed_lists(store)
    seed_supply(store)
    with make_client(db_url, tmp_path) as c:
        yield c


@pytest.fixture
def sqlite_client(tmp_path: Path) -> Iterator[TestClient]:
    """For endpoints that never touch storage (locate): SQLite only."""
    with make_client(f"sqlite:///{tmp_path / 'flscreen.db'}", tmp_path) as c:
        yield c
