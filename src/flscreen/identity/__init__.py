"""Identity: users, roles, tenants, API tokens and sessions, and the tenant scope the
query layer filters by. Pure of FastAPI; the API's adapter is :mod:`flscreen.api.auth`."""

from flscreen.identity.roles import (
    ROLE_PERMISSIONS,
    Forbidden,
    Permission,
    Principal,
    Role,
    TooManyAttempts,
    Unauthenticated,
)
from flscreen.identity.scope import OutOfScope, Scope, scope_for

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
