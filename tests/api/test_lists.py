"""Lists over HTTP: import (multipart, OFAC trio, raw body), versions, diff, entries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from flscreen.lists.samples import SAMPLE_DIR
from tests.api.seed import bearer, make_client


@pytest.fixture
def client(db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """Importing lists is the admin's (list sources)."""
    with make_client(db_url, tmp_path, who="admin") as c:
        yield c


V1 = """id,name,aliases,country,schema,programs
sup-1,Xinjiang Zhongtai Chemical Co. Ltd.,新疆中泰化学股份有限公司,cn,company,blocklist
sup-2,Hoshine Silicon Industry (Shanshan) Co. Ltd,合盛硅业(鄯善)有限公司,cn,company,blocklist
sup-3,Lop County Hair Product Industrial Park,洛浦县发制品产业园,cn,organization,blocklist
"""
# v2: sup-2 gains an alias, sup-3 is delisted, sup-4 is new.
V2 = """id,name,aliases,country,schema,programs
sup-1,Xinjiang Zhongtai Chemical Co. Ltd.,新疆中泰化学股份有限公司,cn,company,blocklist
sup-2,Hoshine Silicon Industry (Shanshan) Co. Ltd,合盛硅业(鄯善)有限公司|Hesheng Silicon,cn,company,
sup-4,Xinjiang Tianshan Wool Textile Co. Ltd.,新疆天山毛纺织股份有限公司,cn,company,blocklist
"""


def _upload(client: TestClient, name: str, text: str, filename: str = "own.csv") -> dict:  # type: ignore[type-arg]
    r = client.post(f"/lists/{name}/import", files={"file": (filename, text.encode())})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_import_versions_and_diff(client: TestClient) -> None:
    first = _upload(client, "own", V1)
    assert (first["version"], first["entries"], first["format"]) == (1, 3, "csv")
    again = _upload(client, "own", V1)
    # Same bytes: no new version, and the answer says which version it equals.
    assert again["unchanged"] is True and again["latest"] == 1
    second = _upload(client, "own", V2)
    assert second["version"] == 2
    assert "rescreen" in second  # a new version re-screens stored shipments (none here)

    versions = client.get("/lists/own/versions").json()
    assert [v["version"] for v in versions["versions"]] == [1, 2]
    assert versions["versions"][1]["source"] == "own.csv"
    assert len(versions["versions"][1]["sha256"]) == 64

    diff = client.get("/lists/own/diff").json()
    assert (diff["from"], diff["to"]) == (1, 2)
    assert [e["entry_id"] for e in diff["added"]] == ["sup-4"]
    assert [e["entry_id"] for e in diff["removed"]] == ["sup-3"]
    assert [c["entry_id"] for c in diff["changed"]] == ["sup-2"]
    assert diff["changed"][0]["fields"]["aliases"]["to"] == [
        "合盛硅业(鄯善)有限公司",
        "Hesheng Silicon",
    ]
    # from=0: everything in v2 counts as added.
    everything = client.get("/lists/own/diff", params={"from": 0, "to": 2}).json()
    assert len(everything["added"]) == 3

    overview = client.get("/lists").json()["lists"]
    assert [(x["list"], x["latest"]) for x in overview] == [("own", 2)]


def test_entries_pages_in_id_order_and_pins_versions(client: TestClient) -> None:
    _upload(client, "own", V1)
    _upload(client, "own", V2)
    page1 = client.get("/lists/own/entries", params={"limit": 2}).json()
    page2 = client.get("/lists/own/entries", params={"limit": 2, "offset": 2}).json()
    assert page1["version"] == 2 and page1["total"] == 3
    assert [e["entry_id"] for e in page1["entries"] + page2["entries"]] == [
        "sup-1",
        "sup-2",
        "sup-4",
    ]
    assert "raw" not in page1["entries"][0]
    old = client.get("/lists/own/entries", params={"version": 1, "raw": True}).json()
    assert [e["entry_id"] for e in old["entries"]] == ["sup-1", "sup-2", "sup-3"]
    # Names in their original script, and the raw source row kept.
    assert old["entries"][0]["aliases"] == ["新疆中泰化学股份有限公司"]
    assert old["entries"][0]["raw"]["id"] == "sup-1"
    assert client.get("/lists/own/entries", params={"version": 9}).status_code == 404
    # Find by any name in any script, or by id; the total counts what was found.
    found = client.get("/lists/own/entries", params={"q": "合盛"}).json()
    assert [e["entry_id"] for e in found["entries"]] == ["sup-2"] and found["total"] == 1
    found = client.get("/lists/own/entries", params={"q": "HESHENG"}).json()
    assert [e["entry_id"] for e in found["entries"]] == ["sup-2"]
    assert client.get("/lists/own/entries", params={"q": "SUP-4"}).json()["total"] == 1


