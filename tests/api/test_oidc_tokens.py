"""The ID token checks on their own (no provider process): forged, expired, replayed
into another client or sign-in, and ``alg: none`` tokens are refused with the reason;
a token signed by a key the provider rotated in is accepted after one refetch."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from flscreen.http.oidc import OidcClient, Pending
from flscreen.identity.roles import Unauthenticated
from flscreen.settings import OidcConfig, load_oidc

ISSUER = "https://id.customs.example"
NOW = 1_796_000_000
NONCE = "n-0S6_WzA2Mj"


def provider_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "alg": "RS256", "use": "sig"})


SIGNING = provider_key("k1")
ROTATED = provider_key("k2")
ATTACKER = provider_key("k1")  # same key id, another key


def client(published: list[RSAKey]) -> tuple[OidcClient, list[str]]:
    """A client whose provider publishes ``published``; the list records JWKS fetches."""
    config = OidcConfig(ISSUER, "flscreen", "client-secret-of-sixteen+")
    oidc = OidcClient(config, clock=lambda: NOW)
    fetched: list[str] = []
    oidc._metadata = {
        "issuer": ISSUER,
        "authorization_endpoint": f"{ISSUER}/auth",
        "token_endpoint": f"{ISSUER}/token",
        "jwks_uri": f"{ISSUER}/jwks",
    }

    def get_json(url: str, what: str) -> dict[str, Any]:
        fetched.append(url)
        return KeySet(list(published)).as_dict(private=False)

    oidc._get_json = get_json  # type: ignore[method-assign]
    return oidc, fetched


def claims(**changes: Any) -> dict[str, Any]:
    base = {
        "iss": ISSUER,
        "aud": "flscreen",
        "sub": "li",
        "email": "officer.li@customs.example",
        "iat": NOW - 10,
        "exp": NOW + 300,
        "nonce": NONCE,
    }
    base.update(changes)
    return {k: v for k, v in base.items() if v is not None}


def signed(key: Any, alg: str = "RS256", **changes: Any) -> str:
    header = {"alg": alg, "kid": key.kid} if key.kid else {"alg": alg}
    return jwt.encode(header, claims(**changes), key, algorithms=[alg])


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def test_a_good_id_token_gives_its_claims() -> None:
    oidc, _ = client([SIGNING])
    found = oidc.verify_id_token(signed(SIGNING), NONCE)
    assert found["email"] == "officer.li@customs.example" and found["sub"] == "li"


BAD = [
    # (what, how the token is made, words the refusal must contain)
    ("expired", lambda: signed(SIGNING, exp=NOW - 120), "expired"),
    ("another client's", lambda: signed(SIGNING, aud="someone-else"), "aud"),
    ("another sign-in's nonce (replay)", lambda: signed(SIGNING, nonce="other"), "nonce"),
    ("no nonce", lambda: signed(SIGNING, nonce=None), "nonce"),
    ("another issuer's", lambda: signed(SIGNING, iss="https://evil.example"), "iss"),
    ("signed by another key under the same kid", lambda: signed(ATTACKER), "signature"),
    (
        "HMAC with the client secret as key",
        lambda: signed(OctKey.import_key("client-secret-of-sixteen+"), alg="HS256"),
        "HS256",
    ),
    (
        "alg none",
        lambda: f"{b64({'alg': 'none'})}.{b64(claims())}.",
        "none",
    ),
    ("not a JWT", lambda: "fls_abc_def", "not valid"),
]


@pytest.mark.parametrize(("what", "make", "reason"), BAD, ids=[b[0] for b in BAD])
def test_bad_id_tokens_are_refused_with_the_reason(what: str, make: Any, reason: str) -> None:
    oidc, _ = client([SIGNING])
    with pytest.raises(Unauthenticated, match="ID token is not valid") as refused:
        oidc.verify_id_token(make(), NONCE)
    assert reason.lower() in str(refused.value).lower(), (what, str(refused.value))


def test_a_rotated_key_is_fetched_once() -> None:
    published = [SIGNING]
    oidc, fetched = client(published)
    oidc.verify_id_token(signed(SIGNING), NONCE)
    assert len(fetched) == 1
    published.append(ROTATED)  # the provider rotates: tokens now name k2
    oidc.verify_id_token(signed(ROTATED), NONCE)
    assert len(fetched) == 2
    oidc.verify_id_token(signed(ROTATED), NONCE)
    assert len(fetched) == 2  # kept, not fetched per sign-in


def test_pending_sign_in_cookie_expires_and_is_checked() -> None:
    pending = Pending("s", "n", "v" * 64, "/ui/cases", "https://x/cb", at=NOW)
    assert Pending.decode(pending.encode(), NOW + 60) == pending
    with pytest.raises(Unauthenticated, match="longer than 10 minutes"):
        Pending.decode(pending.encode(), NOW + 601)
    with pytest.raises(Unauthenticated, match="unreadable"):
        Pending.decode("not-base64-json", NOW)
    with pytest.raises(Unauthenticated, match="not started here"):
        Pending.decode(None, NOW)


def test_half_an_oidc_configuration_names_what_is_missing() -> None:
    assert load_oidc({}) is None
    with pytest.raises(Exception, match="FLSCREEN_OIDC_CLIENT_SECRET") as problem:
        load_oidc({"FLSCREEN_OIDC_ISSUER": ISSUER, "FLSCREEN_OIDC_CLIENT_ID": "flscreen"})
    assert "FLSCREEN_OIDC_CLIENT_ID" not in str(problem.value)
    full = load_oidc(
        {
            "FLSCREEN_OIDC_ISSUER": ISSUER,
            "FLSCREEN_OIDC_CLIENT_ID": "flscreen",
            "FLSCREEN_OIDC_CLIENT_SECRET": "s",
            "FLSCREEN_OIDC_CLAIM": "preferred_username",
        }
    )
    assert full is not None and full.claim == "preferred_username" and full.redirect_uri is None
