"""OpenID Connect sign-in against a real provider (oidc-provider under Node, started on
127.0.0.1 by tests/oidc/provider.py): the whole authorization code flow with PKCE over
HTTP, the provider's own login and consent forms, and what must be refused (a person
no flscreen user is mapped to, an unverified e-mail, a replayed code, a foreign state,
a disabled user), each with an audit record of the refusal."""

from __future__ import annotations

import base64
import html
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from flscreen.api import create_app
from flscreen.identity import store as identity_store
from flscreen.settings import OidcConfig
from flscreen.store import Store, open_store
from tests.oidc.provider import (
    CLIENT_ID,
    CLIENT_SECRET,
    running_provider,
    sign_in_at_provider,
    sign_out_at_provider,
    visit_provider,
)

from .seed import SETUP, seed_identities, seed_supply

CALLBACK = "https://testserver/auth/oidc/callback"
SIGNED_OUT = "https://testserver/auth/oidc/signed-out"
SESSION = "__Host-flscreen-session"
PENDING = "__Host-flscreen-oidc"


@pytest.fixture(scope="module")
def issuer() -> Iterator[str]:
    with running_provider([CALLBACK], post_logout_redirect_uris=[SIGNED_OUT]) as found:
        yield found


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SQLite only: what is checked here is the protocol, not the backend (the sessions
    it ends in are the password sign-in's, tested on both). Seeded once, copied per test
    (argon2 hashes of every seeded user cost seconds)."""
    path = tmp_path_factory.mktemp("oidc") / "seeded.db"
    s = open_store(f"sqlite:///{path}")
    seed_supply(s)
    seed_identities(s)
    with s.begin() as conn:
        # People sign in at the provider under their e-mail; flscreen maps it to a user.
        for username, role, tenant, email in (
            ("li.sso", "officer", None, "officer.li@customs.example"),
            ("nw.sso", "importer", "northwind", "buyer@northwind.example"),
            ("ko.sso", "auditor", None, "auditor.ko@customs.example"),
        ):
            identity_store.add_user(conn, username, role, SETUP, tenant=tenant, oidc=email)
    s.dispose()
    return path


@pytest.fixture
def store(seeded: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "flscreen.db"
    shutil.copy(seeded, path)
    s = open_store(f"sqlite:///{path}")
    yield s
    s.dispose()


@pytest.fixture
def app_client(store: Store, issuer: str, tmp_path: Path) -> Iterator[TestClient]:
    app = create_app(
        str(store.engine.url),
        documents_dir=tmp_path / "documents",
        oidc=OidcConfig(issuer, CLIENT_ID, CLIENT_SECRET, label="Customs SSO"),
    )
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
        yield c


def start(client: TestClient, target: str = "/ui/cases") -> str:
    """Begin signing in at flscreen: the provider's authorization URL it sends us to."""
    r = client.get("/auth/oidc/login", params={"next": target})
    assert r.status_code == 303, r.text
    assert PENDING in r.headers["set-cookie"] and "httponly" in r.headers["set-cookie"].lower()
    return str(r.headers["location"])


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == CALLBACK, url
    return f"{parts.path}?{parts.query}"


def audit_kinds(store: Store, kind: str) -> list[dict[str, object]]:
    with store.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT actor, payload FROM audit_log WHERE kind = :k ORDER BY seq"),
            {"k": kind},
        ).all()
    return [{"actor": a, **json.loads(p)} for a, p in rows]


def test_sign_in_through_the_provider_with_pkce(app_client: TestClient, store: Store) -> None:
    page = app_client.get("/ui/login")
    assert 'href="/auth/oidc/login?next=' in page.text and "Customs SSO" in page.text
    authorize = start(app_client)
    query = dict(parse_qsl(urlsplit(authorize).query))
    assert query["response_type"] == "code" and query["code_challenge_method"] == "S256"
    assert len(query["code_challenge"]) == 43 and query["nonce"] and query["state"]
    assert "code_verifier" not in query  # the verifier never leaves the server's side
    back = sign_in_at_provider(authorize, "li")
    r = app_client.get(callback_path(back))
    assert r.status_code == 303 and r.headers["location"] == "/ui/cases", r.text
    assert SESSION in r.headers["set-cookie"]
    me = app_client.get("/auth/me").json()
    assert (me["user"], me["role"], me["tenant"]) == ("li.sso", "officer", None)
    logins = audit_kinds(store, "identity.login")
    assert logins[-1]["user"] == "li.sso" and logins[-1]["via"] == "oidc"
    # The session works for pages and API alike, like a password sign-in's.
    assert app_client.get("/ui/cases").status_code == 200
    assert app_client.get("/shipments").status_code == 200
    # Signing out revokes it on the server: the old cookie, replayed, is refused.
    old = str(app_client.cookies.get(SESSION))
    out = app_client.post("/auth/logout", headers={"x-csrf-token": me["csrf_token"]})
    assert out.status_code == 200
    replay = TestClient(app_client.app, base_url="https://testserver")
    replay.cookies.set(SESSION, old)
    r = replay.get("/shipments")
    assert r.status_code == 401 and "signed out" in r.json()["message"]


