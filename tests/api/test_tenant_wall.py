"""The tenant wall under the supply records (identity_0004): on PostgreSQL an importer's
transactions cannot read or write another tenant's shipments, nor its company record,
even when the application's own checks are bypassed; the app built on that wall (one
supply graph per tenant, the import's refusal of another tenant's shipment id) still
answers as the query layer does. Officers, analysts and auditors see every row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from flscreen.api import create_app
from flscreen.identity.scope import Scope, set_row_scope
from flscreen.store import Store

from .seed import SAMPLE_SUPPLY, bearer, screened_client
from .test_auth import NORTHWIND, SOUTHERN, app_role, check_every_object_route

NW = Scope("northwind", frozenset({"IMP-NW"}))


@pytest.fixture
def screened(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with screened_client(store, db_url, tmp_path) as c:
        yield c


def _postgresql_only(db_url: str) -> None:
    if not db_url.startswith("postgresql"):
        pytest.skip("row-level security is PostgreSQL's (SQLite: the query layer only)")


def _package(
    shipments: list[list[str]] | None = None, drop_parties: frozenset[str] = frozenset()
) -> list[tuple[str, tuple[str, bytes]]]:
    """The sample package's files as an upload, with ``shipments`` (rows in the file's
    columns) instead of its own and without the parties in ``drop_parties``."""
    files = []
    for path in sorted(SAMPLE_SUPPLY.glob("*.csv")):
        rows = list(csv.reader(io.StringIO(path.read_text("utf-8"))))
        if path.name == "shipments.csv" and shipments is not None:
            rows = [rows[0], *shipments]
        if path.name == "parties.csv":
            rows = [r for r in rows if r[0] not in drop_parties]
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(rows)
        files.append(("file", (path.name, out.getvalue().encode())))
    return files


def _sample_shipment(shipment_id: str) -> list[str]:
    rows = csv.reader(io.StringIO((SAMPLE_SUPPLY / "shipments.csv").read_text("utf-8")))
    return next(r for r in rows if r[0] == shipment_id)


def _as(shipment_id: str, row: list[str], importer: str = "IMP-NW") -> list[str]:
    return [shipment_id, importer, *row[2:]]


def _stored(store: Store, sql: str) -> list[tuple[object, ...]]:
    with store.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_another_tenants_shipments_are_walled_off_without_the_apps_checks(
    screened: TestClient, db_url: str
) -> None:
    """Plain SQL as the app's (ordinary) role, nothing filtered by the application: an
    importer's transaction sees only its tenant's shipments and its own company among
    the parties, changes none of another tenant's, and cannot write a shipment naming
    another importer nor take over another tenant's shipment id."""
    _postgresql_only(db_url)
    store = screened.app.state.flscreen.store  # type: ignore[attr-defined]
    as_app = app_role(store)
    shipments = "SELECT shipment_id FROM supply_shipments"
    parties = "SELECT party_id FROM supply_parties"
    with store.connect() as conn:
        conn.execute(as_app)
        every_shipment = {r[0] for r in conn.execute(sa.text(shipments))}
        every_party = {r[0] for r in conn.execute(sa.text(parties))}
    assert every_shipment == NORTHWIND | SOUTHERN  # officers, analysts, auditors: all
    assert {"IMP-NW", "IMP-SC", "MY-PENANG-SOLAR"} <= every_party
    before = _stored(store, "SELECT * FROM supply_shipments ORDER BY shipment_id")
    set_row_scope(NW)
    try:
        with store.connect() as conn:
            conn.execute(as_app)
            seen = {r[0] for r in conn.execute(sa.text(shipments))}
            seen_parties = {r[0] for r in conn.execute(sa.text(parties))}
            counted = conn.execute(
                sa.text("SELECT count(*) FROM supply_shipments WHERE importer_id = 'IMP-SC'")
            ).scalar_one()
        assert seen == NORTHWIND and counted == 0
        # Its own company and the shared suppliers (Southern Cross's included); not
        # Southern Cross itself.
        assert seen_parties == every_party - {"IMP-SC"}
        with store.begin() as conn:
            conn.execute(as_app)
            changed = conn.execute(
                sa.text("UPDATE supply_shipments SET quantity = 1 WHERE shipment_id = 'S-2001'")
            ).rowcount
            removed = conn.execute(
                sa.text("DELETE FROM supply_shipments WHERE importer_id = 'IMP-SC'")
            ).rowcount
            renamed = conn.execute(
                sa.text("UPDATE supply_parties SET name = 'x' WHERE party_id = 'IMP-SC'")
            ).rowcount
        assert (changed, removed, renamed) == (0, 0, 0)
        columns = (
            "shipment_id, importer_id, exporter_id, manufacturer_id, product, hs_code, "
            "quantity, unit, date, documents, import_id"
        )
        refused = [
            # a shipment naming another importer: the policy's check
            (
                "row-level security",
                f"INSERT INTO supply_shipments ({columns}) VALUES ('S-9', 'IMP-SC', 'X', 'X', "
                "'x', '1', 1, 'pcs', '2026-01-01', '[]', 1)",
            ),
            # its own shipment handed to another importer: the check again
            (
                "row-level security",
                "UPDATE supply_shipments SET importer_id = 'IMP-SC' WHERE shipment_id = 'S-1001'",
            ),
            # another tenant's shipment id, under its own importer: the key holds
            (
                "supply_shipments_pkey",
                f"INSERT INTO supply_shipments ({columns}) VALUES ('S-2001', 'IMP-NW', 'X', "
                "'X', 'x', '1', 1, 'pcs', '2026-01-01', '[]', 1)",
            ),
            # another tenant's company record, restated: the policy's check
            (
                "row-level security",
                "INSERT INTO supply_parties (party_id, name, aliases, import_id) "
                "VALUES ('IMP-SC', 'Northwind now', '[]', 1)",
            ),
        ]
        for reason, statement in refused:
            with pytest.raises(sa.exc.DBAPIError, match=reason), store.begin() as conn:
                conn.execute(as_app)
                conn.execute(sa.text(statement))
    finally:
        set_row_scope(Scope.everything())
    assert _stored(store, "SELECT * FROM supply_shipments ORDER BY shipment_id") == before
    assert _stored(store, "SELECT name FROM supply_parties WHERE party_id = 'IMP-SC'") == [
        ("Southern Cross Solar Pty Ltd",)
    ]


