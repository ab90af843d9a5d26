"""``flscreen users``, ``flscreen tenants`` and ``flscreen tokens``: who may use the server.

The first user of a store can be added by anyone with the store (there is nobody to
ask); after that these commands need an admin (``--as admin`` or a mapped OS user).
"""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer
from rich.table import Table

from flscreen.cli.common import cli_principal, get_store, handle_errors, out_console
from flscreen.errors import InvalidInput
from flscreen.identity import store as identity_store
from flscreen.identity.roles import Permission, Principal, Role
from flscreen.store import Store

users_app = typer.Typer(help="Users of the server: add, list, disable.", no_args_is_help=True)
tenants_app = typer.Typer(help="Importer tenants and the parties they speak for.")
tokens_app = typer.Typer(help="API tokens for machines: create, list, revoke.")

BOOTSTRAP = Principal("setup", Role.ADMIN, via="cli")


def _admin(store: Store, *, first_user: bool = False) -> Principal:
    """The acting admin; with ``first_user``, anyone while the store has no users."""
    principal = cli_principal(store)
    if principal is None:
        if first_user:
            return BOOTSTRAP
        raise InvalidInput("this store has no users yet: add an admin first (`flscreen users add`)")
    principal.require(Permission.IDENTITY_MANAGE)
    return principal


def _password(from_stdin: bool, username: str) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(f"password for {username}", hide_input=True, confirmation_prompt=True))


@users_app.command("add")
@handle_errors
def users_add(
    username: Annotated[str, typer.Argument(help="Lower-case login name (e.g. officer.li).")],
    role: Annotated[str, typer.Option(help="admin, officer, analyst, importer or auditor.")],
    tenant: Annotated[str | None, typer.Option(help="An importer's tenant.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="No local password (tokens or OIDC only).")
    ] = False,
    os_user: Annotated[
        str | None, typer.Option(help="OS account the CLI maps to this user.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="Display name.")] = None,
    oidc: Annotated[
        str | None,
        typer.Option(
            help="The OpenID provider's value of FLSCREEN_OIDC_CLAIM (default: e-mail) "
            "that signs in as this user."
        ),
    ] = None,
) -> None:
    """Add a user; the first user of a store must be an admin."""
    store = get_store()
    actor = _admin(store, first_user=True)
    if actor is BOOTSTRAP and role.strip().lower() != "admin":
        raise InvalidInput("the first user of a store must be an admin (--role admin)")
    password = None if no_password else _password(password_stdin, username)
    with store.begin() as conn:
        user = identity_store.add_user(
            conn,
            username,
            role,
            actor,
            tenant=tenant,
            password=password,
            os_user=os_user,
            display_name=name,
            oidc=oidc,
        )
    print(f"user {user.username} ({user.role.value}{', ' + user.tenant if user.tenant else ''})")


@users_app.command("list")
@handle_errors
def users_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Every user with role, tenant and whether disabled."""
    store = get_store()
    _admin(store)
    with store.connect() as conn:
        users = identity_store.list_users(conn)
    if as_json:
        for u in users:
            print(json.dumps(u.to_dict(), ensure_ascii=False))
        return
    table = Table()
    for col in ("user", "role", "tenant", "os user", "password", "openid", "disabled"):
        table.add_column(col)
    for u in users:
        table.add_row(
            u.username,
            u.role.value,
            u.tenant or "",
            u.os_user or "",
            "yes" if u.has_password else "no",
            u.oidc or "",
            "DISABLED" if u.disabled else "",
        )
    out_console.print(table)


@users_app.command("disable")
@handle_errors
def users_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable a user: their sessions end and their tokens stop working at once."""
    store = get_store()
    actor = _admin(store)
    with store.begin() as conn:
        identity_store.disable_user(conn, username, actor)
    print(f"user {username} disabled")


@tenants_app.command("add")
@handle_errors
def tenants_add(
    tenant: Annotated[str, typer.Argument(help="Short id (lower-case, digits, '-').")],
    name: Annotated[str, typer.Option(help="The importing company's name.")],
    party: Annotated[
        list[str], typer.Option(help="Importer party id (shipments.importer_id); repeatable.")
    ],
) -> None:
    """Add an importer tenant: its users see the shipments whose importer is one of its
    parties, and nothing else."""
    store = get_store()
    actor = _admin(store, first_user=True)
    with store.begin() as conn:
        identity_store.add_tenant(conn, tenant, name, list(party), actor)
    print(f"tenant {tenant}: {', '.join(party)}")


@tenants_app.command("list")
@handle_errors
def tenants_list() -> None:
    store = get_store()
    _admin(store)
    with store.connect() as conn:
        for t in identity_store.list_tenants(conn):
            print(json.dumps(t, ensure_ascii=False))


@tokens_app.command("create")
@handle_errors
def tokens_create(
    username: Annotated[str, typer.Argument(help="Whose token (its actions are theirs).")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "token",
    days: Annotated[int, typer.Option(help="Days until it expires (1-366).")] = 90,
    role: Annotated[
        str | None, typer.Option(help="A narrower role than the user's (default: theirs).")
    ] = None,
) -> None:
    """Create an API token; it is printed once and stored only as a hash."""
    store = get_store()
    actor = _admin(store)
    with store.begin() as conn:
        token, info = identity_store.create_token(conn, username, name, actor, days=days, role=role)
    print(token)
    print(
        f"token {info.token_id} for {info.username} ({info.role}"
        f"{', ' + info.tenant if info.tenant else ''}), expires {info.expires_at}",
        file=sys.stderr,
    )


@tokens_app.command("list")
@handle_errors
def tokens_list(user: Annotated[str | None, typer.Option()] = None) -> None:
    store = get_store()
    _admin(store)
    with store.connect() as conn:
        for t in identity_store.list_tokens(conn, user):
            print(json.dumps(t.to_dict(), ensure_ascii=False))


@tokens_app.command("revoke")
@handle_errors
def tokens_revoke(
    token_id: Annotated[str, typer.Argument(help="The token's id (or itself).")],
) -> None:
    """Revoke a token: refused from the next request on."""
    store = get_store()
    actor = _admin(store)
    with store.begin() as conn:
        identity_store.revoke_token(conn, token_id, actor)
    print("revoked")


def register(app: typer.Typer) -> None:
    """Add ``flscreen users``, ``flscreen tenants`` and ``flscreen tokens``."""
    app.add_typer(users_app, name="users")
    app.add_typer(tenants_app, name="tenants")
    app.add_typer(tokens_app, name="tokens")
