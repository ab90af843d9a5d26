"""Authorization in one place: the route table, roles, tenants, tokens, sessions, CSRF.

Every refusal is 401/403 (404 for another tenant's object), says why, is in the audit
trail as ``auth.refused``, and writes nothing else.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from flscreen.api import create_app
from flscreen.http.auth import check_routes, requires, route_permissions
from flscreen.identity import store as identity_store
from flscreen.identity.roles import Permission
from flscreen.identity.tables import api_tokens, sessions, users
from flscreen.store import Store

from .seed import SAMPLE_SUPPLY, bearer, screened_client

NORTHWIND = {"S-1001", "S-1002", "S-1003", "S-1004", "S-1005", "S-1006"}  # importer IMP-NW
SOUTHERN = {"S-2001"}  # importer IMP-SC


def _app(tmp_path: Path) -> FastAPI:
    return create_app(f"sqlite:///{tmp_path / 'routes.db'}", documents_dir=tmp_path / "docs")


def test_every_route_declares_a_permission(tmp_path: Path) -> None:
    table = route_permissions(_app(tmp_path))
    missing = [(m, p) for m, p, perm in table if perm is None]
    assert missing == [], f"routes without a declared permission: {missing}"
    assert len(table) > 40  # the walk sees the included routers, pages and mounts
    public = {p for _, p, perm in table if perm is Permission.PUBLIC}
    # Only the health check, signing in/out, the API reference and static assets are open.
    assert public <= {
        "/healthz",
        "/auth/login",
        "/auth/logout",
        "/ui/login",
        "/ui/logout",
        "/",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/ui/static",
        "/docs-static",
        "/auth/oidc/login",
        "/auth/oidc/callback",
        "/auth/oidc/signed-out",
    }, public


def test_a_route_without_a_permission_stops_the_app(tmp_path: Path) -> None:
    app = _app(tmp_path)
    check_routes(app)  # the real table passes
    extra = APIRouter()

    @extra.get("/new-thing")
    def new_thing() -> dict[str, str]:
        return {}

    app.include_router(extra)
    with pytest.raises(RuntimeError, match="GET /new-thing"):
        check_routes(app)
    declared = APIRouter()
    declared.add_api_route(
        "/declared", new_thing, dependencies=[requires(Permission.SHIPMENTS_READ)]
    )
    app2 = _app(tmp_path)
    app2.include_router(declared)
    check_routes(app2)


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "X-1", path)


def _refusals(store: Store) -> int:
    with store.connect() as conn:
        return int(
            conn.execute(
                sa.text("SELECT count(*) FROM audit_log WHERE kind = 'auth.refused'")
            ).scalar_one()
        )


def _count(store: Store) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.text("SELECT count(*) FROM audit_log")).scalar_one())


@pytest.fixture
def screened(store: Store, db_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with screened_client(store, db_url, tmp_path) as c:
        yield c


def test_without_credentials_every_route_is_401_and_writes_nothing(
    screened: TestClient, store: Store
) -> None:
    anon = TestClient(screened.app, base_url="https://testserver")
    before, refused = _count(store), _refusals(store)
    checked = 0
    for methods, path, perm in route_permissions(screened.app):  # type: ignore[arg-type]
        if perm in (Permission.PUBLIC, None):
            continue
        for method in methods.split(","):
            url = _concrete(path)
            r = anon.request(method, url, follow_redirects=False)
            page = url.startswith("/ui/") and not url.endswith(".json")
            if page and method == "GET":
                assert r.status_code == 303 and "/ui/login" in r.headers["location"], url
            elif page:
                assert r.status_code == 401 and "Sign in first" in r.text, url
            else:
                assert r.status_code == 401, (method, url, r.status_code, r.text)
                assert "sign in" in r.json()["message"]
            checked += 1
    assert checked > 40
    # One refusal record per request, and nothing else was written.
    assert _refusals(store) - refused == checked
    assert _count(store) - before == checked


def _case_of(c: TestClient, shipment: str) -> str:
    return str(c.get(f"/shipments/{shipment}/verdict").json()["case"])


def test_importer_sees_only_its_tenant_and_gets_404_for_others(
    screened: TestClient, store: Store
) -> None:
    nw = bearer(screened, "northwind")
    listed = screened.get("/shipments", headers=nw).json()
    assert {s["shipment"] for s in listed["shipments"]} == NORTHWIND
    assert sum(listed["by_verdict"].values()) == len(NORTHWIND)
    # A tenant id in the query string changes nothing: the scope comes from the identity.
    tampered = screened.get(
        "/shipments", params={"tenant": "southern-cross", "importer": "IMP-SC"}, headers=nw
    )
    # (unknown query parameters are refused outright, naming them)
    assert tampered.status_code == 422 and "unknown parameter 'tenant'" in tampered.text
    assert "S-2001" not in tampered.text
    cases = screened.get("/cases", headers=nw).json()["cases"]
    assert {c["shipment"] for c in cases} <= NORTHWIND and cases
    page = screened.get("/ui/shipments", headers=nw).text
    assert "S-1001" in page and "S-2001" not in page and "Southern Cross" not in page

    check_every_object_route(screened, store)


def check_every_object_route(client: TestClient, store: Store) -> None:
    """Every object-returning route with a shipment or case in its path: Northwind's
    importer gets its own (200) and a 404 for Southern Cross's, which an officer reads;
    each 404 is logged as a refusal."""
    screened = client
    nw = bearer(screened, "northwind")
    own_case, other_case = _case_of(screened, "S-1001"), _case_of(screened, "S-2001")
    routes = [
        (m, p, perm)
        for m, p, perm in route_permissions(screened.app)  # type: ignore[arg-type]
        if "GET" in m.split(",")
        and ("{shipment_id}" in p or "{case_id}" in p)
        and "{document_id}" not in p  # documents: test_importer_reads_only_its_own_documents
    ]
    assert len(routes) >= 8
    # A new route naming any other object must say here how to reach one of each tenant's
    # (or that its objects belong to no tenant), so it cannot skip this test.
    params = {
        q
        for m, p, perm in route_permissions(screened.app)  # type: ignore[arg-type]
        if "GET" in m.split(",") and perm is not None and perm.value != "public"
        for q in re.findall(r"\{([^}]+)\}", p)
    }
    not_tenant_objects = {"name", "dataset", "entity_id"}  # lists and list entries
    covered = {"shipment_id", "case_id", "document_id"}  # documents: the test below
    assert params - not_tenant_objects <= covered, (
        "routes with new object ids: add them to this cross-tenant test",
        params - not_tenant_objects - covered,
    )
    refused = _refusals(store)
    for _, path, _perm in routes:
        mine = path.replace("{shipment_id}", "S-1001").replace("{case_id}", own_case)
        theirs = path.replace("{shipment_id}", "S-2001").replace("{case_id}", other_case)
        ok = screened.get(mine, headers=nw)
        other = screened.get(theirs, headers=nw)
        assert ok.status_code == 200, (mine, ok.text)
        assert other.status_code == 404, (theirs, other.status_code)
        assert "S-2001" not in other.text or "no shipment" in other.text or "never" in other.text
        assert "Southern Cross" not in other.text and "Hoshine" not in other.text
        # The same object for an officer: the 404 was the tenant wall, not a missing object.
        assert screened.get(theirs).status_code == 200, theirs
    assert _refusals(store) - refused == len(routes)
    log = screened.get(
        "/audit/log", params={"kind": "auth.refused"}, headers=bearer(screened, "auditor")
    ).json()["records"]
    assert "another tenant" in log[0]["payload"]["reason"]
    assert log[0]["actor"] == "imp.northwind@northwind"


def test_importer_reads_only_its_own_documents(screened: TestClient) -> None:
    nw = bearer(screened, "northwind")
    ids = {}
    for shipment in ("S-1001", "S-2001"):
        case = _case_of(screened, shipment)
        r = screened.post(
            f"/cases/{case}/documents",
            data={"kind": "invoice"},
            files=[("file", (f"{shipment}.pdf", b"%PDF-1.4 " + shipment.encode()))],
        )
        assert r.status_code == 201, r.text
        ids[shipment] = (case, r.json()["attached"][0]["id"])
    own_case, own = ids["S-1001"]
    other_case, other = ids["S-2001"]
    assert screened.get(f"/documents/{own}", headers=nw).content == b"%PDF-1.4 S-1001"
    assert screened.get(f"/cases/{own_case}/documents/{own}", headers=nw).status_code == 200
    for path in (f"/documents/{other}", f"/cases/{other_case}/documents/{other}"):
        refused = screened.get(path, headers=nw)
        assert refused.status_code == 404 and "S-2001" not in refused.text, path
        assert screened.get(path).status_code == 200  # the officer sees it: a tenant wall
    log = screened.get(
        "/audit/log", params={"kind": "document.read"}, headers=bearer(screened, "auditor")
    ).json()["records"]
    assert log and log[-1]["payload"]["document"] == own  # downloads are audited


def test_importer_cannot_attach_to_or_import_for_another_tenant(
    screened: TestClient, store: Store
) -> None:
    nw = bearer(screened, "northwind")
    other_case = _case_of(screened, "S-2001")
    before = _count(store)
    r = screened.post(
        f"/cases/{other_case}/documents",
        data={"kind": "invoice", "statement": "ours now"},
        files=[("file", ("x.txt", b"forged"))],
        headers=nw,
    )
    assert r.status_code == 404
    assert _count(store) == before + 1  # the refusal only
    assert screened.get(f"/cases/{other_case}").json()["rebuttals"] == []
    # A package naming the other importer on a shipment is refused whole.
    files = [("file", (p.name, p.read_bytes())) for p in sorted(SAMPLE_SUPPLY.glob("*.csv"))]
    r = screened.post("/shipments/import", files=files, headers=nw)
    assert r.status_code == 403 and "S-2001" in r.json()["message"]
    with store.connect() as conn:
        imports = conn.execute(sa.text("SELECT count(*) FROM supply_imports")).scalar_one()
    assert imports == 1  # only the seed's
    # Its own case: the rebuttal is recorded as supplied by the signed-in importer.
    own_case = _case_of(screened, "S-1001")
    r = screened.post(
        f"/cases/{own_case}/documents",
        data={"kind": "invoice", "statement": "Lint is US.", "supplied_by": "someone else"},
        files=[("file", ("inv.txt", b"invoice 7"))],
        headers=nw,
    )
    assert r.status_code == 201, r.text
    assert r.json()["attached"][0]["supplied_by"] == "imp.northwind@northwind"


@pytest.mark.parametrize(
    ("who", "method", "url", "body"),
    [
        ("analyst", "POST", "/cases/{case}/transition", {"to": "released", "reason": "fine"}),
        ("auditor", "POST", "/screen", {"policy": "uflpa"}),
        ("auditor", "POST", "/cases/{case}/transition", {"to": "under_review", "reason": "x"}),
        ("northwind", "POST", "/match", {"name": "Hoshine"}),
        ("northwind", "GET", "/audit/log", None),
        ("northwind", "POST", "/screen", {"policy": "uflpa"}),
        ("admin", "GET", "/shipments", None),
        ("analyst", "GET", "/audit/verify", None),
    ],
)
def test_roles_are_refused_what_they_may_not_do(
    screened: TestClient, store: Store, who: str, method: str, url: str, body: Any
) -> None:
    url = url.replace("{case}", _case_of(screened, "S-1001"))
    before = _count(store)
    r = screened.request(method, url, json=body, headers=bearer(screened, who))
    assert r.status_code == 403, r.text
    assert "may not do this" in r.json()["message"] and "permission" in r.json()["message"]
    assert _count(store) == before + 1  # the refusal, nothing else


def test_officer_decides_analyst_prepares(screened: TestClient) -> None:
    case = _case_of(screened, "S-1001")
    move = {"to": "under_review", "reason": "pulling the mill records"}
    r = screened.post(
        f"/cases/{case}/transition",
        json={**move, "actor": "mallory"},
        headers=bearer(screened, "analyst"),
    )
    assert r.status_code == 422 and "who acts is the signed-in user" in r.text
    r = screened.post(f"/cases/{case}/transition", json=move, headers=bearer(screened, "analyst"))
    assert r.status_code == 200, r.text
    assert r.json()["history"][-1]["actor"] == "analyst.wu"  # never the body's "actor"
    r = screened.post(f"/cases/{case}/transition", json={"to": "excluded", "reason": "listed"})
    assert r.status_code == 200 and r.json()["history"][-1]["actor"] == "officer.li"


def test_case_and_dossier_reads_are_audited(screened: TestClient) -> None:
    case = _case_of(screened, "S-1001")
    screened.get(f"/cases/{case}", headers=bearer(screened, "auditor"))
    screened.get("/shipments/S-1001/dossier", headers=bearer(screened, "northwind"))
    log = screened.get("/audit/log", headers=bearer(screened, "auditor")).json()["records"]
    reads = [(r["kind"], r["actor"], r["subject"]) for r in log[:3]]
    assert ("dossier.read", "imp.northwind@northwind", "S-1001") in reads
    assert ("case.read", "auditor.ko", case) in reads


def test_bad_tokens_are_401_with_the_reason(screened: TestClient, store: Store) -> None:
    good = screened.tokens["officer"]  # type: ignore[attr-defined]
    token_id = good.split("_")[1]
    cases = {
        "Bearer fls_nope": "malformed",
        f"Bearer fls_{token_id}_{'A' * 43}": "unknown or forged",
        "Basic b2ZmaWNlcjpwdw==": "Bearer",
        "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.": "malformed",  # alg none JWT
    }
    for header, reason in cases.items():
        r = screened.get("/shipments", headers={"Authorization": header})
        assert r.status_code == 401 and reason in r.json()["message"], header
        assert r.headers["www-authenticate"].startswith("Bearer")
    # Expired: moved into the past in the store.
    with store.begin() as conn:
        conn.execute(
            api_tokens.update()
            .where(api_tokens.c.token_id == token_id)
            .values(expires_at=identity_store.stamp(identity_store.now() - timedelta(seconds=1)))
        )
    r = screened.get("/shipments", headers={"Authorization": f"Bearer {good}"})
    assert r.status_code == 401 and "expired" in r.json()["message"]
    # Revoked.
    analyst = screened.tokens["analyst"]  # type: ignore[attr-defined]
    assert screened.get("/shipments", headers={"Authorization": f"Bearer {analyst}"}).is_success
    with store.begin() as conn:
        identity_store.revoke_token(conn, analyst, identity_store_setup())
    r = screened.get("/shipments", headers={"Authorization": f"Bearer {analyst}"})
    assert r.status_code == 401 and "revoked" in r.json()["message"]
    with store.connect() as conn:
        stored = conn.execute(sa.select(api_tokens.c.secret_hash)).scalars().all()
    assert analyst.split("_", 2)[2] not in " ".join(stored)  # hashed at rest


def identity_store_setup() -> Any:
    from .seed import SETUP

    return SETUP


def test_session_cookie_csrf_logout_and_throttle(screened: TestClient, store: Store) -> None:
    browser = TestClient(screened.app, base_url="https://testserver")
    r = browser.post("/auth/login", json={"username": "officer.li", "password": "wrong-one!!"})
    assert r.status_code == 401 and "wrong user name or password" in r.json()["message"]
    r = browser.post(
        "/auth/login", json={"username": "officer.li", "password": "officer.li-password"}
    )
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=lax", "Path=/"):
        assert flag.lower() in cookie.lower(), cookie
    csrf = r.json()["csrf_token"]
    assert browser.get("/auth/me").json()["user"] == "officer.li"
    case = _case_of(browser, "S-1001")
    move = {"to": "under_review", "reason": "checking"}
    before = _count(store)
    # A cookie alone cannot post: the CSRF token must come with it.
    r = browser.post(f"/cases/{case}/transition", json=move)
    assert r.status_code == 403 and "CSRF" in r.json()["message"]
    r = browser.post(
        f"/cases/{case}/transition", json=move, headers={"x-csrf-token": "forged-value"}
    )
    assert r.status_code == 403
    # A post from another site is refused whatever it carries (defect 13.4).
    r = browser.post(
        f"/cases/{case}/transition",
        json=move,
        headers={"x-csrf-token": csrf, "origin": "https://evil.example"},
    )
    assert r.status_code == 403 and "cross-site" in r.json()["message"]
    r = browser.post(
        "/lists/x/import",
        files={"file": ("x.csv", b"id,name\n1,A\n")},
        headers={"origin": "https://evil.example", **bearer(screened, "admin")},
    )
    assert r.status_code == 403 and "cross-site" in r.json()["message"]
    assert _count(store) == before + 4  # four refusals, no transition
    r = browser.post(f"/cases/{case}/transition", json=move, headers={"x-csrf-token": csrf})
    assert r.status_code == 200 and r.json()["history"][-1]["actor"] == "officer.li"
    # Signing out ends the session on the server: the old cookie is refused.
    old = browser.cookies.get("__Host-flscreen-session")
    browser.post("/auth/logout", headers={"x-csrf-token": csrf})
    replay = TestClient(screened.app, base_url="https://testserver")
    replay.cookies.set("__Host-flscreen-session", str(old))
    r = replay.get("/shipments")
    assert r.status_code == 401 and "signed out" in r.json()["message"]
    # Throttled after five failures for the user name.
    for _ in range(5):
        browser.post("/auth/login", json={"username": "analyst.wu", "password": "guess-guess"})
    r = browser.post(
        "/auth/login", json={"username": "analyst.wu", "password": "analyst.wu-password"}
    )
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0


def test_expired_sessions_and_disabled_users_are_refused(client: TestClient, store: Store) -> None:
    """A session past its end, a disabled user's session and token: 401 at the next
    request, each saying why; a disabled user cannot sign in again."""
    browser = TestClient(client.app, base_url="https://testserver")
    signed_in = browser.post(
        "/auth/login", json={"username": "analyst.wu", "password": "analyst.wu-password"}
    )
    assert signed_in.status_code == 200 and browser.get("/auth/me").status_code == 200
    past = identity_store.stamp(identity_store.now() - timedelta(seconds=1))
    with store.begin() as conn:
        conn.execute(sessions.update().values(expires_at=past))
    r = browser.get("/auth/me")
    assert r.status_code == 401 and "session expired" in r.json()["message"]
    # Disabled by an admin: sessions end at once, the user's tokens stop.
    officer = TestClient(client.app, base_url="https://testserver")
    assert officer.post(
        "/auth/login", json={"username": "officer.li", "password": "officer.li-password"}
    ).is_success
    assert officer.get("/shipments").status_code == 200
    assert client.get("/shipments").status_code == 200  # the officer's API token
    with store.begin() as conn:
        identity_store.disable_user(conn, "officer.li", identity_store_setup())
    assert officer.get("/shipments").status_code == 401
    r = client.get("/shipments")
    assert r.status_code == 401 and "'officer.li' is disabled" in r.json()["message"]
    r = officer.post(
        "/auth/login", json={"username": "officer.li", "password": "officer.li-password"}
    )
    assert r.status_code == 401 and "disabled" in r.json()["message"]
    # Disabled by a direct edit of the users table (no sessions revoked): still refused,
    # because every request reads the user's state.
    auditor = TestClient(client.app, base_url="https://testserver")
    assert auditor.post(
        "/auth/login", json={"username": "auditor.ko", "password": "auditor.ko-password"}
    ).is_success
    with store.begin() as conn:
        conn.execute(users.update().where(users.c.username == "auditor.ko").values(disabled=True))
    r = auditor.get("/auth/me")
    assert r.status_code == 401 and "'auditor.ko' is disabled" in r.json()["message"]


def test_session_of_one_tenant_cannot_read_another(screened: TestClient) -> None:
    browser = TestClient(screened.app, base_url="https://testserver")
    r = browser.post(
        "/auth/login", json={"username": "imp.southern", "password": "imp.southern-password"}
    )
    assert r.status_code == 200
    assert browser.get("/shipments/S-2001").status_code == 200
    assert browser.get("/shipments/S-1001").status_code == 404
    assert {s["shipment"] for s in browser.get("/shipments").json()["shipments"]} == SOUTHERN


def app_role(store: Store) -> sa.TextClause:
    """The statement that makes a transaction run as an ordinary role: superusers bypass
    row-level security, so the app must connect as one (docs/security.md), and the test
    server's user is a superuser."""
    with store.begin() as conn:
        conn.execute(
            sa.text(
                "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'fl_app') "
                "THEN CREATE ROLE fl_app NOSUPERUSER NOBYPASSRLS; END IF; END $$"
            )
        )
        conn.execute(
            sa.text("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO fl_app")
        )
        conn.execute(sa.text("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO fl_app"))
    return sa.text("SET LOCAL ROLE fl_app")


