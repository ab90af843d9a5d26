"""Unknown body fields and query parameters are 422, naming the field and its closest
valid name, instead of being ignored (defect: {"shipment": ...} screened everything)."""

from __future__ import annotations

from fastapi.testclient import TestClient


def _problem(r: object) -> dict[str, object]:
    body = r.json()  # type: ignore[attr-defined]
    assert r.status_code == 422, body  # type: ignore[attr-defined]
    return body["problems"][0]  # type: ignore[no-any-return]


def test_singular_shipment_does_not_screen_everything(supplied: TestClient) -> None:
    p = _problem(supplied.post("/screen", json={"policy": "uflpa", "shipment": "S-1004"}))
    assert p["field"] == "shipment" and "did you mean 'shipments'?" in str(p["message"])
    assert supplied.get("/shipments").json()["by_verdict"] == {"unscreened": 7}  # nothing ran


def test_match_with_list_does_not_match_every_list(listed: TestClient) -> None:
    for body in (
        {"records": [{"name": "Hoshine Silicon"}], "list": "uflpa"},
        {"name": "Hoshine Silicon", "list": "uflpa"},  # one record with the batch option
    ):
        p = _problem(listed.post("/match", json=body))
        assert p["field"] == "list" and "did you mean 'lists'?" in str(p["message"])
    # a record's own misspelt field names its row
    r = listed.post("/match", json={"records": [{"name": "A"}, {"name": "B", "adress": "x"}]})
    p = _problem(r)
    assert (p["row"], p["field"]) == (2, "adress") and "'address'" in str(p["message"])
    # the option given beside a single record is honoured, not dropped
    one = listed.post("/match", json={"name": "Hoshine Silicon", "lists": ["my-watchlist"]})
    assert one.status_code == 200
    assert {h["list"] for h in one.json()["results"][0]["hits"]} <= {"my-watchlist"}


def test_unknown_query_parameter_is_refused(supplied: TestClient) -> None:
    p = _problem(supplied.get("/shipments", params={"verdcit": "detain"}))
    assert p["source"] == "query" and p["field"] == "verdcit"
    assert "did you mean 'verdict'?" in str(p["message"])
    assert supplied.get("/shipments", params={"verdict": "detain"}).status_code == 200


def test_a_csv_file_may_carry_other_columns(listed: TestClient) -> None:
    csv = "id,name,buyer_notes\nS1,Hoshine Silicon,paid in advance\n"
    r = listed.post("/match", content=csv, headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
