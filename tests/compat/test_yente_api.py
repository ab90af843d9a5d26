"""The yente-compatible API: yente's paths, bodies and answers over flscreen's lists.

Answers are checked by yente's own response models (the ``yente`` package from the
registry, in a subprocess); behaviour is checked on the bundled sample lists.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flscreen.lists.service import import_list
from flscreen.store import Store

ROOT = Path(__file__).resolve().parents[2]
YENTE_PYTHON = ROOT / ".yente-venv" / "bin" / "python"

HOSHINE_VARIANT = {
    "schema": "Company",
    "properties": {"name": ["Hoshine Silicon Industry Co Ltd"], "jurisdiction": ["cn"]},
}
ZHU_HAILUN = {"schema": "Person", "properties": {"name": ["Zhu Hailun"], "nationality": ["cn"]}}


def validate_with_yente(answers: list[tuple[str, Any]]) -> list[str]:
    """One verdict per answer from yente's models: 'ok' or the errors."""
    if not YENTE_PYTHON.exists():
        pytest.skip("yente is not installed in .yente-venv (run scripts/setup.sh)")
    payload = json.dumps([{"model": m, "data": d} for m, d in answers])
    proc = subprocess.run(
        [str(YENTE_PYTHON), str(Path(__file__).with_name("validate_yente.py"))],
        input=payload,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split("\n")[: len(answers)]


def test_every_compatible_answer_passes_yentes_models(listed: TestClient) -> None:
    match = listed.post(
        "/match/default",
        json={"queries": {"hoshine": HOSHINE_VARIANT, "zhu": ZHU_HAILUN}},
    )
    assert match.status_code == 200, match.text
    entity_id = match.json()["responses"]["hoshine"]["results"][0]["id"]
    form = {
        "queries": json.dumps(
            {
                "q0": {"query": "Xinjiang Zhongtai Chemical Co", "type": "Company"},
                "q1": {
                    "query": "新疆中泰化学股份有限公司",
                    "properties": [{"pid": "country", "v": "cn"}],
                },
            }
        )
    }
    extend = {
        "extend": json.dumps(
            {"ids": [entity_id], "properties": [{"id": "alias"}, {"id": "country"}]}
        )
    }
    answers = [
        ("EntityMatchResponse", match.json()),
        ("SearchResponse", listed.get("/search/default", params={"q": "Zhongtai"}).json()),
        ("SearchResponse", listed.get("/search/uflpa", params={"limit": 3}).json()),
        ("EntityResponse", listed.get(f"/entities/{entity_id}").json()),
        ("DataCatalogModel", listed.get("/catalog").json()),
        ("AlgorithmResponse", listed.get("/algorithms").json()),
        ("FreebaseManifest", listed.get("/reconcile/default").json()),
        ("ReconcileResults", listed.post("/reconcile/default", data=form).json()),
        (
            "FreebaseEntitySuggestResponse",
            listed.get("/reconcile/default/suggest/entity", params={"prefix": "Hoshine"}).json(),
        ),
        (
            "FreebaseTypeSuggestResponse",
            listed.get("/reconcile/default/suggest/type", params={"prefix": "comp"}).json(),
        ),
        (
            "FreebasePropertySuggestResponse",
            listed.get("/reconcile/default/suggest/property", params={"prefix": "country"}).json(),
        ),
        (
            "FreebaseExtendPropertiesResponse",
            listed.get("/reconcile/default/extend/property", params={"type": "Company"}).json(),
        ),
        ("FreebaseExtendResponse", listed.post("/reconcile/default", data=extend).json()),
    ]
    verdicts = validate_with_yente(answers)
    failures = {name: v for (name, _), v in zip(answers, verdicts, strict=True) if v != "ok"}
    assert not failures


def test_match_scores_a_variant_and_explains_it(listed: TestClient) -> None:
    body = {
        "queries": {
            "hoshine": HOSHINE_VARIANT,
            "nobody": {
                "schema": "Company",
                "properties": {"name": ["Bright Harbour Lighting Ltd"]},
            },
        }
    }
    out = listed.post("/match/default", json=body).json()
    top = out["responses"]["hoshine"]["results"][0]
    assert top["caption"].startswith("Hoshine Silicon Industry (Shanshan)")
    assert top["match"] is True and top["score"] >= 0.8
    assert top["datasets"] == ["uflpa"]
    assert "forced.labor" in top["properties"]["topics"]
    assert top["list"]["version"] == 1 and len(top["list"]["sha256"]) == 64
    assert set(top["features"]) == set(top["explanations"]) and top["explanations"]
    assert all(e["detail"] for e in top["explanations"].values())
    assert out["responses"]["nobody"]["results"] == []
    assert out["responses"]["hoshine"]["query"]["properties"] == HOSHINE_VARIANT["properties"]


def test_dataset_and_filters_narrow_the_lists(listed: TestClient) -> None:
    body = {"queries": {"zhu": ZHU_HAILUN}}
    assert listed.post("/match/ofac-sdn", json=body).json()["responses"]["zhu"]["results"]
    assert listed.post("/match/uflpa", json=body).json()["responses"]["zhu"]["results"] == []
    excluded = listed.post("/match/default", params={"exclude_dataset": "ofac-sdn"}, json=body)
    assert excluded.json()["responses"]["zhu"]["results"] == []
    forced = listed.post("/match/default", params={"topics": "forced.labor"}, json=body)
    assert forced.json()["responses"]["zhu"]["results"] == []
    no_people = listed.post("/match/default", params={"exclude_schema": "Person"}, json=body)
    assert no_people.json()["responses"]["zhu"]["results"] == []
    later = listed.post("/match/default", params={"changed_since": "2999-01-01"}, json=body)
    assert later.json()["responses"]["zhu"]["results"] == []


def test_bad_requests_answer_like_yente(listed: TestClient) -> None:
    unknown = listed.post("/match/no-such-list", json={"queries": {"a": HOSHINE_VARIANT}})
    assert unknown.status_code == 404 and "no-such-list" in unknown.json()["detail"]
    bad_prop = {"queries": {"a": {"schema": "Company", "properties": {"nam": ["X"]}}}}
    refused = listed.post("/match/default", json=bad_prop)
    assert refused.status_code == 422 and "'nam'" in refused.json()["detail"]
    algo = listed.post(
        "/match/default", params={"algorithm": "logic-v9"}, json={"queries": {"a": HOSHINE_VARIANT}}
    )
    assert algo.status_code == 422 and "logic-v9" in algo.json()["detail"]
    assert listed.get("/entities/uflpa-nothing-here").status_code == 404


def test_a_registered_algorithm_is_offered_and_chosen(listed: TestClient) -> None:
    """A second algorithm stands beside flscreen's default: /algorithms lists both with
    their tunables, and ?algorithm= scores with it (its threshold draws the line)."""
    import dataclasses

    from flscreen.matching import ALGORITHMS, DEFAULT_ALGORITHM, register

    strict = register(
        dataclasses.replace(DEFAULT_ALGORITHM, name="flscreen-strict-test", threshold=0.99)
    )
    try:
        docs = listed.get("/algorithms").json()
        names = [a["name"] for a in docs["algorithms"]]
        assert names == [DEFAULT_ALGORITHM.name, strict.name]
        assert docs["default"] == docs["best"] == DEFAULT_ALGORITHM.name
        config = docs["algorithms"][1]["docs"]["config"]
        assert config["threshold"]["value"] == 0.99 and config["w_tokens"]["description"]
        body = {"queries": {"hoshine": HOSHINE_VARIANT}}
        default = listed.post("/match/default", json=body).json()
        chosen = listed.post("/match/default", params={"algorithm": strict.name}, json=body)
        out = chosen.json()
        assert out["matcher"]["name"] == strict.name and out["matcher"]["threshold"] == 0.99
        assert default["responses"]["hoshine"]["results"][0]["match"] is True
        assert out["responses"]["hoshine"]["results"][0]["match"] is False
    finally:
        ALGORITHMS.pop(strict.name, None)


def test_entity_nests_its_listing_and_links(listed: TestClient) -> None:
    found = listed.get(
        "/search/default", params={"q": "Xinjiang Nonferrous Metals Industry Group"}
    ).json()
    entity_id = found["results"][0]["id"]
    entity = listed.get(f"/entities/{entity_id}").json()
    listing = entity["properties"]["sanctions"][0]
    assert listing["schema"] == "Sanction"
    assert "uflpa version 1" in listing["properties"]["summary"][0]
    owned = [
        o for p in ("ownershipOwner", "ownershipAsset") for o in entity["properties"].get(p, [])
    ]
    far_sides = [
        v["caption"]
        for o in owned
        for vals in o["properties"].values()
        for v in vals
        if isinstance(v, dict)
    ]
    assert any("Western Gold" in c for c in far_sides)
    flat = listed.get(f"/entities/{entity_id}", params={"nested": "false"}).json()
    assert "sanctions" not in flat["properties"]


def test_a_new_list_version_is_matched_at_once(
    listed: TestClient, store: Store, tmp_path: Path
) -> None:
    body = {
        "queries": {
            "q": {"schema": "Company", "properties": {"name": ["Kashgar Brightwater Cotton Mill"]}}
        }
    }
    assert listed.post("/match/default", json=body).json()["responses"]["q"]["results"] == []
    csv = tmp_path / "extra.csv"
    csv.write_text(
        "id,name,country\nx-1,Kashgar Brightwater Cotton Mill Co Ltd,cn\n", encoding="utf-8"
    )
    import_list(store, str(csv), "extra", fmt="csv")
    hits = listed.post("/match/default", json=body).json()["responses"]["q"]["results"]
    assert [h["datasets"] for h in hits] == [["extra"]]
    assert "extra" in [d["name"] for d in listed.get("/catalog").json()["datasets"]]
