"""Helpers every CLI command shares: the store, error printing, exit codes."""

from __future__ import annotations

import functools
import getpass
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from flscreen.errors import FlscreenError, InvalidInput, NotFound, Problem, StoreError
from flscreen.identity.roles import Forbidden, Permission, Principal, Unauthenticated
from flscreen.settings import load_settings
from flscreen.store import Store, open_store

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")

err_console = Console(stderr=True)
out_console = Console()

EXIT_BAD_INPUT = 2
EXIT_STORE = 3


def get_store() -> Store:
    """The store named by FLSCREEN_DB_URL, else the SQLite file under FLSCREEN_HOME."""
    return open_store(load_settings().db_url)


def handle_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn flscreen errors into a one-paragraph message and exit code, never a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InvalidInput as exc:
            err_console.print(f"[bold red]error:[/] {exc.render()}", markup=True, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except NotFound as exc:
            err_console.print(f"[bold red]not found:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except StoreError as exc:
            err_console.print(f"[bold red]store error:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_STORE) from None
        except FlscreenError as exc:
            err_console.print(f"[bold red]error:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except BrokenPipeError:
            sys.stderr.close()
            raise typer.Exit(0) from None

    return wrapper


def with_progress(items: Sequence[T], label: str, show_from: int, every: int = 200) -> Iterator[T]:
    """Yield ``items``, with a progress bar on stderr when there are at least ``show_from``.

    Short inputs stay quiet so filters compose cleanly; stdout is never touched.
    """
    if len(items) < show_from:
        yield from items
        return
    with Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    ) as progress:
        task = progress.add_task(label, total=len(items))
        for done, item in enumerate(items, start=1):
            yield item
            if done % every == 0 or done == len(items):
                progress.update(task, completed=done)


def cli_actor(given: str | None = None) -> str:
    """Who acts, for the audit log: the given name, else the logged-in user."""
    if given:
        return given
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "flscreen"


# --- who the CLI acts as -------------------------------------------------------------

_acting_as: list[str] = []
"""The ``--as`` user given to the root command (set by its callback)."""


def set_acting_user(name: str | None) -> None:
    _acting_as.clear()
    if name:
        _acting_as.append(name)


def cli_principal(store: Store) -> Principal | None:
    """Who the CLI acts as: ``--as USER`` (or FLSCREEN_USER), else the user mapped to the
    OS account. None when the store has no users yet (a single-machine install, where the
    OS account is all there is). Once users exist, an unmapped OS account is refused."""
    from flscreen.identity import store as identity_store

    name = (_acting_as[0] if _acting_as else None) or os.environ.get("FLSCREEN_USER")
    os_user = getpass.getuser()
    with store.connect() as conn:
        if not identity_store.any_users(conn):
            if name:
                raise InvalidInput(
                    f"--as {name}: this store has no users yet (add one with `flscreen users add`)"
                )
            return None
        if name:
            user = identity_store.get_user(conn, name)
        else:
            found = identity_store.find_user_by_os(conn, os_user)
            if found is None:
                raise Unauthenticated(
                    f"OS user {os_user!r} is not mapped to a flscreen user: pass --as USER "
                    "(or set FLSCREEN_USER), or map it with `flscreen users add --os-user`"
                )
            user = found
    if user.disabled:
        raise Unauthenticated(f"user {user.username!r} is disabled")
    return user.principal("cli")


def acting(store: Store, permission: Permission, claimed: str | None = None) -> str:
    """The audit actor of a CLI write needing ``permission``: the acting user (checked
    against the permission); ``claimed`` (an old ``--actor``/``--by``) must be that user.
    A store without users records ``claimed`` or the OS account, as before users existed."""
    principal = cli_principal(store)
    if principal is None:
        return (claimed or "").strip() or cli_actor()
    principal.require(permission)
    if principal.tenant_bound:
        # The CLI reads the whole store: importers work through the API and pages,
        # where their tenant's scope applies.
        raise Forbidden(
            f"{principal.name} is an importer: use the API or the pages (the CLI is not "
            "scoped to one tenant)"
        )
    if claimed and claimed.strip() and claimed.strip().lower() != principal.name:
        raise Forbidden(
            f"the actor is who you are ({principal.name}), not {claimed!r}: "
            "use --as to act as another user"
        )
    return principal.label()


def print_notes(notes: list[Problem], limit: int = 20) -> None:
    """Caveats about input that was read anyway (a line read as GB18030), on stderr."""
    for note in notes[:limit]:
        err_console.print(f"[yellow]note:[/] {note}", highlight=False)
    if len(notes) > limit:
        err_console.print(f"[yellow]... and {len(notes) - limit} more notes[/]")
