"""Roles, permissions and the principal a request or a CLI command acts as.

Authorization lives here and nowhere else: each route declares one
:class:`Permission`, and :data:`ROLE_PERMISSIONS` says which roles hold it. A
principal is who acts (a user name, never a name typed into a request body),
with a role and, for importers, the tenant whose shipments it may see.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from flscreen.errors import FlscreenError


class Permission(StrEnum):
    """What a route or command needs. ``public`` is a declared choice, not a default."""

    PUBLIC = "public"
    """Anyone, signed in or not (health check, login, the API reference)."""
    SIGNED_IN = "signed_in"
    """Any signed-in user (who am I, sign out)."""
    LISTS_READ = "lists.read"
    LISTS_IMPORT = "lists.import"
    MATCH = "match.run"
    JUDGE = "judgements.write"
    LOCATE = "region.locate"
    POLICIES_READ = "policies.read"
    SHIPMENTS_READ = "shipments.read"
    SHIPMENTS_IMPORT = "shipments.import"
    SCREEN = "shipments.screen"
    CASES_READ = "cases.read"
    CASES_PREPARE = "cases.prepare"
    """Move a case between working states (awaiting importer, under review)."""
    CASES_DECIDE = "cases.decide"
    """Release, exclude or grant an exception: only an officer decides."""
    CASES_ASSIGN = "cases.assign"
    DOCUMENTS_ATTACH = "documents.attach"
    DOCUMENTS_READ = "documents.read"
    AUDIT_READ = "audit.read"
    IDENTITY_MANAGE = "identity.manage"
    """Users, tenants and API tokens."""


class Role(StrEnum):
    ADMIN = "admin"
    OFFICER = "officer"
    ANALYST = "analyst"
    IMPORTER = "importer"
    AUDITOR = "auditor"


P = Permission
_READ_ALL = frozenset(
    {
        P.LISTS_READ,
        P.MATCH,
        P.LOCATE,
        P.POLICIES_READ,
        P.SHIPMENTS_READ,
        P.CASES_READ,
        P.DOCUMENTS_READ,
    }
)
_BASE = frozenset({P.PUBLIC, P.SIGNED_IN})

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    # Users, tenants, tokens and list sources; not the casework.
    Role.ADMIN: _BASE | {P.IDENTITY_MANAGE, P.LISTS_READ, P.LISTS_IMPORT, P.POLICIES_READ},
    # Screens, decides, sees all.
    Role.OFFICER: _BASE
    | _READ_ALL
    | {
        P.JUDGE,
        P.SHIPMENTS_IMPORT,
        P.SCREEN,
        P.CASES_PREPARE,
        P.CASES_DECIDE,
        P.CASES_ASSIGN,
        P.DOCUMENTS_ATTACH,
        P.AUDIT_READ,
    },
    # Screens, records judgements, prepares cases; cannot decide.
    Role.ANALYST: _BASE
    | _READ_ALL
    | {P.JUDGE, P.SHIPMENTS_IMPORT, P.SCREEN, P.CASES_PREPARE, P.DOCUMENTS_ATTACH},
    # Its own tenant's shipments, verdicts, cases and dossiers; uploads and rebuttals.
    # No matching or list browsing: judgements name other importers' suppliers.
    Role.IMPORTER: _BASE
    | {
        P.LOCATE,
        P.POLICIES_READ,
        P.SHIPMENTS_READ,
        P.SHIPMENTS_IMPORT,
        P.CASES_READ,
        P.DOCUMENTS_READ,
        P.DOCUMENTS_ATTACH,
    },
    # Reads everything, the audit trail included; changes nothing.
    Role.AUDITOR: _BASE | _READ_ALL | {P.AUDIT_READ},
}

TENANT_ROLES = frozenset({Role.IMPORTER})
"""Roles bound to one tenant: everything they read or write is filtered to it."""

DECISION_STATES = frozenset({"released", "excluded", "exception_granted"})
"""Case states that are decisions (need :attr:`Permission.CASES_DECIDE`)."""


class Unauthenticated(FlscreenError):
    """No valid identity (no or expired session, bad token): 401."""


class Forbidden(FlscreenError):
    """A known identity without the permission: 403."""


class TooManyAttempts(FlscreenError):
    """Login throttled: 429, with the seconds to wait."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class Principal:
    """Who acts: the user (``name``), the role in force, the tenant for importers, and how
    they proved it (``session``, ``token``, ``cli``)."""

    name: str
    role: Role
    tenant: str | None = None
    via: str = "session"
    user_id: int | None = None

    def can(self, permission: Permission) -> bool:
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Raise :class:`Forbidden` unless this principal holds ``permission``."""
        if not self.can(permission):
            raise Forbidden(
                f"{self.name} ({self.role.value}) may not do this: it needs the "
                f"{permission.value!r} permission, held by "
                + ", ".join(r.value for r in roles_with(permission))
            )

    @property
    def tenant_bound(self) -> bool:
        return self.role in TENANT_ROLES

    def label(self) -> str:
        """How the principal appears as an audit actor: ``name`` (``name@tenant`` for
        importers, so a reader sees which company spoke)."""
        return f"{self.name}@{self.tenant}" if self.tenant_bound and self.tenant else self.name


def roles_with(permission: Permission) -> list[Role]:
    return [r for r, held in ROLE_PERMISSIONS.items() if permission in held]


def transition_permission(to_state: str) -> Permission:
    """The permission moving a case to ``to_state`` needs: deciding is the officer's."""
    return P.CASES_DECIDE if to_state in DECISION_STATES else P.CASES_PREPARE


def parse_role(text: str) -> Role:
    try:
        return Role(text.strip().lower())
    except ValueError:
        from flscreen.errors import InvalidInput

        raise InvalidInput(
            f"unknown role {text!r}: one of {', '.join(r.value for r in Role)}", source="role"
        ) from None
