"""CLI commands for the audit trail (registered by flscreen.cli.main): verify, log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from sqlalchemy.engine import Connection

from flscreen import audit, checkpoints
from flscreen.cli.common import err_console, get_store, handle_errors
from flscreen.services.audit import record_json
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
    checkpoint: Annotated[
        Path | None,
        typer.Option(
            help="A signed checkpoint file (`audit checkpoint`): the log must still extend "
            "it; a rewritten log fails even if its own hashes are consistent."
        ),
    ] = None,
    public_key: Annotated[
        Path | None,
        typer.Option(help="The trusted public key (default: the signing key's .pub)."),
    ] = None,
) -> None:
    """Recompute the chain; check every decision table (cases, case events, findings,
    rebuttals, documents, judgements, screenings, list versions) against the records
    that logged it; rehash the stored documents. Name the first broken record and every
    difference (exit 1), or confirm all is intact (exit 0)."""
    store = get_store()
    with store.connect() as conn:
        result = audit.verify_store(conn, load_settings().documents_dir, head or ())
        if checkpoint is not None:
            result = _with_checkpoint(conn, result, checkpoint, public_key)
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    elif result["ok"]:
        print(f"audit log intact: {result['records']} record(s), head {result['head']}")
        if checkpoint is not None:
            print(f"extends the checkpoint of {result['checkpoint']['tree_size']} record(s)")
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
        found = result.get("checkpoint")
        if found and not found["ok"]:
            err_console.print(
                f"[bold red]checkpoint:[/] {escape(found['problem'])}", highlight=False
            )
    if not result["ok"]:
        raise typer.Exit(EXIT_BROKEN)


def default_key() -> Path:
    """Where ``audit checkpoint`` keeps its signing key unless told: outside the database,
    under FLSCREEN_HOME/keys (copy the .pub somewhere the database's admins cannot write)."""
    return load_settings().home / "keys" / "audit-checkpoint.key"


def _with_checkpoint(
    conn: Connection, result: dict[str, Any], path: Path, public_key: Path | None
) -> dict[str, Any]:
    public = checkpoints.load_public(public_key or checkpoints.public_path(default_key()))
    report = checkpoints.verify_checkpoint(conn, checkpoints.read_checkpoint(path), public)
    return {**result, "ok": result["ok"] and report.ok, "checkpoint": report.to_dict()}


@audit_app.command("checkpoint")
@handle_errors
def checkpoint_cmd(
    output: Annotated[Path, typer.Option(help="Where to write the signed checkpoint (JSON).")],
    key: Annotated[
        Path | None,
        typer.Option(help="Ed25519 signing key (PEM); created with its .pub when absent."),
    ] = None,
) -> None:
    """Sign the Merkle tree head (RFC 6962) of the whole audit log with Ed25519 and write
    it to a file kept outside the database; `audit verify --checkpoint FILE` later proves
    the log still extends it."""
    key_path = key or default_key()
    signer = (
        checkpoints.load_private(key_path) if key_path.exists() else checkpoints.new_key(key_path)
    )
    store = get_store()
    with store.connect() as conn:
        cp = checkpoints.make_checkpoint(conn, signer)
    output.write_text(json.dumps(cp.to_dict(), indent=2) + "\n", encoding="utf-8")
    print(
        f"checkpoint of {cp.tree_size} record(s), root {cp.root_hash[:16]}..., key {cp.key_id} "
        f"-> {output} (public key {checkpoints.public_path(key_path)})"
    )


@audit_app.command("proof")
@handle_errors
def proof_cmd(
    seq: Annotated[int, typer.Argument(help="The record's sequence number.")],
    checkpoint: Annotated[Path, typer.Option(help="A checkpoint file.")],
) -> None:
    """An RFC 6962 inclusion proof of one record in a checkpoint's tree, as JSON."""
    store = get_store()
    with store.connect() as conn:
        out = checkpoints.record_proof(conn, checkpoints.read_checkpoint(checkpoint), seq)
    print(json.dumps(out))


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
            print(json.dumps(record_json(rec), ensure_ascii=False))


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(audit_app, name="audit")
