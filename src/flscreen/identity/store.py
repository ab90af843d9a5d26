"""Users, tenants, API tokens and sessions in the store.

Passwords are argon2id hashes (argon2-cffi); tokens and session ids are random
256-bit secrets of which only the sha256 is kept, so a copy of the database
gives no usable credential. Every change is logged in the audit trail with the
acting principal. Functions take a connection inside the caller's transaction.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.engine import Connection

from flscreen import audit
from flscreen.errors import InvalidInput, NotFound, Problem

from .roles import ROLE_PERMISSIONS, TENANT_ROLES, Principal, Role, Unauthenticated, parse_role
from .tables import api_tokens, sessions, tenant_parties, tenants, users

_HASHER = PasswordHasher()


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the user is unknown, so a wrong name costs as long as a
    wrong password.

    Made on first use, not at import: hashing costs ~0.3 s, which every CLI command
    (``flscreen match`` of one name included) would otherwise pay at start-up."""
    return _HASHER.hash("not a password anyone has")


_NAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,127}$")
_TENANT = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
TOKEN_PREFIX = "fls_"
MIN_PASSWORD = 10


def now() -> datetime:
    return datetime.now(UTC)


def stamp(when: datetime) -> str:
    return when.isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_stamp(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    role: Role
    tenant: str | None
    display_name: str | None
    os_user: str | None
    disabled: bool
    created_at: str
    has_password: bool
    oidc: str | None = None
    """The value of the OpenID provider's mapping claim (e.g. an e-mail) that signs in as
    this user."""

    def principal(self, via: str) -> Principal:
        return Principal(self.username, self.role, self.tenant, via=via, user_id=self.id)

    def to_dict(self) -> dict[str, object]:
        return {
            "username": self.username,
            "role": self.role.value,
            "tenant": self.tenant,
            "display_name": self.display_name,
            "os_user": self.os_user,
            "oidc": self.oidc,
            "disabled": self.disabled,
            "created_at": self.created_at,
            "password": self.has_password,
        }


def _user(row: Any) -> User:
    m = row._mapping
    return User(
        id=int(m["id"]),
        username=str(m["username"]),
        role=Role(m["role"]),
        tenant=m["tenant"],
        display_name=m["display_name"],
        os_user=m["os_user"],
        disabled=bool(m["disabled"]),
        created_at=str(m["created_at"]),
        has_password=m["password_hash"] is not None,
        oidc=m["oidc_subject"],
    )


# --- tenants -------------------------------------------------------------------------


def add_tenant(
    conn: Connection, tenant: str, name: str, parties: list[str], actor: Principal
) -> None:
    """A tenant (one importing company) and the importer party ids it speaks for: its
    shipments are those whose importer is one of them."""
    problems = []
    if not _TENANT.match(tenant):
        problems.append(Problem("", "lower-case letters, digits and '-' only", field="tenant"))
    if not name.strip():
        problems.append(Problem("", "missing required value", field="name"))
    if not parties:
        problems.append(
            Problem(
                "", "name at least one importer party id (shipments.importer_id)", field="party"
            )
        )
    if conn.execute(sa.select(tenants.c.tenant).where(tenants.c.tenant == tenant)).first():
        problems.append(Problem("", f"tenant {tenant!r} exists already", field="tenant"))
    taken = conn.execute(
        sa.select(tenant_parties.c.party_id, tenant_parties.c.tenant).where(
            tenant_parties.c.party_id.in_(parties)
        )
    ).all()
    for party, owner in taken:
        problems.append(Problem("", f"party {party!r} belongs to tenant {owner!r}", field="party"))
    if problems:
        raise InvalidInput(problems)
    conn.execute(tenants.insert().values(tenant=tenant, name=name.strip(), created_at=stamp(now())))
    conn.execute(tenant_parties.insert(), [{"party_id": p, "tenant": tenant} for p in parties])
    audit.append(
        conn,
        "identity.tenant",
        {"tenant": tenant, "name": name.strip(), "parties": sorted(parties)},
        actor.label(),
        subject=f"tenant:{tenant}",
    )


def tenant_party_ids(conn: Connection, tenant: str) -> frozenset[str]:
    rows = conn.execute(
        sa.select(tenant_parties.c.party_id).where(tenant_parties.c.tenant == tenant)
    )
    return frozenset(r.party_id for r in rows)


def list_tenants(conn: Connection) -> list[dict[str, object]]:
    out = []
    for t in conn.execute(sa.select(tenants).order_by(tenants.c.tenant)).mappings():
        out.append(
            {
                "tenant": t["tenant"],
                "name": t["name"],
                "parties": sorted(tenant_party_ids(conn, t["tenant"])),
            }
        )
    return out


# --- users ---------------------------------------------------------------------------


def add_user(
    conn: Connection,
    username: str,
    role: str,
    actor: Principal,
    *,
    tenant: str | None = None,
    password: str | None = None,
    os_user: str | None = None,
    display_name: str | None = None,
    oidc: str | None = None,
) -> User:
    """Create a user; every problem is listed at once. Importers need a tenant, other
    roles must not have one (they see every tenant by their role)."""
    problems = []
    username = username.strip().lower()
    if not _NAME.match(username):
        problems.append(
            Problem("", "lower-case letters, digits and . _ @ - only", field="username")
        )
    try:
        parsed = parse_role(role)
    except InvalidInput as exc:
        problems.extend(Problem("", p.message, field="role") for p in exc.problems)
        parsed = None
    if parsed in TENANT_ROLES and not tenant:
        problems.append(Problem("", "an importer belongs to a tenant", field="tenant"))
    if parsed is not None and parsed not in TENANT_ROLES and tenant:
        problems.append(Problem("", f"a {parsed.value} has no tenant", field="tenant"))
    if tenant and not conn.execute(sa.select(tenants).where(tenants.c.tenant == tenant)).first():
        problems.append(Problem("", f"no tenant {tenant!r}", field="tenant"))
    if password is not None and len(password) < MIN_PASSWORD:
        problems.append(Problem("", f"at least {MIN_PASSWORD} characters", field="password"))
    if conn.execute(sa.select(users.c.id).where(users.c.username == username)).first():
        problems.append(Problem("", f"user {username!r} exists already", field="username"))
    if os_user and conn.execute(sa.select(users.c.id).where(users.c.os_user == os_user)).first():
        problems.append(Problem("", f"OS user {os_user!r} is mapped already", field="os_user"))
    if oidc is not None and not oidc.strip():
        problems.append(Problem("", "empty OpenID claim value", field="oidc"))
    elif oidc and conn.execute(sa.select(users.c.id).where(users.c.oidc_subject == oidc)).first():
        problems.append(Problem("", f"OpenID identity {oidc!r} is mapped already", field="oidc"))
    if problems or parsed is None:
        raise InvalidInput(problems)
    result = conn.execute(
        users.insert().values(
            username=username,
            display_name=display_name,
            role=parsed.value,
            tenant=tenant,
            password_hash=_HASHER.hash(password) if password else None,
            os_user=os_user,
            oidc_subject=oidc.strip() if oidc else None,
            disabled=False,
            created_at=stamp(now()),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    audit.append(
        conn,
        "identity.user",
        {
            "action": "add",
            "username": username,
            "role": parsed.value,
            "tenant": tenant,
            **({"oidc": oidc.strip()} if oidc else {}),
        },
        actor.label(),
        subject=f"user:{username}",
    )
    return get_user(conn, username)


def get_user(conn: Connection, username: str) -> User:
    row = conn.execute(sa.select(users).where(users.c.username == username.strip().lower())).first()
    if row is None:
        raise NotFound(f"no user {username!r} (see `flscreen users list`)")
    return _user(row)


def find_user_by_os(conn: Connection, os_user: str) -> User | None:
    row = conn.execute(sa.select(users).where(users.c.os_user == os_user)).first()
    return _user(row) if row else None


def find_user_by_oidc(conn: Connection, claim: str, value: object) -> User:
    """The user an OpenID sign-in stands for: the one whose ``oidc`` value equals the
    provider's ``claim``. :class:`Unauthenticated` when none is (nobody is created on
    the fly: an admin decides each person's role and tenant) or the user is disabled."""
    if not isinstance(value, str) or not value.strip():
        raise Unauthenticated(
            f"the OpenID provider sent no {claim!r} claim, which names the flscreen user"
        )
    row = conn.execute(sa.select(users).where(users.c.oidc_subject == value.strip())).first()
    if row is None:
        raise Unauthenticated(
            f"no flscreen user is mapped to {claim} {value!r}: an admin adds one with "
            f"`flscreen users add NAME --role ROLE --oidc {value}`"
        )
    user = _user(row)
    if user.disabled:
        raise Unauthenticated(f"user {user.username!r} is disabled")
    return user


def list_users(conn: Connection) -> list[User]:
    return [_user(r) for r in conn.execute(sa.select(users).order_by(users.c.username))]


def any_users(conn: Connection) -> bool:
    return conn.execute(sa.select(users.c.id).limit(1)).first() is not None


def disable_user(conn: Connection, username: str, actor: Principal) -> User:
    """Disable a user: its sessions and tokens stop working at once (checked per request)."""
    user = get_user(conn, username)
    conn.execute(users.update().where(users.c.id == user.id).values(disabled=True))
    conn.execute(
        sessions.update()
        .where(sessions.c.user_id == user.id, sessions.c.revoked_at.is_(None))
        .values(revoked_at=stamp(now()), id_token=None)
    )
    audit.append(
        conn,
        "identity.user",
        {"action": "disable", "username": user.username},
        actor.label(),
        subject=f"user:{user.username}",
    )
    return get_user(conn, username)


def check_password(conn: Connection, username: str, password: str) -> User | None:
    """The user when the password is right and the user enabled; None otherwise, after the
    same argon2 work either way."""
    row = conn.execute(sa.select(users).where(users.c.username == username.strip().lower())).first()
    stored = row._mapping["password_hash"] if row is not None else None
    try:
        _HASHER.verify(stored or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if row is None or stored is None:
        return None
    user = _user(row)
    return None if user.disabled else user


# --- API tokens ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenInfo:
    token_id: str
    username: str
    name: str
    role: str
    tenant: str | None
    created_at: str
    expires_at: str
    revoked_at: str | None

    def to_dict(self) -> dict[str, object]:
        return {
            "token_id": self.token_id,
            "user": self.username,
            "name": self.name,
            "role": self.role,
            "tenant": self.tenant,
            "created_at": self.created_at,
            "expires_at": self.expires_at,
            "revoked_at": self.revoked_at,
        }


def create_token(
    conn: Connection,
    username: str,
    name: str,
    actor: Principal,
    *,
    days: int = 90,
    role: str | None = None,
) -> tuple[str, TokenInfo]:
    """A new API token for ``username``: shown once (``fls_<id>_<secret>``), stored as
    sha256 of the secret. Its role is the user's or a narrower one the user could
    already act as (no token grants more than its user holds); its tenant is the user's."""
    user = get_user(conn, username)
    problems = []
    if user.disabled:
        problems.append(Problem("", f"user {user.username!r} is disabled", field="user"))
    if not 1 <= days <= 366:
        problems.append(Problem("", "between 1 and 366 days", field="days"))
    token_role = user.role if role is None else parse_role(role)
    if not ROLE_PERMISSIONS[token_role] <= ROLE_PERMISSIONS[user.role]:
        problems.append(
            Problem(
                "",
                f"a {token_role.value} token grants more than {user.username} "
                f"({user.role.value}) holds",
                field="role",
            )
        )
    if problems:
        raise InvalidInput(problems)
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    created = now()
    values = {
        "token_id": token_id,
        "secret_hash": sha256(secret),
        "user_id": user.id,
        "name": name.strip() or "token",
        "role": token_role.value,
        "tenant": user.tenant,
        "created_at": stamp(created),
        "expires_at": stamp(created + timedelta(days=days)),
        "revoked_at": None,
    }
    conn.execute(api_tokens.insert().values(**values))
    audit.append(
        conn,
        "identity.token",
        {
            "action": "create",
            "token_id": token_id,
            "user": user.username,
            "role": token_role.value,
            "tenant": user.tenant,
            "expires_at": values["expires_at"],
        },
        actor.label(),
        subject=f"user:{user.username}",
    )
    info = TokenInfo(
        token_id,
        user.username,
        str(values["name"]),
        token_role.value,
        user.tenant,
        str(values["created_at"]),
        str(values["expires_at"]),
        None,
    )
    return f"{TOKEN_PREFIX}{token_id}_{secret}", info


def list_tokens(conn: Connection, username: str | None = None) -> list[TokenInfo]:
    stmt = sa.select(api_tokens, users.c.username).join(users, users.c.id == api_tokens.c.user_id)
    if username is not None:
        stmt = stmt.where(users.c.username == username)
    return [
        TokenInfo(
            r.token_id,
            r.username,
            r.name,
            r.role,
            r.tenant,
            r.created_at,
            r.expires_at,
            r.revoked_at,
        )
        for r in conn.execute(stmt.order_by(api_tokens.c.id))
    ]


def revoke_token(conn: Connection, token_id: str, actor: Principal) -> None:
    token_id = token_id.removeprefix(TOKEN_PREFIX).split("_")[0]
    row = conn.execute(sa.select(api_tokens).where(api_tokens.c.token_id == token_id)).first()
    if row is None:
        raise NotFound(f"no token {token_id!r} (see `flscreen tokens list`)")
    conn.execute(
        api_tokens.update()
        .where(api_tokens.c.token_id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=stamp(now()))
    )
    audit.append(
        conn,
        "identity.token",
        {"action": "revoke", "token_id": token_id},
        actor.label(),
        subject=f"token:{token_id}",
    )


def principal_from_token(conn: Connection, token: str) -> Principal:
    """The principal a bearer token stands for, or :class:`Unauthenticated` saying why
    (malformed, unknown, wrong secret, revoked, expired, user disabled)."""
    parts = token.removeprefix(TOKEN_PREFIX).split("_", 1)
    if not token.startswith(TOKEN_PREFIX) or len(parts) != 2:
        raise Unauthenticated("malformed API token: expected fls_<id>_<secret>")
    token_id, secret = parts
    row = conn.execute(
        sa.select(api_tokens, users.c.username, users.c.disabled)
        .join(users, users.c.id == api_tokens.c.user_id)
        .where(api_tokens.c.token_id == token_id)
    ).first()
    if row is None or not hmac.compare_digest(row.secret_hash, sha256(secret)):
        raise Unauthenticated("unknown or forged API token")
    if row.revoked_at is not None:
        raise Unauthenticated(f"API token {token_id} was revoked at {row.revoked_at}")
    if parse_stamp(row.expires_at) <= now():
        raise Unauthenticated(f"API token {token_id} expired at {row.expires_at}")
    if row.disabled:
        raise Unauthenticated(f"user {row.username!r} is disabled")
    return Principal(row.username, Role(row.role), row.tenant, via="token", user_id=row.user_id)


# --- sessions ------------------------------------------------------------------------


def create_session(
    conn: Connection,
    user: User,
    hours: float = 8.0,
    via: str = "password",
    id_token: str | None = None,
) -> tuple[str, str]:
    """A new session for ``user``: (session secret for the cookie, CSRF token for forms).
    ``id_token`` is an OpenID sign-in's, kept to end the provider's session with it."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    created = now()
    conn.execute(
        sessions.insert().values(
            session_hash=sha256(secret),
            user_id=user.id,
            csrf_token=csrf,
            created_at=stamp(created),
            expires_at=stamp(created + timedelta(hours=hours)),
            revoked_at=None,
            via=via,
            id_token=id_token,
        )
    )
    audit.append(
        conn,
        "identity.login",
        {"user": user.username, "via": via},
        user.principal(via).label(),
        subject=f"user:{user.username}",
    )
    return secret, csrf


def principal_from_session(conn: Connection, secret: str) -> tuple[Principal, str]:
    """(principal, CSRF token) of a live session, or :class:`Unauthenticated` saying why."""
    row = conn.execute(sa.select(sessions).where(sessions.c.session_hash == sha256(secret))).first()
    if row is None:
        raise Unauthenticated("no such session: sign in again")
    if row.revoked_at is not None:
        raise Unauthenticated("this session was signed out: sign in again")
    if parse_stamp(row.expires_at) <= now():
        raise Unauthenticated("session expired: sign in again")
    found = conn.execute(sa.select(users).where(users.c.id == row.user_id)).first()
    if found is None:
        raise Unauthenticated("no such session: sign in again")
    user = _user(found)
    if user.disabled:
        raise Unauthenticated(f"user {user.username!r} is disabled")
    return user.principal("session"), str(row.csrf_token)


def revoke_session(conn: Connection, secret: str) -> str | None:
    """End the session; the ID token of the OpenID sign-in it came from (to end the
    provider's session too), None for other sessions or one already ended. The stored
    token goes with the session."""
    live = sa.and_(sessions.c.session_hash == sha256(secret), sessions.c.revoked_at.is_(None))
    id_token = conn.execute(sa.select(sessions.c.id_token).where(live)).scalar()
    conn.execute(sessions.update().where(live).values(revoked_at=stamp(now()), id_token=None))
    return str(id_token) if id_token else None
