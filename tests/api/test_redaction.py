"""A manufacturer shared by two importers: its mass-balance finding lists every sale of
the period, the other importer's shipments included. An importer reads its verdict,
shipment, trace, case and dossier with those ids replaced by a placeholder (the totals
kept); an officer reads them as stored, and the stored screening is never changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from flscreen.identity.redact import FOREIGN_SHIPMENT
from flscreen.services.supply import import_package
from flscreen.store import Store

from .seed import SAMPLE_SUPPLY, bearer, make_client, seed_lists

OWN = "S-1006"  # Northwind's t-shirts from PH-CEBUKNIT: a mass-balance shortfall
OTHER = "S-2002"  # Southern Cross buys from the same knitter in the same month
OTHER_ROW = (
    f"{OTHER},IMP-SC,PH-CEBUKNIT,PH-CEBUKNIT,cotton t-shirts,6109.10,50000,pcs,150000,PH,"
    "2026-10-07,\n"
)


@pytest.fixture
def shared(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    """The sample package plus a Southern Cross shipment from Northwind's knitter,
    screened under UFLPA; an officer's client."""
    package = tmp_path / "package"
    shutil.copytree(SAMPLE_SUPPLY, package)
    with (package / "shipments.csv").open("a", encoding="utf-8") as f:
        f.write(OTHER_ROW)
    seed_lists(store)
    import_package(store, str(package))
    with make_client(db_url, tmp_path) as c:
        assert c.post("/screen", json={"policy": "uflpa"}).status_code == 200
        yield c


def _finding(verdict: dict[str, object]) -> dict[str, object]:
    reasons = verdict["reasons"]
    assert isinstance(reasons, list)
    found = [r["evidence"] for r in reasons if r["code"] == "mass_balance_shortfall"]
    assert len(found) == 1
    evidence: dict[str, object] = found[0]
    return evidence


def _reads(client: TestClient, headers: dict[str, str], case: str) -> dict[str, str]:
    """Every read of the shipment's verdict, case and dossier, as text."""
    urls = [
        f"/shipments/{OWN}/verdict",
        f"/shipments/{OWN}",
        f"/shipments/{OWN}/trace",
        f"/shipments/{OWN}/dossier",
        f"/cases/{case}",
        f"/ui/shipments/{OWN}",
        f"/ui/shipments/{OWN}.json",
        f"/ui/cases/{case}",
        f"/ui/cases/{case}.json",
    ]
    out = {}
    for url in urls:
        r = client.get(url, headers=headers)
        assert r.status_code == 200, (url, r.text)
        out[url] = r.text
    return out


def test_an_importer_never_reads_another_importers_shipment_ids(
    shared: TestClient, store: Store
) -> None:
    officer = shared.get(f"/shipments/{OWN}/verdict").json()
    stored = _finding(officer)
    assert stored["transactions"] == [OWN, OTHER]  # the officer sees the finding as stored
    nw = bearer(shared, "northwind")
    mine = shared.get(f"/shipments/{OWN}/verdict", headers=nw).json()
    redacted = _finding(mine)
    assert redacted["transactions"] == [OWN, FOREIGN_SHIPMENT]
    # The totals stay: the manufacturer's output is what the finding is about.
    assert {k: v for k, v in redacted.items() if k != "transactions"} == {
        k: v for k, v in stored.items() if k != "transactions"
    }
    case = mine["case"]
    assert case is not None
    for url, text in _reads(shared, nw, case).items():
        assert OTHER not in text, url
    seen = _reads(shared, {}, case)  # the officer's
    for url in (f"/shipments/{OWN}/verdict", f"/cases/{case}", f"/ui/cases/{case}.json"):
        assert OTHER in seen[url], url
    # The case answer carries the same redacted reasons as the verdict.
    in_case = shared.get(f"/cases/{case}", headers=nw).json()
    assert _finding(in_case)["transactions"] == [OWN, FOREIGN_SHIPMENT]
    # Southern Cross reads its own shipment and not Northwind's.
    sc = shared.get(f"/shipments/{OTHER}/verdict", headers=bearer(shared, "southern")).json()
    assert _finding(sc)["transactions"] == [FOREIGN_SHIPMENT, OTHER]
    # Redacted on read only: the stored screening (hashed in the audit chain) is as written.
    with store.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT verdict, trace FROM screenings WHERE shipment_id = :s"), {"s": OWN}
        ).all()
    assert rows and all(OTHER in json.dumps(json.loads(v)) + t for v, t in rows)
    assert shared.get("/audit/verify").json()["ok"] is True


def test_under_the_wall_the_hidden_shipment_is_redacted_too(
    shared: TestClient, store: Store, db_url: str, tmp_path: Path
) -> None:
    """On PostgreSQL with row-level security binding the app's role, the importer's
    connection cannot see the other tenant's shipment at all: the id it cannot place
    is redacted all the same."""
    from flscreen.api import create_app

    from .test_tenant_wall import _app_login_url, _postgresql_only

    _postgresql_only(db_url)
    app = create_app(_app_login_url(store, db_url), documents_dir=tmp_path / "walled-docs")
    with TestClient(app, base_url="https://testserver", headers=bearer(shared, "northwind")) as c:
        verdict = c.get(f"/shipments/{OWN}/verdict").json()
        assert _finding(verdict)["transactions"] == [OWN, FOREIGN_SHIPMENT]
        case = verdict["case"]
        for url in (f"/cases/{case}", f"/shipments/{OWN}/dossier", f"/ui/cases/{case}.json"):
            r = c.get(url)
            assert r.status_code == 200 and OTHER not in r.text, url
