"""The ``flscreen`` command: one Typer app; each domain registers its commands.

A command's module is imported only when that command runs (or for ``--help``), so
``flscreen match`` does not pay for the imports of ``trace``, ``case`` or ``serve``:
one-name screens start in about a second. ``COMMANDS`` maps every top-level command
to the module that registers it (a test checks the map against the modules).
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING, Annotated

import typer
from typer.core import TyperGroup

if TYPE_CHECKING:
    from typer._click.core import Command, Context  # typer vendors click: its own types

COMMANDS: dict[str, str] = {
    "lists": "lists_cmd",
    "match": "match_cmd",
    "judge": "match_cmd",
    "judgements": "match_cmd",
    "locate": "locate_cmd",
    "supply": "supply_cmd",
    "trace": "trace_cmd",
    "screen": "screen_cmd",
    "policy": "screen_cmd",
    "case": "case_cmd",
    "audit": "audit_cmd",
    "dossier": "dossier_cmd",
    "export": "export_cmd",
    "serve": "serve_cmd",
    "users": "identity_cmd",
    "tenants": "identity_cmd",
    "tokens": "identity_cmd",
    "trade": "trade_cmd",
}
"""Top-level command -> the module under ``flscreen.cli`` whose ``register`` adds it."""

AFTER_IMPORT = {"lists": ("match_cmd", "screen_cmd")}
"""Commands that import lists also load the modules whose ``register`` hooks a list
import (save the index, re-screen shipments)."""


@functools.cache
def _commands_of(module_name: str) -> dict[str, Command]:
    """Import one command module and the click commands its ``register`` adds."""
    module = importlib.import_module(f"flscreen.cli.{module_name}")
    holder = typer.Typer()
    module.register(holder)
    return dict(typer.main.get_group(holder).commands)


class LazyGroup(TyperGroup):
    """The root group: commands come from ``COMMANDS``, imported on first use."""

    def list_commands(self, ctx: Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *COMMANDS})

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        module_name = COMMANDS.get(cmd_name)
        if module_name is None:
            return super().get_command(ctx, cmd_name)
        for extra in AFTER_IMPORT.get(cmd_name, ()):
            _commands_of(extra)
        return _commands_of(module_name).get(cmd_name)


app = typer.Typer(
    name="flscreen",
    help="Forced-labour import screening: lists, matching, Xinjiang location, "
    "supply-chain tracing and verdicts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=LazyGroup,
)


@app.callback()
def root(
    as_user: Annotated[
        str | None,
        typer.Option(
            "--as",
            envvar="FLSCREEN_USER",
            help="Act as this flscreen user (default: the user mapped to your OS account).",
        ),
    ] = None,
) -> None:
    """Forced-labour import screening: lists, matching, Xinjiang location, supply-chain
    tracing and verdicts."""
    from flscreen.cli.common import set_acting_user

    set_acting_user(as_user)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
