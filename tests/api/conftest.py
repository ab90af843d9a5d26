"""An app per backend, and stores seeded with the bundled sample lists and supply package."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flscreen.api import Limits, create_app
from flscreen.lists.samples import sample_lists
from flscreen.lists.service import import_list
from flscreen.policy.screening import import_package
from flscreen.store import Store

SAMPLE_SUPPLY = (
    Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample" / "supply"
)


def seed_lists(store: Store) -> None:
    """The bundled UFLPA, OFAC SDN and own-watchlist samples, version 1 each."""
    for name, path, fmt in sample_lists():
        import_list(store, str(path), name, fmt=fmt)


def seed_supply(store: Store) -> None:
    """The bundled supply package (7 shipments: clean, listed, laundered, gap, shortfall)."""
    import_package(store, str(SAMPLE_SUPPLY))


def make_client(db_url: str, tmp_path: Path, limits: Limits | None = None) -> TestClient:
    app = create_app(db_url, documents_dir=tmp_path / "documents", limits=limits)
    return TestClient(app)


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
