"""The published ``yente-client`` package, unchanged, against a live flscreen server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from flscreen.api import create_app
from flscreen.store import Store
from tests.api.seed import seed_identities, seed_lists

from .live import serving

yente_client = pytest.importorskip("yente_client", reason="yente-client is in the dev extra")


@pytest.fixture
def served(store: Store, db_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """(base URL, an analyst's API token): yente-client sends it as its api_key."""
    seed_lists(store)
    token = seed_identities(store)["analyst"]
    with serving(create_app(db_url, documents_dir=tmp_path / "documents")) as base:
        yield base, token


def test_a_yente_client_screens_against_flscreen(served: tuple[str, str]) -> None:
    from yente_client import Client
    from yente_client.entities import Company, Person

    base_url, token = served
    with (
        Client(base_url=base_url, app_name="flscreen-test") as anonymous,
        pytest.raises(Exception, match="401"),
    ):
        anonymous.datasets()
    with Client(base_url=base_url, app_name="flscreen-test", api_key=token) as client:
        datasets = {d.name for d in client.datasets().datasets}
        assert {"default", "uflpa", "ofac_sdn", "my_watchlist"} <= datasets

        hit = client.match(Company(name=["Xinjiang Zhongtai Chemical Co Ltd"], jurisdiction=["cn"]))
        assert hit.results and hit.results[0].match
        assert {r.caption for r in hit.results} >= {"Xinjiang Zhongtai Chemical Co., Ltd."}
        assert hit.results[0].explanations

        only_ofac = client.match(Person(name=["Zhu Hailun"]), datasets=["ofac_sdn"])
        assert [r.datasets for r in only_ofac.results] == [["ofac_sdn"]]

        found = client.search("Daqo New Energy", datasets=["uflpa"])
        assert found.results and "Daqo" in found.results[0].caption
        entity = client.fetch(found.results[0].id)
        assert entity.id == found.results[0].id
        assert entity.properties["sanctions"]