def test_postgresql_row_security_is_a_second_wall(screened: TestClient, db_url: str) -> None:
    """A query that forgot the tenant filter still sees and changes only the tenant's rows
    on PostgreSQL (identity_0002); SQLite relies on the query layer alone."""
    from flscreen.identity.scope import Scope, set_row_scope

    if not db_url.startswith("postgresql"):
        pytest.skip("row-level security is PostgreSQL's (SQLite: the query layer only)")
    store = screened.app.state.flscreen.store  # type: ignore[attr-defined]
    everything = "SELECT c.shipment_id FROM cases c"
    as_app = app_role(store)
    with store.connect() as conn:
        conn.execute(as_app)
        all_cases = {r[0] for r in conn.execute(sa.text(everything))}
    assert all_cases >= SOUTHERN and all_cases & NORTHWIND
    set_row_scope(Scope("northwind", frozenset({"IMP-NW"})))
    try:
        with store.connect() as conn:
            conn.execute(as_app)
            seen = {r[0] for r in conn.execute(sa.text(everything))}
            events = conn.execute(
                sa.text(
                    "SELECT count(*) FROM case_events e JOIN cases c ON c.id = e.case_pk "
                    "WHERE c.shipment_id = 'S-2001'"
                )
            ).scalar_one()
        assert seen == all_cases & NORTHWIND and events == 0
        with store.begin() as conn:
            conn.execute(as_app)
            changed = conn.execute(
                sa.text("UPDATE cases SET state = 'released' WHERE shipment_id = 'S-2001'")
            ).rowcount
        assert changed == 0
        # Writing a row under another tenant's case is refused by the policy's check.
        set_row_scope(Scope.everything())
        with store.connect() as conn:
            other = conn.execute(
                sa.text("SELECT id FROM cases WHERE shipment_id = 'S-2001'")
            ).scalar_one()
        set_row_scope(Scope("northwind", frozenset({"IMP-NW"})))
        insert = sa.text(
            "INSERT INTO evidence_documents (sha256, kind, filename, size, supplied_by, "
            "case_pk, added_at, audit_seq, audit_hash) VALUES ('x', 'invoice', 'x', 1, "
            "'x', :pk, 'now', 1, 'x')"
        )
        with (
            pytest.raises(sa.exc.ProgrammingError, match="row-level security"),
            store.begin() as conn,
        ):
            conn.execute(as_app)
            conn.execute(insert, {"pk": other})
    finally:
        set_row_scope(Scope.everything())
    with store.connect() as conn:
        conn.execute(as_app)
        assert {r[0] for r in conn.execute(sa.text(everything))} == all_cases
        state = conn.execute(
            sa.text("SELECT state FROM cases WHERE shipment_id = 'S-2001'")
        ).scalar_one()
    assert state != "released"