def test_importer_signed_in_by_provider_sees_only_its_tenant(app_client: TestClient) -> None:
    back = sign_in_at_provider(start(app_client, "/ui/shipments"), "nw")
    assert app_client.get(callback_path(back)).status_code == 303
    me = app_client.get("/auth/me").json()
    assert (me["user"], me["role"], me["tenant"]) == ("nw.sso", "importer", "northwind")
    shipments = {s["shipment"] for s in app_client.get("/shipments").json()["shipments"]}
    assert shipments and all(s.startswith("S-1") for s in shipments), shipments
    assert app_client.get("/shipments/S-2001").status_code == 404  # Southern Cross's


def test_unmapped_and_unverified_people_are_refused(app_client: TestClient, store: Store) -> None:
    refusals = len(audit_kinds(store, "auth.refused"))
    back = sign_in_at_provider(start(app_client), "stranger")
    r = app_client.get(callback_path(back))
    assert r.status_code == 401
    assert "no flscreen user is mapped to email" in r.text and "--oidc" in r.text
    assert SESSION not in r.headers.get("set-cookie", "")
    assert app_client.get("/auth/me").status_code == 401
    back = sign_in_at_provider(start(app_client), "unverified")
    r = app_client.get(callback_path(back))
    assert r.status_code == 401 and "not verified the e-mail" in r.text
    refused = audit_kinds(store, "auth.refused")
    assert len(refused) == refusals + 3  # two callbacks, and the /auth/me without a session
    assert "stranger@elsewhere.example" in str(refused[refusals]["reason"])


def test_replayed_code_and_foreign_state_are_refused(app_client: TestClient) -> None:
    authorize = start(app_client)
    pending = app_client.cookies.get(PENDING)
    back = callback_path(sign_in_at_provider(authorize, "li"))
    # Another browser's answer (or a forged link) carries a state this one never sent.
    forged = back.replace("state=", "state=x")
    r = app_client.get(forged)
    assert r.status_code == 401 and "state mismatch" in r.text
    assert app_client.cookies.get(PENDING) is None  # the refused sign-in is over
    # The genuine answer, with the pending cookie restored, still works once...
    app_client.cookies.set(PENDING, str(pending))
    assert app_client.get(back).status_code == 303
    # ...and never twice: without its cookie, and with it the provider refuses the code.
    signed_in = app_client.cookies.get(SESSION)
    fresh = TestClient(app_client.app, base_url="https://testserver", follow_redirects=False)
    r = fresh.get(back)
    assert r.status_code == 401 and "not started here" in r.text
    fresh.cookies.set(PENDING, str(pending))
    r = fresh.get(back)
    assert r.status_code == 401 and "did not exchange the code" in r.text
    assert fresh.cookies.get(SESSION) is None and signed_in


def test_disabled_user_session_ends_and_cannot_sign_in_again(
    app_client: TestClient, store: Store
) -> None:
    back = sign_in_at_provider(start(app_client), "li")
    assert app_client.get(callback_path(back)).status_code == 303
    assert app_client.get("/auth/me").json()["user"] == "li.sso"
    with store.begin() as conn:
        identity_store.disable_user(conn, "li.sso", SETUP)
    r = app_client.get("/auth/me")
    assert r.status_code == 401 and "signed out" in r.json()["message"]
    back = sign_in_at_provider(start(app_client), "li")
    r = app_client.get(callback_path(back))
    assert r.status_code == 401 and "'li.sso' is disabled" in html.unescape(r.text)


def test_provider_not_configured_or_unreachable(store: Store, tmp_path: Path) -> None:
    plain = create_app(str(store.engine.url), documents_dir=tmp_path / "d")
    with TestClient(plain, base_url="https://testserver", follow_redirects=False) as c:
        assert "/auth/oidc/login" not in c.get("/ui/login").text
        r = c.get("/auth/oidc/login")
        assert r.status_code == 401 and "no OpenID provider is configured" in r.text
    gone = OidcConfig("http://127.0.0.1:9", CLIENT_ID, CLIENT_SECRET, timeout=2)  # no one there
    down = create_app(str(store.engine.url), documents_dir=tmp_path / "d", oidc=gone)
    with TestClient(down, base_url="https://testserver", follow_redirects=False) as c:
        r = c.get("/auth/oidc/login")
        assert r.status_code == 401 and "discovery document could not be read" in r.text


def test_an_expired_id_token_from_the_provider_is_refused(
    app_client: TestClient, store: Store
) -> None:
    """The provider's ID tokens live an hour (provider.mjs); read two hours later (the
    client's clock moved on) the same sign-in is refused as expired."""
    client = app_client.app.state.flscreen.oidc  # type: ignore[attr-defined]
    client.clock = lambda: time.time() + 2 * 3600
    back = sign_in_at_provider(start(app_client), "li")
    r = app_client.get(callback_path(back))
    assert r.status_code == 401 and "ID token is not valid: The token is expired" in r.text
    assert app_client.get("/auth/me").status_code == 401
    assert "expired" in str(audit_kinds(store, "auth.refused")[-2]["reason"])


