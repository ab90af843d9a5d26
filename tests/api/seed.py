"""Stores seeded with the bundled sample lists and supply package, and an app client."""

from __future__ import annotations

from pathlib import Path

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
