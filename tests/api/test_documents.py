"""Attached evidence opens: downloads from the API, the case page and the shipment page,
with the right type, as an attachment, and the hash checked on the way out. Verdicts
older than the newest list versions are marked stale on pages, API and dossier."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient

from flscreen.lists.samples import SAMPLE_DIR
from flscreen.lists.service import import_list
from flscreen.store import Store

PDF = b"%PDF-1.4\n% oxygen isotope profile, lot 2026-117: Fergana valley\n"


def _detained_case(client: TestClient) -> tuple[str, str]:
    ran = client.post("/screen", json={"policy": "uflpa", "shipments": ["S-1001"]})
    assert ran.status_code == 200, ran.text
    result = ran.json()["results"][0]
    assert result["verdict"] == "detain"
    return result["case"], result["shipment"]


def _attach(client: TestClient, case_id: str, name: str, body: bytes) -> dict[str, object]:
    r = client.post(
        f"/cases/{case_id}/documents",
        data={"kind": "isotope_test", "supplied_by": "Northwind Apparel Inc."},
        files=[("file", (name, body))],
    )
    assert r.status_code == 201, r.text
    return r.json()["attached"][0]  # type: ignore[no-any-return]


def test_documents_download_from_api_case_and_shipment_pages(
    supplied: TestClient, tmp_path: Path
) -> None:
    case_id, shipment = _detained_case(supplied)
    doc = _attach(supplied, case_id, "isotope report 同位素.pdf", PDF)
    html = _attach(supplied, case_id, "letter.html", b"<script>alert(1)</script>")

    for url in (
        f"/documents/{doc['id']}",
        f"/cases/{case_id}/documents/{doc['id']}",
        f"/ui/documents/{doc['id']}",
    ):
        r = supplied.get(url)
        assert r.status_code == 200, (url, r.text)
        assert r.content == PDF
        assert r.headers["content-type"] == "application/pdf"
        disposition = r.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''isotope%20report%20%E5%90%8C%E4%BD%8D%E7%B4%A0.pdf" in disposition
        assert r.headers["x-content-type-options"] == "nosniff"
        assert hashlib.sha256(r.content).hexdigest() == doc["sha256"]
    # an uploaded page never runs in the app's origin
    r = supplied.get(f"/documents/{html['id']}")
    assert r.headers["content-disposition"].startswith("attachment;")
    assert "sandbox" in r.headers["content-security-policy"]

    case_page = supplied.get(f"/ui/cases/{case_id}").text
    assert f'href="/ui/documents/{doc["id"]}"' in case_page
    shipment_page = supplied.get(f"/ui/shipments/{shipment}").text
    assert f'href="/ui/documents/{doc["id"]}"' in shipment_page
    assert "isotope report 同位素.pdf" in shipment_page

    # a document of another case is not this case's
    assert supplied.get(f"/cases/CASE-999999/documents/{doc['id']}").status_code == 404
    assert supplied.get("/documents/999999").status_code == 404

    # the file altered on disk: refused, not served
    stored = tmp_path / "documents" / str(doc["sha256"])
    stored.write_bytes(b"%PDF-1.4 forged")
    r = supplied.get(f"/documents/{doc['id']}")
    assert r.status_code == 409 and r.json()["error"] == "altered"
    assert "forged" not in r.text
    stored.unlink()
    assert supplied.get(f"/documents/{doc['id']}").status_code == 404


def test_verdict_older_than_the_newest_list_version_is_stale(
    supplied: TestClient, store: Store
) -> None:
    case_id, shipment = _detained_case(supplied)
    fresh = supplied.get(f"/shipments/{shipment}/verdict").json()
    assert fresh["stale"] == [] and fresh["stale_note"] is None
    assert "stale" not in supplied.get(f"/ui/shipments/{shipment}").text.lower()

    # a new UFLPA version arrives (one more entry) without re-screening
    html = (SAMPLE_DIR / "uflpa_entity_list.html").read_text(encoding="utf-8")
    extra = html.replace("</tbody>", "<tr><td>Kashgar Example Textile Co.</td></tr></tbody>", 1)
    assert extra != html
    outcome = import_list(store, extra.encode("utf-8"), "uflpa", fmt="uflpa-html", actor="o")
    assert outcome.version == 2

    verdict = supplied.get(f"/shipments/{shipment}/verdict").json()
    assert verdict["stale"] == [
        {"list": "uflpa", "cited": 1, "latest": 2, "imported_at": outcome.ref.imported_at}
    ]
    assert "uflpa v1 -> v2" in verdict["stale_note"]
    assert supplied.get(f"/cases/{case_id}").json()["stale"][0]["latest"] == 2
    page = supplied.get(f"/ui/shipments/{shipment}").text
    assert "uflpa v1 -&gt; v2" in page and 'pill warn">stale' in page
    assert "uflpa v1 -&gt; v2" in supplied.get(f"/ui/cases/{case_id}").text
    dossier = supplied.get(f"/shipments/{shipment}/dossier", params={"format": "html"}).text
    assert "Stale: the lists changed after this verdict" in dossier and "v2 (stale)" in dossier