def _claims(jwt: str) -> dict[str, object]:
    body = jwt.split(".")[1]
    found: dict[str, object] = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    return found


def test_signing_out_ends_the_providers_session_too(app_client: TestClient, store: Store) -> None:
    """RP-initiated logout: signing out of a session that came from the provider ends it
    here, then sends the browser to the provider's end_session_endpoint (from its
    discovery document) with the sign-in's ID token as id_token_hint and the registered
    post_logout_redirect_uri; once the person confirms there, the provider's session is
    over (signing in again asks for the login) and the browser is back on our page."""
    with httpx.Client(follow_redirects=False, timeout=30) as at_provider:
        back = sign_in_at_provider(start(app_client), "li", at_provider)
        assert app_client.get(callback_path(back)).status_code == 303
        # While the provider's session lasts, signing in again there asks for nothing.
        silent = visit_provider(at_provider, start(app_client))
        assert silent.is_redirect and silent.headers["location"].startswith(CALLBACK)
        assert app_client.get(callback_path(silent.headers["location"])).status_code == 303
        old = str(app_client.cookies.get(SESSION))
        csrf = app_client.get("/auth/me").json()["csrf_token"]
        # The pages let their sign-out form be redirected to the provider (browsers
        # hold a form's redirects to the page's form-action), and nowhere else.
        policy = app_client.get("/ui/cases").headers["content-security-policy"]
        provider = app_client.app.state.flscreen.oidc.config.issuer  # type: ignore[attr-defined]
        assert policy.endswith(f"form-action 'self' {provider}"), policy
        r = app_client.post("/ui/logout", data={"csrf_token": csrf})
        assert r.status_code == 303
        to = urlsplit(r.headers["location"])
        discovery = httpx.get(f"{provider}/.well-known/openid-configuration").json()
        assert f"{to.scheme}://{to.netloc}{to.path}" == discovery["end_session_endpoint"]
        query = dict(parse_qsl(to.query))
        assert query["post_logout_redirect_uri"] == SIGNED_OUT
        assert query["client_id"] == CLIENT_ID
        hint = _claims(query["id_token_hint"])
        assert (hint["sub"], hint["aud"]) == ("li", CLIENT_ID)  # the sign-in's own ID token
        # The flscreen session ended before the browser left, and its ID token with it.
        replay = TestClient(app_client.app, base_url="https://testserver")
        replay.cookies.set(SESSION, old)
        assert replay.get("/shipments").status_code == 401
        with store.connect() as conn:
            ended = sa.text("SELECT id_token FROM identity_sessions WHERE revoked_at IS NOT NULL")
            assert list(conn.execute(ended).scalars()) == [None]
        # At the provider: confirm, and come back to the page registered for it.
        landed = sign_out_at_provider(at_provider, r.headers["location"])
        assert landed == SIGNED_OUT
        page = app_client.get(urlsplit(landed).path)
        assert page.status_code == 200
        assert "signed out of flscreen and of Customs SSO" in page.text
        # The provider's session is over: signing in again shows its login form.
        again = visit_provider(at_provider, start(app_client))
        assert again.status_code == 200 and 'name="login"' in again.text, again.headers


def test_signing_out_falls_back_to_our_page_without_an_end_session_endpoint(
    store: Store, tmp_path: Path
) -> None:
    """A provider that offers no end_session_endpoint (and a password session on an app
    with a provider): signing out ends the session here and lands on the sign-in page;
    the API says there is nowhere else to go."""
    with running_provider([CALLBACK], rp_initiated_logout=False) as plain_issuer:
        app = create_app(
            str(store.engine.url),
            documents_dir=tmp_path / "documents",
            oidc=OidcConfig(plain_issuer, CLIENT_ID, CLIENT_SECRET, label="Customs SSO"),
        )
        with TestClient(app, base_url="https://testserver", follow_redirects=False) as c:
            assert "end_session_endpoint" not in app.state.flscreen.oidc.metadata()
            back = sign_in_at_provider(start(c), "li")
            assert c.get(callback_path(back)).status_code == 303
            csrf = c.get("/auth/me").json()["csrf_token"]
            r = c.post("/ui/logout", data={"csrf_token": csrf})
            assert r.status_code == 303 and r.headers["location"] == "/ui/login?next=/ui/"
            assert c.get("/auth/me").status_code == 401
            back = sign_in_at_provider(start(c), "li")
            assert c.get(callback_path(back)).status_code == 303
            csrf = c.get("/auth/me").json()["csrf_token"]
            r = c.post("/auth/logout", headers={"x-csrf-token": csrf})
            assert r.json() == {"signed_out": True, "end_session_url": None}
            # A password session is ended here only, provider or not.
            signed_in = c.post(
                "/auth/login", json={"username": "officer.li", "password": "officer.li-password"}
            )
            assert signed_in.status_code == 200
            r = c.post("/ui/logout", data={"csrf_token": signed_in.json()["csrf_token"]})
            assert r.headers["location"] == "/ui/login?next=/ui/"
