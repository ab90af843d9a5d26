"""OpenRefine's reconciliation requests, as it sends them, answered from the lists."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from flscreen.store import Store
from tests.api.seed import make_client, seed_lists


def reconcile(
    client: TestClient, queries: dict[str, object], dataset: str = "default"
) -> dict[str, list[dict[str, object]]]:
    resp = client.post(f"/reconcile/{dataset}", data={"queries": json.dumps(queries)})
    assert resp.status_code == 200, resp.text
    return {k: v["result"] for k, v in resp.json().items()}


def test_a_spreadsheet_column_reconciles(listed: TestClient) -> None:
    column = {
        "q0": {"query": "XINJIANG ZHONGTAI CHEMICAL CO LTD", "type": "Company", "limit": 3},
        "q1": {"query": "新疆中泰化学股份有限公司", "type": "Company"},
        "q2": {"query": "Aksu Huafu Textiles", "properties": [{"pid": "country", "v": "China"}]},
        "q3": {"query": "Brightwater Garden Furniture GmbH", "type": "Company"},
    }
    out = reconcile(listed, column)
    # Listed on the UFLPA list and on the importer's own watchlist: both come back.
    assert {r["name"] for r in out["q0"][:2]} == {
        "Xinjiang Zhongtai Chemical Co., Ltd.",
        "Xinjiang Zhongtai Chemical Co. Ltd.",
    }
    assert out["q0"][0]["match"] is True
    assert len(out["q0"]) <= 3
    assert any("Zhongtai" in str(r["name"]) for r in out["q1"])
    assert "Aksu Huafu" in str(out["q2"][0]["name"])
    assert out["q3"] == []
    assert all(
        r["type"][0]["id"] in {"Company", "Organization", "Person", "LegalEntity", "Vessel"}
        for rs in out.values()
        for r in rs
    )


def test_queries_by_get_with_a_uscc_property(listed: TestClient) -> None:
    queries = {
        "q0": {
            "query": "Zhongtai Chemical",
            "properties": [{"pid": "uscc", "v": "91650000710886064T"}],
        }
    }
    by_get = listed.get("/reconcile/default", params={"queries": json.dumps(queries)})
    assert by_get.status_code == 200
    assert by_get.json()["q0"]["result"][0]["name"].startswith("Xinjiang Zhongtai")


def test_manifest_suggest_preview_and_extend(listed: TestClient) -> None:
    manifest = listed.get("/reconcile/uflpa").json()
    assert manifest["versions"] == ["0.2"]
    assert manifest["suggest"]["entity"]["service_url"].endswith("/reconcile/uflpa")
    suggested = listed.get("/reconcile/uflpa/suggest/entity", params={"prefix": "Hoshine"}).json()
    entity_id = suggested["result"][0]["id"]
    preview = listed.get("/reconcile/uflpa/preview", params={"id": entity_id})
    assert preview.status_code == 200 and "Hoshine" in preview.text
    assert "text/html" in preview.headers["content-type"]
    ext = {"ids": [entity_id, "uflpa-missing"], "properties": [{"id": "alias"}, {"id": "topics"}]}
    rows = listed.post("/reconcile/uflpa", data={"extend": json.dumps(ext)}).json()["rows"]
    assert rows[entity_id]["alias"] == [{"str": "Hesheng Silicon Industry (Shanshan) Co."}]
    assert rows["uflpa-missing"] == {}
    types = listed.get("/reconcile/uflpa/suggest/type", params={"prefix": "pers"}).json()
    assert [t["id"] for t in types["result"]] == ["Person"]


def test_bad_batches_are_refused_with_the_reason(listed: TestClient) -> None:
    bad = listed.post("/reconcile/default", data={"queries": "{not json"})
    assert bad.status_code == 422 and bad.json()["detail"]
    too_many = {f"q{i}": {"query": "x"} for i in range(101)}
    assert (
        listed.post("/reconcile/default", data={"queries": json.dumps(too_many)}).status_code == 422
    )
    bad_type = listed.post(
        "/reconcile/default",
        data={"queries": json.dumps({"q": {"query": "x", "type": "Spaceship"}})},
    )
    assert bad_type.status_code == 422 and "Spaceship" in bad_type.json()["detail"]
    nothing = listed.post("/reconcile/default", data={})
    assert nothing.status_code == 422


def test_openrefine_passes_its_key_in_the_service_url(
    store: Store, db_url: str, tmp_path: Path
) -> None:
    """OpenRefine cannot send a header: the key rides in the service URL, on the
    reconciliation routes only, and the manifest hands it on to suggest and extend."""
    seed_lists(store)
    with make_client(db_url, tmp_path, who=None) as anonymous:
        key = anonymous.tokens["analyst"]  # type: ignore[attr-defined]
        assert anonymous.get("/reconcile/default").status_code == 401
        manifest = anonymous.get("/reconcile/default", params={"api_key": key})
        assert manifest.status_code == 200
        assert manifest.json()["suggest"]["entity"]["service_path"].endswith(f"api_key={key}")
        preview_url = manifest.json()["preview"]["url"].replace("{{id}}", "uflpa-x")
        assert preview_url.endswith(f"&api_key={key}")
        queries = json.dumps({"q0": {"query": "Xinjiang Zhongtai Chemical"}})
        answered = anonymous.post(
            "/reconcile/default", params={"api_key": key}, data={"queries": queries}
        )
        assert answered.status_code == 200 and answered.json()["q0"]["result"]
        assert (
            anonymous.get("/reconcile/default", params={"api_key": "fls_forged"}).status_code == 401
        )
        # Elsewhere a key in the URL is not a credential.
        body = {"queries": {"q": {"schema": "Company", "properties": {"name": ["Zhongtai"]}}}}
        elsewhere = anonymous.post("/match/default", params={"api_key": key}, json=body)
        assert elsewhere.status_code == 401