def test_row_security_covers_screenings_and_findings_per_transaction(
    screened: TestClient, db_url: str
) -> None:
    """identity_0003: another tenant's screenings (its verdict evidence) and the findings
    on its cases are invisible to an importer's transactions even without a filter; the
    tenant is set per transaction (SET LOCAL), so the next transaction on the same
    pooled connection carries only its own request's scope."""
    from flscreen.identity.scope import Scope, set_row_scope

    if not db_url.startswith("postgresql"):
        pytest.skip("row-level security is PostgreSQL's (SQLite: the query layer only)")
    store = screened.app.state.flscreen.store  # type: ignore[attr-defined]
    as_app = app_role(store)
    with store.begin() as conn:  # a finding on Southern Cross's case, as an officer's
        conn.execute(
            sa.text(
                "INSERT INTO case_findings (case_pk, kind, statement, document_ids, "
                "clear_and_convincing, actor, at, audit_seq, audit_hash) SELECT id, "
                "'applicability', 'mill records reviewed', '[]', false, 'officer.li', "
                "'2026-12-03T10:00:00Z', 1, 'x' FROM cases WHERE shipment_id = 'S-2001'"
            )
        )
    screenings = "SELECT DISTINCT shipment_id FROM screenings"
    findings = "SELECT count(*) FROM case_findings"
    with store.connect() as conn:
        conn.execute(as_app)
        all_screened = {row[0] for row in conn.execute(sa.text(screenings))}
        all_findings = conn.execute(sa.text(findings)).scalar_one()
    assert all_screened >= SOUTHERN and all_screened & NORTHWIND
    assert all_findings >= 1
    set_row_scope(Scope("northwind", frozenset({"IMP-NW"})))
    try:
        with store.connect() as conn:
            conn.execute(as_app)
            seen = {row[0] for row in conn.execute(sa.text(screenings))}
            seen_findings = conn.execute(sa.text(findings)).scalar_one()
            tenant_then = conn.execute(
                sa.text("SELECT current_setting('flscreen.parties', true)")
            ).scalar_one()
            conn.commit()
            # The same connection, a new transaction, after the scope changed.
            set_row_scope(Scope.everything())
            conn.execute(as_app)
            tenant_now = conn.execute(
                sa.text("SELECT current_setting('flscreen.parties', true)")
            ).scalar_one()
            again = {row[0] for row in conn.execute(sa.text(screenings))}
    finally:
        set_row_scope(Scope.everything())
    assert seen == all_screened & NORTHWIND and not seen & SOUTHERN
    assert seen_findings == 0
    assert (tenant_then, tenant_now) == ("IMP-NW", "")
    assert again == all_screened
    # The importer's own pages still show its verdicts under the wall.
    verdict = screened.get("/shipments/S-1001/verdict", headers=bearer(screened, "northwind"))
    assert verdict.status_code == 200, verdict.text
    refused = screened.get("/shipments/S-2001/verdict", headers=bearer(screened, "northwind"))
    assert refused.status_code == 404