def _app_login_url(store: Store, db_url: str) -> str:
    """The database URL as the ordinary role the app should connect as (row-level
    security binds it), allowed to log in."""
    app_role(store)
    with store.begin() as conn:
        conn.execute(sa.text("ALTER ROLE fl_app LOGIN"))
    return str(sa.engine.make_url(db_url).set(username="fl_app").render_as_string(False))


@pytest.fixture
def walled(screened: TestClient, db_url: str, store: Store, tmp_path: Path) -> Iterator[TestClient]:
    """An officer's client of a second app over the screened store, connected as the
    ordinary role: every request of it runs under row-level security."""
    _postgresql_only(db_url)
    app = create_app(_app_login_url(store, db_url), documents_dir=tmp_path / "walled-docs")
    tokens = screened.tokens  # type: ignore[attr-defined]
    with TestClient(
        app, base_url="https://testserver", headers={"Authorization": f"Bearer {tokens['officer']}"}
    ) as c:
        c.tokens = tokens  # type: ignore[attr-defined]
        yield c


def test_serve_can_tell_whether_the_wall_binds_its_role(walled: TestClient, store: Store) -> None:
    """`flscreen serve` warns when its role ignores row-level security: the tests'
    server user is a superuser; the app's ordinary role is bound."""
    from flscreen.store.row_security import bypassed_by

    with store.connect() as conn:
        assert "is a superuser" in str(bypassed_by(conn))
    with walled.app.state.flscreen.store.connect() as conn:  # type: ignore[attr-defined]
        assert bypassed_by(conn) is None


def test_the_supply_graph_is_kept_per_tenant_under_the_wall(walled: TestClient) -> None:
    """An importer's request builds its graph from its tenant's rows; that graph never
    serves an officer, nor the officers' graph the importer (whichever comes first)."""
    nw = bearer(walled, "northwind")
    state = walled.app.state.flscreen  # type: ignore[attr-defined]
    listed = walled.get("/shipments", headers=nw).json()
    assert {s["shipment"] for s in listed["shipments"]} == NORTHWIND
    assert sum(listed["by_verdict"].values()) == len(NORTHWIND)
    everyone = walled.get("/shipments").json()  # the officer, after the importer
    assert {s["shipment"] for s in everyone["shipments"]} == NORTHWIND | SOUTHERN
    assert walled.get("/shipments/S-2001").status_code == 200
    again = walled.get("/shipments", headers=nw).json()
    assert {s["shipment"] for s in again["shipments"]} == NORTHWIND
    assert state.graphs.builds == 2  # one per row scope, each reused
    # The graph an importer's transaction reads holds its own shipments only, whatever
    # the view on top of it forgets to filter.
    set_row_scope(NW)
    try:
        graph = state.graphs.get(state.store)
    finally:
        set_row_scope(Scope.everything())
    assert set(graph.shipments) == NORTHWIND and "IMP-SC" not in graph.parties
    assert set(state.graphs.get(state.store).shipments) == NORTHWIND | SOUTHERN
    for tail in ("", "/trace", "/verdict"):
        r = walled.get(f"/shipments/S-2001{tail}", headers=nw)
        assert r.status_code == 404 and "Southern Cross" not in r.text, tail
        assert walled.get(f"/shipments/S-1001{tail}", headers=nw).is_success, tail
    refusals = walled.get(
        "/audit/log", params={"kind": "auth.refused"}, headers=bearer(walled, "auditor")
    ).json()["records"]
    assert refusals[0]["payload"]["reason"].startswith("shipment S-2001 is not visible")


