"""Identity: users, roles, tenants, API tokens and sessions, and the tenant scope the
query layer filters by. Pure of FastAPI; the app's adapter is :mod:`flscreen.http.auth`."""

from typing import TYPE_CHECKING, Any

from flscreen.identity.roles import (
    ROLE_PERMISSIONS,
    Forbidden,
    Permission,
    Principal,
    Role,
    TooManyAttempts,
    Unauthenticated,
)

if TYPE_CHECKING:
    from flscreen.identity.scope import OutOfScope, Scope, scope_for

_SCOPE_NAMES = frozenset({"OutOfScope", "Scope", "scope_for"})


def __getattr__(name: str) -> Any:
    # The scope pulls in the supply and identity stores: imported on first use, so a
    # command that only checks a role (flscreen match) does not load them.
    if name in _SCOPE_NAMES:
        from flscreen.identity import scope

        return getattr(scope, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ROLE_PERMISSIONS",
    "Forbidden",
    "OutOfScope",
    "Permission",
    "Principal",
    "Role",
    "Scope",
    "TooManyAttempts",
    "Unauthenticated",
    "scope_for",
]
