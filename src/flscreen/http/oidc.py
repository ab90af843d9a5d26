"""OpenID Connect sign-in for people: the authorization code flow with PKCE (S256).

authlib's OAuth2 client builds the authorization request (state, nonce, PKCE
challenge) and redeems the code at the token endpoint with the client secret and
the PKCE verifier; joserfc (authlib's JOSE library) checks the ID token: signed
by a key of the provider's JWKS with an asymmetric algorithm (``alg: none`` and
HMAC are refused), issued by the configured issuer for this client, unexpired,
carrying this sign-in's nonce. The claim named by ``claim`` (``email`` unless
configured) then picks the flscreen user whose ``oidc`` value it equals; that
user's role and tenant apply, and the sign-in ends in the same session cookie as
a local password.

What must survive the trip to the provider (state, nonce, PKCE verifier, the page
to return to) rides in a short-lived ``__Host-`` cookie of its own: the callback
is refused unless its ``state`` equals the one this browser was sent off with.

Signing out of such a session ends the provider's session too (OpenID Connect
RP-Initiated Logout 1.0): the browser is sent to the provider's
``end_session_endpoint`` with the sign-in's ID token as ``id_token_hint`` and a
registered ``post_logout_redirect_uri`` to come back to.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

from flscreen.identity.roles import Unauthenticated
from flscreen.settings import OidcConfig

PENDING_COOKIE = "__Host-flscreen-oidc"
PENDING_SECONDS = 600
"""How long a browser may spend at the provider before the callback is refused."""
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384", "EdDSA"]
"""Signatures accepted on an ID token: asymmetric only, so no ``none`` and no HMAC with
the client secret as key."""
LEEWAY_SECONDS = 60


@dataclass(frozen=True, slots=True)
class Pending:
    """A sign-in sent off to the provider, kept in the browser's pending cookie."""

    state: str
    nonce: str
    verifier: str
    next: str
    redirect_uri: str
    at: float

    def encode(self) -> str:
        fields = [self.state, self.nonce, self.verifier, self.next, self.redirect_uri, self.at]
        return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None, now: float) -> Pending:
        if not text:
            raise Unauthenticated(
                "this sign-in was not started here (or the browser dropped its cookie): "
                "start again from the sign-in page"
            )
        try:
            state, nonce, verifier, target, redirect_uri, at = json.loads(
                base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            )
            pending = cls(
                str(state), str(nonce), str(verifier), str(target), str(redirect_uri), float(at)
            )
        except (ValueError, TypeError) as exc:
            raise Unauthenticated("unreadable sign-in cookie: start again") from exc
        if now - pending.at > PENDING_SECONDS:
            raise Unauthenticated(
                f"the sign-in took longer than {PENDING_SECONDS // 60} minutes: start again"
            )
        return pending


@dataclass(frozen=True, slots=True)
class SignedIn:
    """A finished sign-in: the person's claims and the ID token they came in."""

    claims: dict[str, Any]
    id_token: str


