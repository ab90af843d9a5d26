"""POST /locate: the CLI's output shape; the traps come out right through HTTP too."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from flscreen.region.identifiers import uscc_check_char


def _uscc(division: str) -> str:
    first17 = "91" + division + "MA77ABCD1"
    return first17 + uscc_check_char(first17)


CASES = [
    ({"address": "新疆阿克苏地区阿瓦提县乌鲁却勒镇"}, "xinjiang"),
    # A street named after Ürümqi in Shanghai is not in Xinjiang.
    ({"address": "No. 88 Urumqi Middle Road, Jing'an District, Shanghai"}, "elsewhere"),
    # A Shanghai address with a Xinjiang-registered USCC: a conflict for a person.
    ({"address": "上海市浦东新区张江路1号", "registration_id": _uscc("650100")}, "conflict"),
    # Numbers are text here, as in a CSV; postal code and area code agree on Xinjiang...
    ({"postal_code": 832000, "phone": "0993-2718800"}, "xinjiang"),
    # ...but not in Kazakhstan, where China-only signals do not apply.
    ({"postal_code": 832000, "phone": "0993-2718800", "country": "Kazakhstan"}, "elsewhere"),
    ({"name": "Acme Trading"}, "unknown"),
]


@pytest.mark.parametrize(("record", "status"), CASES)
def test_statuses(sqlite_client: TestClient, record: dict[str, object], status: str) -> None:
    r = sqlite_client.post("/locate", json={"id": "r", **record})
    assert r.status_code == 200, r.text
    got = r.json()["results"][0]
    assert got["status"] == status
    assert set(got) == {
        "id",
        "in_xinjiang",
        "status",
        "confidence",
        "division_code",
        "division_name",
        "xpcc",
        "signals",
    }


def test_batch_tally_and_signals(sqlite_client: TestClient) -> None:
    body = {"records": [{"id": str(i), **rec} for i, (rec, _) in enumerate(CASES)]}
    got = sqlite_client.post("/locate", json=body).json()
    assert [r["status"] for r in got["results"]] == [s for _, s in CASES]
    assert got["counts"]["xinjiang"] == 2
    assert all({"kind", "value", "detail"} == set(s) for s in got["results"][0]["signals"])


def test_bad_field_type_names_record_and_field(sqlite_client: TestClient) -> None:
    r = sqlite_client.post("/locate", json=[{"address": "x"}, {"address": ["a", "list"]}])
    assert r.status_code == 422
    assert (r.json()["problems"][0]["row"], r.json()["problems"][0]["field"]) == (2, "address")


def test_csv_body(sqlite_client: TestClient) -> None:
    body = (
        "id,address,postal_code\n"
        "f1,新疆阿克苏地区阿瓦提县乌鲁却勒镇,843200\n"
        'f2,"88 Urumqi Rd, Shanghai",\n'
    )
    r = sqlite_client.post("/locate", content=body.encode(), headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == ["xinjiang", "elsewhere"]