def test_official_formats_upload_and_ofac_trio(client: TestClient) -> None:
    html = (SAMPLE_DIR / "uflpa_entity_list.html").read_bytes()
    r = client.post("/lists/uflpa/import", files={"file": ("entity_list.html", html)})
    assert r.status_code == 200
    assert r.json()["format"] == "uflpa-html" and r.json()["entries"] > 10
    trio = [("file", (p.name, p.read_bytes())) for p in sorted((SAMPLE_DIR / "ofac_sdn").iterdir())]
    r = client.post("/lists/ofac-sdn/import", files=trio)
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "ofac-csv"
    # A UFLPA entry keeps its section (programme).
    entries = client.get("/lists/uflpa/entries", params={"limit": 500}).json()["entries"]
    assert any(e["programs"] for e in entries)


def test_raw_body_import_with_filename_and_format(client: TestClient) -> None:
    r = client.post(
        "/lists/own/import",
        params={"filename": "watch.csv"},
        content=V1.encode(),
        headers={"content-type": "application/octet-stream"},
    )
    assert r.status_code == 200 and r.json()["entries"] == 3
    r = client.post(
        "/lists/own2/import",
        params={"format": "csv"},
        content=V1.encode(),
        headers={"content-type": "text/csv"},
    )
    assert r.status_code == 200 and r.json()["format"] == "csv"


def test_bad_imports_are_refused_and_store_nothing(client: TestClient) -> None:
    r = client.post("/lists/own/import", params={"format": "xlsx"}, content=b"x")
    assert r.status_code == 422 and "unknown format" in r.json()["message"]
    r = client.post("/lists/Bad Name/import", content=V1.encode())
    assert r.status_code == 422 and "invalid list name" in r.json()["message"]
    r = client.post("/lists/own/import", files={"file": ("empty.csv", b"")})
    assert r.status_code == 422 and "empty" in r.json()["message"]
    r = client.post("/lists/own/import", data={"note": "no file"})
    assert r.status_code == 422 and "no file" in r.json()["message"]
    # Strict: one bad row (no name) refuses the whole file.
    bad = V1 + "sup-9,,,cn,company,\n"
    r = client.post(
        "/lists/own/import", params={"strict": True}, files={"file": ("x.csv", bad.encode())}
    )
    assert r.status_code == 422
    assert client.get("/lists").json() == {"lists": []}
    # Not strict: the bad row is skipped and reported, the rest imported.
    r = client.post("/lists/own/import", files={"file": ("x.csv", bad.encode())})
    assert r.status_code == 200
    assert r.json()["entries"] == 3 and r.json()["skipped"] == 1
    assert "row" in r.json()["problems"][0]


def test_only_the_admin_imports_lists(client: TestClient) -> None:
    for who in ("officer", "analyst", "auditor", "northwind"):
        r = client.post(
            "/lists/own/import",
            files={"file": ("own.csv", V1.encode())},
            headers=bearer(client, who),
        )
        assert r.status_code == 403 and "lists.import" in r.json()["message"], who
    assert client.get("/lists").json()["lists"] == []
    refused = client.get(
        "/audit/log", params={"kind": "auth.refused"}, headers=bearer(client, "auditor")
    )
    assert {r["actor"] for r in refused.json()["records"]} >= {
        "officer.li",
        "imp.northwind@northwind",
    }
