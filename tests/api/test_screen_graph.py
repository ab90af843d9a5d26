"""Screening through the API reads the supply graph from the app's cache (kept per row
scope, see docs/security.md) instead of loading it again, and the cache is rebuilt by
every write the graph is built from: a package, a re-annotation, a trade import or
inference run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flscreen.services import shipments as shipment_service
from flscreen.services.supply import import_package
from flscreen.store import Store
from flscreen.trade import service as trade_service

from .seed import SAMPLE_SUPPLY, make_client, seed_lists

TRADE = Path(__file__).resolve().parents[2] / "src" / "flscreen" / "resources" / "sample" / "trade"
SHIPMENT = "S-HL-01"
"""The sample entry whose package omits the Xinjiang spinner a bill of lading shows."""


@pytest.fixture
def client(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    seed_lists(store)
    import_package(store, str(TRADE / "package"))
    with make_client(db_url, tmp_path) as c:
        yield c


def _codes(answer: dict[str, Any]) -> set[str]:
    [result] = answer["results"]
    return {r["code"] for r in result["reasons"]}


def test_screening_reuses_the_graph_and_sees_every_write_it_is_built_from(
    client: TestClient,
) -> None:
    state = client.app.state.flscreen  # type: ignore[attr-defined]
    assert client.get(f"/shipments/{SHIPMENT}/trace").status_code == 200
    assert state.graphs.builds == 1
    first = client.post("/screen", json={"policy": "uflpa", "shipments": [SHIPMENT]})
    assert first.status_code == 200, first.text
    assert state.graphs.builds == 1  # the trace's graph, not a second load
    assert "inferred_region_xinjiang" not in _codes(first.json())
    # Bills of lading, then the inference over them: a graph of its own (the inferred
    # hop from the Aksu spinner), which screening must not miss for a cached one.
    trade_service.import_file(state.store, str(TRADE / "bills_of_lading.csv"))
    trade_service.infer(state.store)
    again = client.post("/screen", json={"policy": "uflpa", "shipments": [SHIPMENT]})
    assert again.status_code == 200, again.text
    assert state.graphs.builds == 2
    assert "inferred_region_xinjiang" in _codes(again.json())
    assert client.get(f"/shipments/{SHIPMENT}/trace").status_code == 200
    assert state.graphs.builds == 2  # and the pages trace on the graph screening built


def test_a_cached_graph_screens_as_a_fresh_load(client: TestClient) -> None:
    state = client.app.state.flscreen  # type: ignore[attr-defined]
    import_package(state.store, str(SAMPLE_SUPPLY))  # clean, listed, laundered, gap ...
    trade_service.import_file(state.store, str(TRADE / "bills_of_lading.csv"))
    trade_service.infer(state.store)
    client.get("/shipments")  # warm the cache
    cached = shipment_service.screen(state.store, "uflpa", None, "test", state.graphs)
    fresh = shipment_service.screen(state.store, "uflpa", None, "test")  # loads its own

    def verdicts(answer: dict[str, Any]) -> list[dict[str, Any]]:
        return [{k: v for k, v in r.items() if k != "screening"} for r in answer["results"]]

    assert cached["screened"] == fresh["screened"] == 8
    assert verdicts(cached) == verdicts(fresh)
    assert len({r["verdict"] for r in fresh["results"]}) > 2  # not all alike
