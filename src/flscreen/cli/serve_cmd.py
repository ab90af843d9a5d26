"""``flscreen serve``: the REST API and the analyst pages under uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer

from flscreen.cli.common import err_console, handle_errors


@handle_errors
def serve_cmd(
    host: Annotated[
        str,
        typer.Option(
            help="Address to listen on (127.0.0.1: this machine only). Every route needs a "
            "signed-in user or an API token; see docs/security.md."
        ),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    db_url: Annotated[
        str | None,
        typer.Option(
            "--db-url", help="Store URL (default: FLSCREEN_DB_URL, else the SQLite file)."
        ),
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the REST API (docs at /docs) and the analyst pages (at /ui/)."""
    import uvicorn

    from flscreen.api import create_app

    app = create_app(db_url)
    err_console.print(
        f"flscreen: analyst pages at http://{host}:{port}/ui/, API docs at "
        f"http://{host}:{port}/docs (store: {app.state.flscreen.store.dialect})",
        highlight=False,
    )
    from flscreen.store.row_security import bypassed_by

    with app.state.flscreen.store.connect() as conn:
        why = bypassed_by(conn)
    if why:
        err_console.print(
            f"flscreen: warning: the store's {why}, so PostgreSQL's row-level security (the "
            "second tenant wall) does not apply; connect as an ordinary role "
            "(docs/security.md)",
            highlight=False,
        )
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)


def register(app: typer.Typer) -> None:
    """Add ``flscreen serve``."""
    app.command("serve")(serve_cmd)