def test_screening_reads_the_officers_graph_never_a_tenants(walled: TestClient) -> None:
    """Screening takes its graph from the cache by the row scope of its own request: an
    importer's graph built first never serves the officer's screening (it would screen
    the tenant's shipments only), nor the officers' graph the importer afterwards."""
    nw = bearer(walled, "northwind")
    state = walled.app.state.flscreen  # type: ignore[attr-defined]
    listed = walled.get("/shipments", headers=nw).json()
    assert {s["shipment"] for s in listed["shipments"]} == NORTHWIND
    screened = walled.post("/screen", json={"policy": "uflpa"})
    assert screened.status_code == 200, screened.text
    assert {r["shipment"] for r in screened.json()["results"]} == NORTHWIND | SOUTHERN
    assert state.graphs.builds == 2  # the importer's, then the officers'
    assert walled.post("/screen", json={"policy": "uflpa"}, headers=nw).status_code == 403
    again = walled.get("/shipments", headers=nw).json()
    assert {s["shipment"] for s in again["shipments"]} == NORTHWIND
    assert state.graphs.builds == 2


def test_every_object_route_answers_the_same_under_the_wall(
    walled: TestClient, store: Store
) -> None:
    """The route-table walk of test_auth, with every request under row-level security:
    the importer's own objects still answer (nothing the wall hides was needed for
    them), another tenant's are 404 and logged as refusals."""
    check_every_object_route(walled, store)


def test_an_import_reusing_another_tenants_shipment_id_is_refused_under_the_wall(
    walled: TestClient, store: Store
) -> None:
    """The import cannot see Southern Cross's S-2001 to refuse it, and its delete of the
    old row misses it; the primary key stops the insert, and the answer is the same 403
    the query layer gives, with nothing written. Its own new shipment imports."""
    nw = bearer(walled, "northwind")
    imports = "SELECT count(*) FROM supply_imports"
    before = _stored(store, imports)
    mine = [_sample_shipment(s) for s in sorted(NORTHWIND)]
    taken = _as("S-2001", _sample_shipment("S-1001"))
    r = walled.post(
        "/shipments/import",
        files=_package([*mine, taken], drop_parties=frozenset({"IMP-SC"})),
        headers=nw,
    )
    assert r.status_code == 403, r.text
    assert "may only import its own shipments" in r.json()["message"]
    assert "S-2001 (id not available)" in r.json()["message"]
    assert _stored(store, imports) == before
    owner = "SELECT importer_id, product FROM supply_shipments WHERE shipment_id = 'S-2001'"
    assert _stored(store, owner) == [("IMP-SC", "solar module")]
    refused = walled.get(
        "/audit/log", params={"kind": "auth.refused"}, headers=bearer(walled, "auditor")
    ).json()["records"]
    assert refused[0]["payload"]["status"] == 403
    # Writes of its own rows pass the policy's check.
    new = _as("S-1999", _sample_shipment("S-1001"))
    r = walled.post(
        "/shipments/import",
        files=_package([*mine, new], drop_parties=frozenset({"IMP-SC"})),
        headers=nw,
    )
    assert r.status_code == 200, r.text
    listed = walled.get("/shipments", headers=nw).json()
    assert {s["shipment"] for s in listed["shipments"]} == NORTHWIND | {"S-1999"}


def test_an_importer_cannot_restate_another_tenants_company(
    screened: TestClient, store: Store
) -> None:
    """A package of Northwind's own shipments that carries Southern Cross's party record
    (its company's name and address) would replace it: refused whole, on both databases
    (the query layer; on PostgreSQL the policy on supply_parties stands behind it)."""
    nw = bearer(screened, "northwind")
    mine = [_sample_shipment(s) for s in sorted(NORTHWIND)]
    r = screened.post("/shipments/import", files=_package(mine), headers=nw)
    assert r.status_code == 403, r.text
    assert "party IMP-SC (another tenant's)" in r.json()["message"]
    assert _stored(store, "SELECT count(*) FROM supply_imports") == [(1,)]
    # Without it the same package is Northwind's to send.
    r = screened.post("/shipments/import", files=_package(mine, frozenset({"IMP-SC"})), headers=nw)
    assert r.status_code == 200, r.text
