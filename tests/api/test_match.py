"""POST /match: the CLI's output shape, the core's answers, judgements honoured."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from flscreen.lists.service import import_list
from flscreen.lists.store import iter_entries
from flscreen.matching import Matcher, Query
from flscreen.matching.judgements import load_judgements
from flscreen.services.matching import MatcherCache
from flscreen.store import Store

ZHONGTAI_ZH = "新疆中泰化学股份有限公司"


def _match(client: TestClient, body: Any) -> dict[str, Any]:
    r = client.post("/match", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_same_answer_as_the_core(listed: TestClient, store: Store) -> None:
    records = [
        {"id": "s1", "name": ZHONGTAI_ZH, "country": "CN"},
        {"id": "s2", "name": "HOSHINE SILICON IND (SHANSHAN) CO", "aliases": "合盛硅业"},
        # A hard negative: shares a brand syllable with a listed company.
        {"id": "s3", "name": "Zhongtai Securities Co., Ltd."},
    ]
    got = _match(listed, {"records": records, "limit": 5})
    with store.connect() as conn:
        matcher = Matcher.build(iter_entries(conn), judgements=load_judgements(conn))
    expected = [
        matcher.match(
            Query(
                id=r["id"],
                name=r["name"],
                aliases=tuple(a for a in [r.get("aliases")] if a),
                country=r.get("country"),
            ),
            limit=5,
        ).to_dict()
        for r in records
    ]
    # JSON turns the core's tuples into arrays; otherwise the answers are identical.
    assert got["results"] == json.loads(json.dumps(expected))
    by_id = {r["id"]: r for r in got["results"]}
    assert by_id["s1"]["match"] is True
    assert by_id["s3"]["match"] is False
    assert got["matched"] == sum(r["match"] for r in expected)
    # Every hit cites its list version and explains itself feature by feature.
    hit = by_id["s1"]["hits"][0]
    assert set(hit) >= {"entry_id", "list", "list_version", "name", "matched_name", "score"}
    assert hit["features"] and all(set(f) == {"name", "score", "detail"} for f in hit["features"])
    assert {x["list"] for x in got["lists"]} == {"uflpa", "ofac-sdn", "my-watchlist"}


@pytest.mark.parametrize(
    "body",
    [
        {"name": ZHONGTAI_ZH},  # one record
        [{"name": ZHONGTAI_ZH}],  # a bare array
        {"records": [{"name": ZHONGTAI_ZH}]},  # the full request
    ],
)
def test_three_body_shapes_one_answer(listed: TestClient, body: Any) -> None:
    got = _match(listed, body)
    assert len(got["results"]) == 1
    assert got["results"][0]["id"] == "1"  # no id given: its position
    assert got["results"][0]["match"] is True


def test_list_filter_and_unknown_list(listed: TestClient) -> None:
    got = _match(listed, {"records": [{"id": "x", "name": ZHONGTAI_ZH}], "lists": ["uflpa"]})
    assert {h["list"] for h in got["results"][0]["hits"]} == {"uflpa"}
    r = listed.post("/match", json={"records": [{"name": "x"}], "lists": ["nope"]})
    assert r.status_code == 404


def test_duplicate_ids_and_ranges_refused(listed: TestClient) -> None:
    r = listed.post("/match", json=[{"id": "a", "name": "x"}, {"id": "a", "name": "y"}])
    assert r.status_code == 422 and "duplicate id 'a'" in r.json()["message"]
    r = listed.post("/match", json={"records": [{"name": "x"}], "threshold": 2, "limit": 0})
    fields = {p["field"] for p in r.json()["problems"]}
    assert r.status_code == 422 and fields == {"threshold", "limit"}


def test_empty_store_says_import_a_list(client: TestClient) -> None:
    r = client.post("/match", json={"name": "anything"})
    assert r.status_code == 422
    assert "import a list first" in r.json()["message"]


def test_judgement_is_honoured_and_matcher_rebuilt_only_then(listed: TestClient) -> None:
    cache = listed.app.state.flscreen.matchers  # type: ignore[attr-defined]
    name = "Xinjiang Zhongtai Chemical Company"
    first = _match(listed, {"name": name})["results"][0]
    _match(listed, {"name": name})
    assert cache.builds == 1  # nothing changed: the index is reused
    hit = first["hits"][0]
    r = listed.post(
        "/judgements",
        json={
            "name": name,
            "list": hit["list"],
            "entry_id": hit["entry_id"],
            "verdict": "no-match",
            "reason": "different company: checked the registry",
        },
    )
    assert r.status_code == 201, r.text
    assert r.json()["list_version"] == hit["list_version"]
    after = _match(listed, {"name": name})["results"][0]
    assert cache.builds == 2
    assert hit["entry_id"] not in {h["entry_id"] for h in after["hits"] if h["list"] == hit["list"]}
    assert (hit["list"], hit["entry_id"]) in {
        (h["list"], h["entry_id"]) for h in after["suppressed"]
    }


def test_judgement_of_unknown_entry_is_404(listed: TestClient) -> None:
    r = listed.post(
        "/judgements",
        json={"name": "x", "list": "uflpa", "entry_id": "nope", "verdict": "match"},
    )
    assert r.status_code == 404


def test_matcher_cache_keeps_a_few_selections(listed: TestClient, store: Store) -> None:
    """Varying ``lists`` cannot pile up indexes: the least recently used one is dropped."""
    cache = MatcherCache(keep=2)
    a = cache.get(store, ["uflpa"])
    assert cache.get(store, ["uflpa"]) is a
    cache.get(store, ["ofac-sdn"])
    cache.get(store, ["uflpa"])  # still kept
    assert cache.builds == 2
    cache.get(store, ["my-watchlist"])  # evicts ofac-sdn, the least recently used
    cache.get(store, ["ofac-sdn"])
    assert cache.builds == 4


def test_matcher_cache_maps_the_saved_index(
    listed: TestClient, store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 12: the API maps the index the CLI saves instead of rebuilding it; a new
    list version is matched at once (a new index, never the stale one)."""
    index_dir = tmp_path / "shared-index"
    first = MatcherCache(index_dir=index_dir)
    hit = first.get(store, None).match(Query(id="q", name=ZHONGTAI_ZH)).hits[0]
    saved = {p.name for p in index_dir.iterdir() if p.is_dir()}
    assert len(saved) == 1
    # another server process: no build, the saved arrays are mapped
    monkeypatch.setattr(Matcher, "build", classmethod(lambda *a, **k: pytest.fail("rebuilt")))
    again = MatcherCache(index_dir=index_dir).get(store, None)
    assert again.match(Query(id="q", name=ZHONGTAI_ZH)).hits[0] == hit
    monkeypatch.undo()
    own = tmp_path / "own.csv"
    own.write_text("id,name,schema\nsr,Sunrise Textile Co. Ltd.,company\n", encoding="utf-8")
    import_list(store, str(own), "my-watchlist", fmt="csv")
    result = first.get(store, None).match(Query(id="q", name="Sunrise Textile Co., Ltd."))
    assert result.match and result.hits[0].entry_id == "sr"
    assert {p.name for p in index_dir.iterdir() if p.is_dir()} - saved


