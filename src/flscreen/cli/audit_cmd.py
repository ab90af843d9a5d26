"""CLI commands for the audit trail (registered by flscreen.cli.main): verify, log."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from flscreen import audit
from flscreen.cli.common import err_console, get_store, handle_errors
from flscreen.policy.cases import audit_anchors, verify_documents
from flscreen.policy.records import verify_screenings
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
    """Recompute the chain, check stored verdicts and traces against their logged digests
    and rehash the stored documents; name the first broken record and every altered
    verdict or document (exit 1), or confirm all is intact (exit 0)."""
    store = get_store()
    with store.connect() as conn:
        report = audit.verify(conn, audit_anchors(conn), head or ())
        stored = verify_screenings(conn)
        files = verify_documents(conn, load_settings().documents_dir)
    broken = report.broken
    if as_json:
        print(
            json.dumps(
                {
                    "ok": report.ok and not files and not stored,
                    "records": report.records,
                    "screenings": stored,
                    "documents": files,
                    "head": report.head,
                    "broken": None
                    if broken is None
                    else {
                        "seq": broken.seq,
                        "problem": broken.problem,
                        "kind": broken.kind,
                        "at": broken.at,
                    },
                }
            )
        )
    elif broken is None:
        print(f"audit log intact: {report.records} record(s), head {report.head}")
    else:
        what = f" ({broken.kind}, {broken.at})" if broken.kind else ""
        err_console.print(
            f"[bold red]audit log broken[/] at record {broken.seq}{what}: {broken.problem}",
            highlight=False,
        )
    if not as_json:
        for problem in stored + files:
            err_console.print(f"[bold red]stored evidence:[/] {problem}", highlight=False)
    if broken is not None or files or stored:
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
