"""Roles hold what the issue says they may do."""

from __future__ import annotations

import pytest

from flscreen.identity.roles import (
    ROLE_PERMISSIONS,
    Forbidden,
    Permission,
    Principal,
    Role,
    transition_permission,
)

P = Permission


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        # admin: users, roles, list sources; not the casework
        (Role.ADMIN, {P.IDENTITY_MANAGE, P.LISTS_IMPORT}, {P.SHIPMENTS_READ, P.CASES_DECIDE}),
        (Role.OFFICER, {P.CASES_DECIDE, P.SCREEN, P.JUDGE, P.AUDIT_READ}, {P.IDENTITY_MANAGE}),
        # analyst: screens, judges, prepares cases, cannot decide
        (Role.ANALYST, {P.SCREEN, P.JUDGE, P.CASES_PREPARE}, {P.CASES_DECIDE, P.AUDIT_READ}),
        # importer: own shipments, uploads and rebuttals; no matching (judgements name others)
        (
            Role.IMPORTER,
            {P.SHIPMENTS_READ, P.SHIPMENTS_IMPORT, P.DOCUMENTS_ATTACH},
            {P.MATCH, P.SCREEN, P.AUDIT_READ, P.CASES_PREPARE, P.LISTS_IMPORT},
        ),
        # auditor: reads everything, audit included, changes nothing
        (
            Role.AUDITOR,
            {P.AUDIT_READ, P.CASES_READ, P.SHIPMENTS_READ},
            {P.SCREEN, P.JUDGE, P.CASES_PREPARE, P.DOCUMENTS_ATTACH, P.SHIPMENTS_IMPORT},
        ),
    ],
)
def test_role_permissions(role: Role, allowed: set[P], refused: set[P]) -> None:
    held = ROLE_PERMISSIONS[role]
    assert allowed <= held and not (refused & held)


def test_forbidden_names_the_permission_and_who_holds_it() -> None:
    analyst = Principal("analyst.wu", Role.ANALYST)
    with pytest.raises(Forbidden, match=r"'cases.decide' permission, held by officer"):
        analyst.require(transition_permission("released"))
    analyst.require(transition_permission("under_review"))
