"""``flscreen dossier SHIPMENT``: the evidence package as HTML or PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flscreen.cli.common import err_console, get_store, handle_errors
from flscreen.errors import InvalidInput
from flscreen.records import write_bytes

FORMATS = ("html", "pdf")


@handle_errors
def dossier_cmd(
    shipment: Annotated[str, typer.Argument(help="Shipment (entry) id, or a case id.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="html or pdf.")] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="File to write (default: dossier-SHIPMENT.FORMAT)."),
    ] = None,
    policy: Annotated[
        str | None, typer.Option(help="Use the latest screening under this policy.")
    ] = None,
) -> None:
    """Write the evidence dossier of a screened shipment as HTML or PDF.

    Summary, contents, flow chart, parties, steps and documents, mass balance,
    gaps, policy and list versions, case history.
    """
    from flscreen.reports.build import load_dossier
    from flscreen.reports.dossier import render_html, render_pdf

    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}: use html or pdf", source="--format")
    store = get_store()
    with store.connect() as conn:
        if shipment.upper().startswith("CASE-"):
            from flscreen.policy.cases import get_case

            shipment = get_case(conn, shipment).shipment_id
        data = load_dossier(conn, shipment, policy)
    html = render_html(data)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in shipment)
    target = output or Path(f"dossier-{safe}.{fmt}")
    body = render_pdf(html) if fmt == "pdf" else html.encode("utf-8")
    try:
        write_bytes(str(target), body)  # '-': stdout
    except OSError as exc:
        raise InvalidInput(
            f"cannot write {target}: {exc.strerror or exc}", source="--output"
        ) from None
    if str(target) == "-":
        return
    err_console.print(
        f"wrote {target} ({data.screening.verdict.outcome}, {shipment})", highlight=False
    )


def register(app: typer.Typer) -> None:
    """Add ``flscreen dossier``."""
    app.command("dossier")(dossier_cmd)
