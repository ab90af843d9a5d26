"""FLSCREEN_* environment variables turned into typed values.

Only adapters (CLI, API) read settings; the core takes values as arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


def default_home() -> Path:
    """Where flscreen keeps its SQLite store and documents unless told otherwise."""
    return Path(os.environ.get("FLSCREEN_HOME", Path.home() / ".flscreen"))


@dataclass(frozen=True, slots=True)
class Settings:
    home: Path
    db_url: str

    @property
    def documents_dir(self) -> Path:
        return self.home / "documents"

    @property
    def index_dir(self) -> Path:
        """Saved matching indexes, one folder per set of list versions."""
        return self.home / "index"


def load_settings() -> Settings:
    """Read the environment: FLSCREEN_HOME (folder) and FLSCREEN_DB_URL (SQLAlchemy URL)."""
    home = default_home()
    db_url = os.environ.get("FLSCREEN_DB_URL") or f"sqlite:///{home / 'flscreen.db'}"
    return Settings(home=home, db_url=db_url)


@dataclass(frozen=True, slots=True)
class OidcConfig:
    """One OpenID Connect provider people sign in through (see docs/security.md)."""

    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str | None = None
    """The callback URL registered at the provider; None: this server's
    ``/auth/oidc/callback`` as the request reached it."""
    claim: str = "email"
    """The ID token or userinfo claim whose value names the flscreen user (``users add
    --oidc VALUE``)."""
    post_logout_redirect_uri: str | None = None
    """Where the provider sends the browser after signing out there, registered at the
    provider; None: this server's ``/auth/oidc/signed-out`` as the request reached it."""
    label: str = "single sign-on"
    """What the sign-in page's link calls the provider."""
    scope: str = "openid email profile"
    timeout: float = 10.0


OIDC_REQUIRED = ("FLSCREEN_OIDC_ISSUER", "FLSCREEN_OIDC_CLIENT_ID", "FLSCREEN_OIDC_CLIENT_SECRET")


def load_oidc(env: dict[str, str] | None = None) -> OidcConfig | None:
    """The OpenID provider from FLSCREEN_OIDC_ISSUER, _CLIENT_ID, _CLIENT_SECRET and the
    optional _REDIRECT_URI, _POST_LOGOUT_REDIRECT_URI, _CLAIM (default email) and _LABEL;
    None when no issuer is set.
    Half a configuration is an error naming what is missing."""
    from flscreen.errors import InvalidInput, Problem

    env = dict(os.environ) if env is None else env
    if not env.get("FLSCREEN_OIDC_ISSUER"):
        return None
    missing = [name for name in OIDC_REQUIRED if not env.get(name)]
    if missing:
        raise InvalidInput(
            [Problem("environment", "needed for OpenID Connect sign-in", field=m) for m in missing]
        )
    return OidcConfig(
        issuer=env["FLSCREEN_OIDC_ISSUER"],
        client_id=env["FLSCREEN_OIDC_CLIENT_ID"],
        client_secret=env["FLSCREEN_OIDC_CLIENT_SECRET"],
        redirect_uri=env.get("FLSCREEN_OIDC_REDIRECT_URI") or None,
        post_logout_redirect_uri=env.get("FLSCREEN_OIDC_POST_LOGOUT_REDIRECT_URI") or None,
        claim=env.get("FLSCREEN_OIDC_CLAIM") or "email",
        label=env.get("FLSCREEN_OIDC_LABEL") or "single sign-on",
    )
