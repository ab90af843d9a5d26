"""CLI commands for the audit trail (registered by flscreen.cli.main): verify, log."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape

from flscreen import audit
from flscreen.cli.common import err_console, get_store, handle_errors
from flscreen.settings import load_settings

EXIT_BROKEN = 1

audit_app = typer.Typer(
    help="The hash-chained audit log of screenings, verdicts, cases, judgements and documents.",
    no_args_is_help=True,
)


@audit_app.command("verify")
@handle_errors
def verify_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    head: Annotated[
        list[str] | None,
        typer.Option(
            help="A head hash printed by an earlier verify and kept elsewhere; it must still "
            "be in the chain (repeatable)."
        ),
    ] = None,
) -> None:
    """Recompute the chain; check every decision table (cases, case events, findings,
    rebuttals, documents, judgements, screenings, list versions) against the records
    that logged it; rehash the stored documents. Name the first broken record and every
    difference (exit 1), or confirm all is intact (exit 0)."""
    store = get_store()
    with store.connect() as conn:
        result = audit.verify_store(conn, load_settings().documents_dir, head or ())
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    elif result["ok"]:
        print(f"audit log intact: {result['records']} record(s), head {result['head']}")
    else:
        broken = result["broken"]
        if broken is None:
            err_console.print(
                f"[bold red]stored decisions differ from the audit log[/] (its chain of "
                f"{result['records']} record(s) is intact, head {result['head']}):",
                highlight=False,
            )
        else:
            what = f" ({broken['kind']}, {broken['at']})" if broken["kind"] else ""
            err_console.print(
                f"[bold red]audit log broken[/] at record {broken['seq']}{escape(what)}: "
                f"{escape(broken['problem'])}",
                highlight=False,
            )
        for problem in result["decisions"]:
            err_console.print(f"[bold red]stored decision:[/] {escape(problem)}", highlight=False)
        for problem in result["documents"]:
            err_console.print(f"[bold red]stored evidence:[/] {escape(problem)}", highlight=False)
    if not result["ok"]:
        raise typer.Exit(EXIT_BROKEN)


@audit_app.command("log")
@handle_errors
def log_cmd(
    subject: Annotated[
        str | None, typer.Option(help="Only records about this shipment, case or party.")
    ] = None,
    kind: Annotated[str | None, typer.Option(help="Only records of this kind.")] = None,
) -> None:
    """Print audit records as JSON lines, oldest first."""
    store = get_store()
    with store.connect() as conn:
        for rec in audit.iter_records(conn, subject=subject):
            if kind is not None and rec.kind != kind:
                continue
            line = {
                "seq": rec.seq,
                "at": rec.at,
                "kind": rec.kind,
                "actor": rec.actor,
                "subject": rec.subject,
                "payload": rec.data,
                "hash": rec.hash,
            }
            print(json.dumps(line, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(audit_app, name="audit")