SUPPLIERS_CSV = """id,name,aliases,country
s1,新疆中泰化学股份有限公司,,CN
s2,Saigon Garment Export JSC,Công ty CP Xuất khẩu May Sài Gòn,VN
s3,HOSHINE SILICON IND (SHANSHAN) CO,合盛硅业|Hesheng Silicon,CN
"""


def test_supplier_csv_body_and_json_lines_answer(listed: TestClient) -> None:
    """The analyst's supplier file, posted as is; the answer as the CLI would write it."""
    r = listed.post(
        "/match",
        content=SUPPLIERS_CSV.encode(),
        params={"limit": 3},
        headers={"content-type": "text/csv", "accept": "application/x-ndjson"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert [x["id"] for x in lines] == ["s1", "s2", "s3"]
    assert [x["match"] for x in lines] == [True, False, True]
    assert all(len(x["hits"]) <= 3 for x in lines)
    # The same file as JSON lines gives the same answers.
    jl = "\n".join(
        json.dumps({"id": x["id"], "name": n}, ensure_ascii=False)
        for x, n in zip(
            lines,
            [
                "新疆中泰化学股份有限公司",
                "Saigon Garment Export JSC",
                "HOSHINE SILICON IND (SHANSHAN) CO",
            ],
            strict=True,
        )
    )
    r2 = listed.post(
        "/match", content=jl.encode(), headers={"content-type": "application/x-ndjson"}
    )
    assert [x["match"] for x in r2.json()["results"]] == [True, False, True]


def test_bad_csv_rows_are_reported_by_line(listed: TestClient) -> None:
    bad = "id,name\na,Acme\nb,\na,Acme again\n"
    r = listed.post("/match", content=bad.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert {(p["row"], p["field"]) for p in problems} >= {(3, "name")}
    assert any("duplicate id 'a'" in p["message"] for p in problems)
    assert all(p["source"] == "body" for p in problems)
