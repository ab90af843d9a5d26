"""Shipments, verdicts, cases and the audit log over HTTP, on the bundled sample package."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from flscreen.store import Store

from .seed import SAMPLE_SUPPLY, bearer

# What the bundled package is built to show (see its README): which shipment gets what.
EXPECTED = {
    "S-1001": "detain",  # a UFLPA-listed spinner and XPCC cotton upstream
    "S-1002": "clear",  # a documented clean chain
    "S-1003": "detain",  # laundered through a third country
    "S-1004": "review",  # a mass-balance shortfall
    "S-1005": "review",  # an undocumented hole in a cotton chain
    "S-1006": "review",  # possible ownership by a listed party
    "S-2001": "detain",  # Hoshine polysilicon in a solar module
}


def _screen(client: TestClient, **body: Any) -> dict[str, Any]:
    r = client.post("/screen", json=body)
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_screen_verdicts_and_cases(supplied: TestClient) -> None:
    before = supplied.get("/shipments").json()
    assert before["by_verdict"] == {"unscreened": 7}
    ran = _screen(supplied, policy="uflpa")
    assert {r["shipment"]: r["verdict"] for r in ran["results"]} == EXPECTED
    assert ran["policy"] == "uflpa" and ran["policy_version"]
    # A review or detain verdict opens a case; a clear one does not.
    cases = {r["shipment"]: r["case"] for r in ran["results"]}
    assert cases["S-1002"] is None and cases["S-1001"].startswith("CASE-")

    # Newest first, paged; the tally still covers every shipment.
    page = supplied.get("/shipments", params={"limit": 2, "offset": 1}).json()
    assert [s["shipment"] for s in page["shipments"]] == ["S-1005", "S-1001"]
    assert page["total"] == 7 and sum(page["by_verdict"].values()) == 7
    listing = supplied.get("/shipments", params={"verdict": "detain"}).json()
    assert sorted(s["shipment"] for s in listing["shipments"]) == ["S-1001", "S-1003", "S-2001"]
    row = next(s for s in listing["shipments"] if s["shipment"] == "S-1001")
    assert row["manufacturer"]["name"] == "宁波锦绣服饰有限公司"  # names in their own script
    assert row["latest"]["main_reason"]["outcome"] == "detain"
    assert row["case"] == cases["S-1001"]


def test_verdict_reasons_cite_list_versions_and_paths(supplied: TestClient) -> None:
    assert supplied.get("/shipments/S-1001/verdict").status_code == 404  # not screened yet
    _screen(supplied, policy="uflpa", shipments=["S-1001"])
    v = supplied.get("/shipments/S-1001/verdict").json()
    assert v["verdict"] == "detain" and v["actor"] == "officer.li"
    listed = next(r for r in v["reasons"] if r["code"] == "list_entity_upstream")
    assert listed["evidence"]["list"]["list"] == "uflpa"
    assert listed["evidence"]["list"]["list_version"] == v["list_versions"]["uflpa"]["version"]
    assert [s["transaction_id"] for s in listed["evidence"]["path"]] == ["T-A08", "T-A05"]
    assert supplied.get("/shipments/S-1001/verdict", params={"policy": "eu-flr"}).status_code == 404
    detail = supplied.get("/shipments/S-1001").json()
    assert detail["verdict"]["verdict"] == "detain" and detail["trace"]["tainted"] is True
    assert detail["importer"] == {"id": "IMP-NW", "name": "Northwind Apparel Inc."}
    assert supplied.get("/shipments/S-1002").json()["verdict"] is None  # never screened
    assert supplied.get("/shipments/NOPE").status_code == 404


def test_trace_paths_steps_and_documents(supplied: TestClient) -> None:
    t = supplied.get("/shipments/S-1001/trace").json()
    assert t["shipment"] == "S-1001" and t["tainted"] is True
    kinds = {p["source"]["kind"] for p in t["paths"]}
    assert {"list", "region", "xpcc"} <= kinds
    step = t["paths"][0]["steps"][0]
    assert {"transaction_id", "supplier_id", "buyer_id", "material", "documents"} <= set(step)
    clean = supplied.get("/shipments/S-1002/trace").json()
    assert clean["tainted"] is False and clean["paths"] == []
    assert supplied.get("/shipments/NOPE/trace").status_code == 404
    # A look-back of one day cuts every upstream hop: nothing is reached.
    short = supplied.get("/shipments/S-1001/trace", params={"lookback_days": 1}).json()
    assert len(short["paths"]) < len(t["paths"])


def test_screen_refuses_unknown_policies_and_shipments(supplied: TestClient) -> None:
    r = supplied.post("/screen", json={"policy": "/etc/passwd"})
    # Only bundled policies by name: the API never reads a path a client gives.
    assert r.status_code == 422 and "unknown policy" in r.json()["message"]
    r = supplied.post("/screen", json={"policy": "uflpa", "shipments": ["S-1001", "NOPE"]})
    assert r.status_code == 404
    assert supplied.get("/cases").json()["cases"] == []  # nothing recorded


def test_case_flow_documents_exception_and_audit(
    supplied: TestClient, store: Store, tmp_path: Path
) -> None:
    ran = _screen(supplied, policy="uflpa", shipments=["S-1001"])
    case_id = ran["results"][0]["case"]
    case = supplied.get(f"/cases/{case_id}").json()
    assert case["state"] == "open" and case["verdict"] == "detain"
    assert case["history"][0]["to"] == "open"
    assert "awaiting_importer" in case["allowed_next"]

    bad = supplied.post(
        f"/cases/{case_id}/transition", json={"to": "exception_granted", "reason": ""}
    )
    assert bad.status_code == 422
    assert len(bad.json()["problems"]) >= 2  # forbidden move, no reason: all listed

    def move(to: str, **more: Any) -> dict[str, Any]:
        r = supplied.post(
            f"/cases/{case_id}/transition",
            json={"to": to, "reason": f"to {to}", **more},
        )
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]

    move("awaiting_importer")
    r = supplied.post(
        f"/cases/{case_id}/documents",
        data={
            "kind": "isotope_test",
            "statement": "The lint came from Uzbekistan; isotope test attached.",
        },
        files=[("file", ("isotope.txt", b"O-18 profile: Fergana valley"))],
    )
    assert r.status_code == 201, r.text
    doc = r.json()["attached"][0]
    assert doc["kind"] == "isotope_test" and len(doc["sha256"]) == 64 and doc["rebuttal"]
    move("under_review")
    # UFLPA: an exception needs the officer's clear-and-convincing finding.
    refused = supplied.post(
        f"/cases/{case_id}/transition",
        json={"to": "exception_granted", "reason": "evidence reviewed"},
    )
    assert refused.status_code == 422 and "exception finding" in refused.json()["message"]
    finding = {"kind": "exception", "statement": "isotopes rebut it"}
    weak = supplied.post(f"/cases/{case_id}/findings", json={**finding, "documents": [doc["id"]]})
    assert weak.status_code == 422 and "clear and convincing" in weak.json()["message"]
    found = supplied.post(
        f"/cases/{case_id}/findings",
        json={**finding, "documents": [doc["id"]], "clear_and_convincing": True},
    )
    assert found.status_code == 201, found.text
    assert found.json()["findings"][0]["documents"] == [doc["id"]]
    done = move("exception_granted")
    assert done["state"] == "exception_granted" and done["allowed_next"] == []
    assert [e["to"] for e in done["history"]] == [
        "open",
        "awaiting_importer",
        "under_review",
        "exception_granted",
    ]
    assert done["history"][-1]["clear_and_convincing"] is True
    assert done["rebuttals"][0]["documents"] == [doc["sha256"]]
    assert supplied.get("/cases", params={"state": "exception_granted"}).json()["cases"]

    stored = tmp_path / "documents" / doc["sha256"]  # evidence files are checked too
    original = stored.read_bytes()
    stored.write_bytes(b"forged")
    files = supplied.get("/audit/verify").json()
    assert files["ok"] is False and "isotope.txt" in files["documents"][0]
    stored.write_bytes(original)

    log = supplied.get("/audit/log", params={"subject": case_id}).json()["records"]
    assert [r["kind"] for r in log][:3] == ["case.transition", "case.finding", "case.transition"]
    assert log[0]["payload"]["to"] == "exception_granted"

    ok = supplied.get("/audit/verify").json()
    assert ok["ok"] is True and ok["records"] >= 6
    with store.begin() as conn:  # tamper with one record, as an insider might
        conn.execute(sa.text("UPDATE audit_log SET actor = 'someone else' WHERE seq = 2"))
    broken = supplied.get("/audit/verify").json()
    assert broken["ok"] is False and broken["broken"]["seq"] == 2


def test_dossier_html(supplied: TestClient) -> None:
    assert supplied.get("/shipments/S-1001/dossier").status_code == 404  # not screened
    _screen(supplied, policy="uflpa", shipments=["S-1001"])
    r = supplied.get("/shipments/S-1001/dossier", params={"format": "html"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "S-1001" in r.text and "Aksu Huafu" in r.text and "<svg" in r.text
    assert supplied.get("/shipments/S-1001/dossier", params={"format": "doc"}).status_code == 422


def test_list_update_rescreens_and_reports_changes(supplied: TestClient) -> None:
    """An importer learns through the import answer that a supplier was listed today."""
    _screen(supplied, policy="uflpa")
    csv = (
        "id,name,aliases,country,schema,programs\n"
        "own-9,Saigon Garment Export JSC,,vn,company,internal-blocklist\n"
    )
    r = supplied.post(
        "/lists/new-findings/import",
        files={"file": ("findings.csv", csv.encode())},
        headers=bearer(supplied, "admin"),
    )
    assert r.status_code == 200, r.text
    changed = {s["shipment"]: s for s in r.json()["rescreen"]["shipments"]}
    assert "S-1002" in changed and changed["S-1002"]["before"] == "clear"
    assert changed["S-1002"]["after"] != "clear" and changed["S-1002"]["case"]
    assert supplied.get("/shipments/S-1002/verdict").json()["verdict"] == changed["S-1002"]["after"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_dossier_pdf(supplied: TestClient) -> None:
    """WeasyPrint is slow to start: one backend is enough, the bytes do not depend on it."""
    _screen(supplied, policy="uflpa", shipments=["S-2001"])
    r = supplied.get("/shipments/S-2001/dossier", params={"format": "pdf"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")


def test_package_upload_validates_imports_and_screens(listed: TestClient) -> None:
    files = [("file", (p.name, p.read_bytes())) for p in sorted(SAMPLE_SUPPLY.glob("*.csv"))]
    r = listed.post("/shipments/import", params={"screen": "uflpa"}, files=files)
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["shipments"] == 7 and out["source"].startswith("upload:")
    assert {s["shipment"]: s["verdict"] for s in out["screened"]["results"]} == EXPECTED
    # Parties were matched and located on the way in: the trace finds the listed spinner.
    assert listed.get("/shipments/S-1001/trace").json()["tainted"] is True


def test_bad_package_is_refused_with_every_problem_and_writes_nothing(
    listed: TestClient,
) -> None:
    good = {p.name: p.read_text(encoding="utf-8") for p in SAMPLE_SUPPLY.glob("*.csv")}
    lines = good["transactions.csv"].splitlines()
    # A supplier nobody declared and a negative quantity, on one new row.
    lines.append("T-BAD,NOBODY,VN-SGE,cotton fabric,-5,t,2026-01-10,,,")
    good["transactions.csv"] = "\n".join(lines) + "\n"
    files = [("file", (name, text.encode())) for name, text in sorted(good.items())]
    r = listed.post("/shipments/import", files=files)
    assert r.status_code == 422
    problems = r.json()["problems"]
    assert {p["field"] for p in problems} >= {"supplier_id", "quantity"}
    assert all(p["source"].endswith("transactions.csv") for p in problems)
    assert listed.get("/shipments").json()["shipments"] == []
    r = listed.post("/shipments/import", params={"screen": "nope"}, files=files)
    assert r.status_code == 422 and "unknown policy" in r.json()["message"]


def test_concurrent_writers_all_succeed_and_the_chain_holds(supplied: TestClient) -> None:
    """Analysts screen and move cases at once: no 'database is locked', no broken chain."""
    from concurrent.futures import ThreadPoolExecutor

    def work(i: int) -> list[int]:
        codes = []
        for _ in range(3):
            who = bearer(supplied, "analyst" if i % 2 else "officer")
            r = supplied.post(
                "/screen", json={"policy": "uflpa", "shipments": ["S-1002"]}, headers=who
            )
            codes.append(r.status_code)
            codes.append(supplied.post("/match", json={"name": "Hoshine Silicon"}).status_code)
        return codes

    before = supplied.get("/audit/verify").json()["records"]
    with ThreadPoolExecutor(6) as pool:
        codes = [c for batch in pool.map(work, range(6)) for c in batch]
    assert set(codes) == {200}
    check = supplied.get("/audit/verify").json()
    # 18 screenings after what the fixture logged (list imports, users, tokens)
    assert check["ok"] is True and check["records"] == before + 18, check
