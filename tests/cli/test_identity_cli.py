"""`flscreen users|tenants|tokens` and `--as`: the CLI acts as a named user once users exist."""

from __future__ import annotations

import getpass
from pathlib import Path

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from flscreen.api import create_app
from flscreen.cli.main import app
from flscreen.store import open_store
from tests.policy.test_case_cli import _detained_case

runner = CliRunner()


def _ok(args: list[str], stdin: str | None = None) -> str:
    done = runner.invoke(app, args, input=stdin)
    assert done.exit_code == 0, done.output
    return done.output


def test_users_tenants_tokens_and_acting_as(cli_env: dict[str, str], tmp_path: Path) -> None:
    db_url = cli_env["FLSCREEN_DB_URL"]
    case_id = _detained_case(db_url)
    # The first user of a store must be an admin.
    refused = runner.invoke(app, ["users", "add", "li", "--role", "officer", "--no-password"])
    assert refused.exit_code == 2 and "first user of a store must be an admin" in refused.output
    _ok(["users", "add", "root.admin", "--role", "admin", "--password-stdin"], "an admin pass\n")
    # Now nobody unnamed may act: the OS account is not mapped to a user.
    anon = runner.invoke(app, ["users", "list"])
    assert anon.exit_code == 2 and f"OS user {getpass.getuser()!r} is not mapped" in anon.output
    admin = ["--as", "root.admin"]
    _ok([*admin, "tenants", "add", "northwind", "--name", "Northwind", "--party", "IMP-NW"])
    _ok(
        [*admin, "users", "add", "officer.li", "--role", "officer", "--password-stdin"],
        "officer password\n",
    )
    _ok(
        [
            *admin,
            "users",
            "add",
            "analyst.wu",
            "--role",
            "analyst",
            "--no-password",
            "--os-user",
            getpass.getuser(),
        ]
    )
    bad = runner.invoke(
        app, [*admin, "users", "add", "imp.x", "--role", "importer", "--no-password"]
    )
    assert bad.exit_code == 2 and "an importer belongs to a tenant" in bad.output
    _ok(
        [
            *admin,
            "users",
            "add",
            "imp.nw",
            "--role",
            "importer",
            "--tenant",
            "northwind",
            "--no-password",
        ]
    )
    listed = _ok([*admin, "users", "list", "--json"])
    assert '"tenant": "northwind"' in listed and '"role": "analyst"' in listed

    # An analyst (the mapped OS user) may prepare but not decide; the actor is who acts.
    moved = runner.invoke(
        app, ["case", "transition", case_id, "--to", "released", "--reason", "fine"]
    )
    assert moved.exit_code == 2 and "cases.decide" in moved.output
    _ok(["case", "transition", case_id, "--to", "under_review", "--reason", "checking"])
    lying = runner.invoke(
        app,
        [
            "--as",
            "officer.li",
            "case",
            "transition",
            case_id,
            "--to",
            "excluded",
            "--reason",
            "listed",
            "--actor",
            "someone",
        ],
    )
    assert lying.exit_code == 2 and "the actor is who you are" in lying.output
    _ok(
        [
            "--as",
            "officer.li",
            "case",
            "transition",
            case_id,
            "--to",
            "excluded",
            "--reason",
            "listed spinner",
        ]
    )
    shown = _ok(["case", "show", case_id, "--json"])
    assert '"actor": "analyst.wu"' in shown and '"actor": "officer.li"' in shown
    # An admin may not decide cases; an importer may not use the CLI at all.
    assert runner.invoke(app, [*admin, "case", "assign", case_id, "--to", "x"]).exit_code == 2
    imp = runner.invoke(app, ["--as", "imp.nw", "case", "assign", case_id, "--to", "x"])
    assert imp.exit_code == 2

    # A token works against the API until revoked; a disabled user's token stops too.
    token = _ok([*admin, "tokens", "create", "officer.li", "--name", "desk", "--days", "7"])
    token = token.strip().splitlines()[0]
    client = TestClient(
        create_app(db_url, documents_dir=tmp_path / "docs"), base_url="https://testserver"
    )
    auth = {"Authorization": f"Bearer {token}"}
    me = client.get("/auth/me", headers=auth).json()
    assert (me["user"], me["role"]) == ("officer.li", "officer")
    _ok([*admin, "tokens", "revoke", token.split("_")[1]])
    assert client.get("/auth/me", headers=auth).status_code == 401
    second = _ok([*admin, "tokens", "create", "officer.li"]).strip().splitlines()[0]
    assert client.get("/auth/me", headers={"Authorization": f"Bearer {second}"}).is_success
    _ok([*admin, "users", "disable", "officer.li"])
    r = client.get("/auth/me", headers={"Authorization": f"Bearer {second}"})
    assert r.status_code == 401 and "disabled" in r.json()["message"]
    # Signing in with the password set on stdin.
    r = client.post("/auth/login", json={"username": "root.admin", "password": "an admin pass"})
    assert r.status_code == 200 and r.json()["role"] == "admin"
    store = open_store(db_url)
    with store.connect() as conn:
        from flscreen import audit

        kinds = {rec.kind for rec in audit.iter_records(conn)}
    store.dispose()
    assert {"identity.user", "identity.tenant", "identity.token", "identity.login"} <= kinds


def test_users_add_maps_an_openid_identity(cli_env: dict[str, str]) -> None:
    """`--oidc` names the provider's claim value (an e-mail by default) that signs in as
    the user; one identity maps to one user."""
    import json

    _ok(["users", "add", "root.admin", "--role", "admin", "--password-stdin"], "an admin pass\n")
    admin = ["--as", "root.admin"]
    _ok(
        [
            *admin,
            "users",
            "add",
            "li",
            "--role",
            "officer",
            "--no-password",
            "--oidc",
            "li@c.example",
        ]
    )
    again = runner.invoke(
        app,
        [
            *admin,
            "users",
            "add",
            "li2",
            "--role",
            "officer",
            "--no-password",
            "--oidc",
            "li@c.example",
        ],
    )
    assert (
        again.exit_code == 2 and "OpenID identity 'li@c.example' is mapped already" in again.output
    )
    listed = [json.loads(line) for line in _ok([*admin, "users", "list", "--json"]).splitlines()]
    assert {u["username"]: u["oidc"] for u in listed} == {"li": "li@c.example", "root.admin": None}
    assert "li@c.example" in _ok([*admin, "users", "list"])
