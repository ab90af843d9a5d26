"""The ``flscreen`` command: one Typer app; each domain registers its commands."""

from __future__ import annotations

from typing import Annotated

import typer

from flscreen.cli import (
    audit_cmd,
    case_cmd,
    dossier_cmd,
    export_cmd,
    identity_cmd,
    lists_cmd,
    locate_cmd,
    match_cmd,
    screen_cmd,
    serve_cmd,
    supply_cmd,
    trace_cmd,
    trade_cmd,
)

app = typer.Typer(
    name="flscreen",
    help="Forced-labour import screening: lists, matching, Xinjiang location, "
    "supply-chain tracing and verdicts.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
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


for module in (
    lists_cmd,
    match_cmd,
    locate_cmd,
    supply_cmd,
    trace_cmd,
    screen_cmd,
    case_cmd,
    audit_cmd,
    dossier_cmd,
    export_cmd,
    serve_cmd,
    identity_cmd,
    trade_cmd,
):
    module.register(app)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
