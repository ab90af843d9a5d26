"""The bundled policies over HTTP, and checking a user's own policy file."""

from __future__ import annotations

from importlib import resources

from fastapi.testclient import TestClient


def test_bundled_policies_listed_and_shown(sqlite_client: TestClient) -> None:
    listed = sqlite_client.get("/policies").json()["policies"]
    by_name = {p["name"]: p for p in listed}
    assert {"uflpa", "eu-flr", "uk-proposed"} <= set(by_name)
    assert by_name["uflpa"]["approach"] == "presumption"
    assert by_name["eu-flr"]["approach"] == "risk_based"
    full = sqlite_client.get("/policies/uflpa").json()
    assert full["exception"]["requires_clear_and_convincing"] is True
    assert sqlite_client.get("/policies/nope").status_code == 404


def test_check_a_copy_and_a_broken_policy(sqlite_client: TestClient) -> None:
    text = resources.files("flscreen.policy").joinpath("policies", "uflpa.yml").read_text("utf-8")
    mine = text.replace("name: uflpa", "name: my-uflpa", 1)
    r = sqlite_client.post("/policies/check", content=mine.encode())
    assert r.status_code == 200 and r.json()["name"] == "my-uflpa"
    broken = mine.replace("approach: presumption", "approach: vibes", 1)
    r = sqlite_client.post("/policies/check", content=broken.encode())
    assert r.status_code == 422
    assert any(p["field"] and "approach" in p["field"] for p in r.json()["problems"])
    assert sqlite_client.post("/policies/check", content=b"").status_code == 422