@dataclass
class OidcClient:
    """Talks to one provider; its discovery document and keys are fetched once and kept
    (the keys are fetched again when an ID token names a key id they lack)."""

    config: OidcConfig
    clock: Any = time.time
    _metadata: dict[str, Any] | None = None
    _keys: KeySet | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # --- the provider's documents ------------------------------------------------------

    def _get_json(
        self, url: str, what: str, session: OAuth2Session | None = None
    ) -> dict[str, Any]:
        """The JSON object at ``url`` (through ``session`` when it needs the access token)."""
        try:
            answer = (session or requests).get(url, timeout=self.config.timeout)
            answer.raise_for_status()
            found = answer.json()
        except (requests.RequestException, ValueError) as exc:
            raise Unauthenticated(
                f"the OpenID provider's {what} could not be read from {url}: {exc}"
            ) from exc
        if not isinstance(found, dict):
            raise Unauthenticated(f"the OpenID provider's {what} at {url} is not a JSON object")
        return found

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                issuer = self.config.issuer.rstrip("/")
                found = self._get_json(
                    f"{issuer}/.well-known/openid-configuration", "discovery document"
                )
                if str(found.get("issuer", "")).rstrip("/") != issuer:
                    raise Unauthenticated(
                        f"the OpenID provider calls itself {found.get('issuer')!r}, not the "
                        f"configured issuer {self.config.issuer!r}"
                    )
                missing = [
                    k
                    for k in ("authorization_endpoint", "token_endpoint", "jwks_uri")
                    if not found.get(k)
                ]
                if missing:
                    raise Unauthenticated(
                        f"the OpenID provider's discovery document lacks {', '.join(missing)}"
                    )
                self._metadata = found
            return self._metadata

    def keys(self, refresh: bool = False) -> KeySet:
        uri = str(self.metadata()["jwks_uri"])
        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(self._get_json(uri, "keys (JWKS)"))  # type: ignore[arg-type]
            return self._keys

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            self.config.client_id,
            self.config.client_secret,
            scope=self.config.scope,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
        )

    # --- the flow ----------------------------------------------------------------------

    def begin(self, redirect_uri: str, target: str) -> tuple[str, Pending]:
        """(the provider's authorization URL to send the browser to, what to remember)."""
        pending = Pending(
            state=generate_token(32),
            nonce=generate_token(32),
            verifier=generate_token(64),
            next=target,
            redirect_uri=redirect_uri,
            at=self.clock(),
        )
        with self._session(redirect_uri) as session:
            url, _state = session.create_authorization_url(
                self.metadata()["authorization_endpoint"],
                state=pending.state,
                code_verifier=pending.verifier,
                nonce=pending.nonce,
            )
        return str(url), pending

    def finish(self, pending: Pending, params: dict[str, str]) -> SignedIn:
        """The signed-in person's claims (ID token, then userinfo for what it lacks) and
        the ID token, from the callback's query ``params``; :class:`Unauthenticated`
        saying what failed."""
        if "error" in params:
            reason = params.get("error_description") or params["error"]
            raise Unauthenticated(f"the OpenID provider refused the sign-in: {reason}")
        if not hmac.compare_digest(params.get("state", ""), pending.state):
            raise Unauthenticated(
                "the sign-in answer does not belong to this browser's sign-in (state "
                "mismatch): start again"
            )
        metadata = self.metadata()
        # RFC 9207: a provider that says who answered must be the one we asked.
        if "iss" in params and params["iss"].rstrip("/") != self.config.issuer.rstrip("/"):
            raise Unauthenticated(
                f"the sign-in answer comes from {params['iss']!r}, not {self.config.issuer!r}"
            )
        code = params.get("code")
        if not code:
            raise Unauthenticated("the sign-in answer carries no authorization code")
        with self._session(pending.redirect_uri) as session:
            try:
                token = session.fetch_token(
                    metadata["token_endpoint"],
                    code=code,
                    code_verifier=pending.verifier,
                    timeout=self.config.timeout,
                )
            except Exception as exc:  # authlib raises its own OAuthError or requests' errors
                raise Unauthenticated(
                    f"the OpenID provider did not exchange the code: {exc}"
                ) from exc
            id_token = token.get("id_token")
            if not isinstance(id_token, str):
                raise Unauthenticated("the OpenID provider answered without an ID token")
            claims = self.verify_id_token(id_token, pending.nonce)
            if self.config.claim not in claims and metadata.get("userinfo_endpoint"):
                found = self._get_json(str(metadata["userinfo_endpoint"]), "userinfo", session)
                claims = {**found, **claims}
        return SignedIn(claims, id_token)

    def form_origins(self) -> list[str]:
        """The provider's origins a page's sign-out form is redirected to (the issuer's,
        and its end-session endpoint's once discovery was read), for the pages'
        ``form-action``."""
        found = [_origin(self.config.issuer)]
        endpoint = (self._metadata or {}).get("end_session_endpoint")
        if isinstance(endpoint, str) and _origin(endpoint) not in found:
            found.append(_origin(endpoint))
        return [o for o in found if o]

    def end_session_url(self, id_token: str, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to end its session at the provider (RP-Initiated
        Logout 1.0), or None when the provider names no ``end_session_endpoint`` in its
        discovery document or cannot be reached (signing out here must not wait on it)."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except Unauthenticated:
            return None
        if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
            return None
        query = urlencode(
            {
                "id_token_hint": id_token,
                "post_logout_redirect_uri": post_logout_redirect_uri,
                "client_id": self.config.client_id,
            }
        )
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        """The ID token's claims once signature, issuer, audience, expiry and nonce hold."""
        try:
            decoded = self._decode(id_token)
        except JoseError as exc:
            raise Unauthenticated(f"the ID token is not valid: {_why(exc)}") from exc
        except ValueError as exc:  # not a JWS at all
            raise Unauthenticated(f"the ID token is not valid: {exc}") from exc
        registry = jwt.JWTClaimsRegistry(
            now=int(self.clock()),
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": self.config.issuer.rstrip("/")},
            aud={"essential": True, "value": self.config.client_id},
            sub={"essential": True},
            exp={"essential": True},
            iat={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        claims = dict(decoded.claims)
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise Unauthenticated(f"the ID token is not valid: {_why(exc)}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.config.client_id:
            raise Unauthenticated("the ID token was issued to another client (azp)")
        return claims

    def _decode(self, id_token: str) -> jwt.Token:
        try:
            return jwt.decode(id_token, self.keys(), algorithms=ID_TOKEN_ALGORITHMS)
        except InvalidKeyIdError:
            # A key id we do not hold: the provider may have rotated its keys since.
            return jwt.decode(id_token, self.keys(refresh=True), algorithms=ID_TOKEN_ALGORITHMS)


def _origin(url: str) -> str:
    """``scheme://host[:port]`` of an http(s) URL, "" for anything else (a CSP source
    must not carry a path, a quote or a space)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not re.fullmatch(r"[\w.:\[\]-]+", parts.netloc):
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def _why(exc: JoseError) -> str:
    """joserfc's description, or its error code in words (``bad_signature``: "bad
    signature")."""
    return exc.description or str(exc.error).replace("_", " ")
