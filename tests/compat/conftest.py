"""A client over a store holding the bundled sample lists (each backend)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flscreen.store import Store
from tests.api.seed import make_client, seed_lists


@pytest.fixture
def listed(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    seed_lists(store)
    with make_client(db_url, tmp_path) as c:
        yield c
