"""CLI commands for cases (registered by flscreen.cli.main): list, show, transition,
finding, assign, attach."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from flscreen.cli.common import acting, get_store, handle_errors, out_console
from flscreen.identity.roles import Permission, transition_permission
from flscreen.policy import cases
from flscreen.services.cases import case_detail
from flscreen.settings import load_settings

case_app = typer.Typer(
    help="Cases opened by review, detain and exclude verdicts: list, show, move, attach evidence.",
    no_args_is_help=True,
)


@case_app.command("list")
@handle_errors
def list_cmd(
    state: Annotated[str | None, typer.Option(help="Only cases in this state.")] = None,
    shipment: Annotated[str | None, typer.Option(help="Only cases of this shipment.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List cases, oldest first."""
    store = get_store()
    with store.connect() as conn:
        found = cases.list_cases(conn, state=state, shipment_id=shipment)
    if as_json:
        for c in found:
            print(json.dumps(c.to_dict(), ensure_ascii=False))
        return
    table = Table(title=f"{len(found)} case(s)")
    for col in ("case", "shipment", "verdict", "state", "policy", "opened", "updated"):
        table.add_column(col)
    for c in found:
        table.add_row(
            c.case_id,
            c.shipment_id,
            c.verdict,
            c.state,
            f"{c.policy} {c.policy_version}",
            c.opened_at[:19],
            c.updated_at[:19],
        )
    out_console.print(table)


@case_app.command("queue")
@handle_errors
def queue_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """The work queue: open cases with the detention clock, overdue first."""
    store = get_store()
    with store.connect() as conn:
        rows = cases.work_queue(conn)
    if as_json:
        for r in rows:
            print(json.dumps(r, ensure_ascii=False))
        return
    table = Table(title=f"{len(rows)} open case(s)")
    for col in ("case", "shipment", "state", "assignee", "held (days)", "limit", "age (days)"):
        table.add_column(col)
    for r in rows:
        held = "" if r["detained_days"] is None else f"{r['detained_days']:.1f}"
        if r["overdue"]:
            held = f"[bold red]{held} overdue[/]"
        table.add_row(
            r["case"], r["shipment"], r["state"], r["assignee"] or "", held,
            str(r["limit_days"] or ""), f"{r['age_days']:.1f}",
        )  # fmt: skip
    out_console.print(table)


@case_app.command("show")
@handle_errors
def show_cmd(
    case_id: Annotated[str, typer.Argument(help="Case id (CASE-000001) or number.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A case with its verdict and reasons, history, rebuttals and documents."""
    store = get_store()
    with store.connect() as conn:
        detail = case_detail(conn, case_id)
    case, screening, events = detail.case, detail.screening, detail.events
    rebuttals, docs, findings = detail.rebuttals, detail.documents, detail.findings
    data = detail.to_dict()
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return
    out_console.print(
        f"[bold]{case.case_id}[/] shipment [bold]{case.shipment_id}[/]: {case.verdict} verdict "
        f"under {case.policy} {case.policy_version}; state [bold]{case.state}[/] "
        f"(next: {', '.join(data['allowed_next']) or 'none, closed'})"
    )
    for r in screening.verdict.reasons:
        out_console.print(f"  [{r.outcome}] {r.code}: {r.text}", highlight=False, markup=False)
    table = Table(title="History")
    for col in ("when", "from", "to", "actor", "reason"):
        table.add_column(col)
    for e in events:
        reason = e.reason + (" [clear and convincing]" if e.clear_and_convincing else "")
        table.add_row(e.at[:19], e.from_state or "", e.to_state, e.actor, reason)
    out_console.print(table)
    for rb in rebuttals:
        out_console.print(
            f"Rebuttal from {rb.supplied_by} ({rb.submitted_at[:19]}): {rb.statement}",
            markup=False,
        )
    for f in findings:
        out_console.print(
            f"{f.kind.capitalize()} finding {f.id} by {f.actor} ({f.at[:19]}), documents "
            f"{', '.join(map(str, f.document_ids)) or 'none'}: {f.statement}",
            markup=False,
        )
    if docs:
        dt = Table(title="Documents")
        for col in ("id", "kind", "file", "supplied by", "transaction", "sha256"):
            dt.add_column(col)
        for d in docs:
            dt.add_row(
                str(d.id), d.kind, d.filename, d.supplied_by, d.transaction_id or "", d.sha256[:16]
            )
        out_console.print(dt)


@case_app.command("transition")
@handle_errors
def transition_cmd(
    case_id: Annotated[str, typer.Argument(help="Case id (CASE-000001) or number.")],
    to: Annotated[str, typer.Option("--to", help=f"New state: {', '.join(cases.STATES)}.")],
    reason: Annotated[str, typer.Option(help="Why (recorded).")],
    actor: Annotated[
        str | None, typer.Option(help="Must be you if given: the actor is the acting user.")
    ] = None,
) -> None:
    """Move a case to another state; forbidden moves are refused with the reason.

    Held goods are released only on a recorded applicability finding, and an exception
    is granted only on a recorded exception finding (`case finding`)."""
    store = get_store()
    who = acting(store, transition_permission(to.strip()), actor)
    with store.begin() as conn:
        case = cases.transition(conn, case_id, to, who, reason)
    print(f"{case.case_id}: now {case.state}")


@case_app.command("finding")
@handle_errors
def finding_cmd(
    case_id: Annotated[str, typer.Argument(help="Case id (CASE-000001) or number.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(cases.FINDING_KINDS)}.")],
    statement: Annotated[str, typer.Option(help="What the evidence shows (recorded).")],
    actor: Annotated[
        str | None, typer.Option(help="Must be you if given: the actor is the acting user.")
    ] = None,
    document: Annotated[
        list[int] | None,
        typer.Option(help="Id of a case document the finding rests on (repeatable)."),
    ] = None,
    clear_and_convincing: Annotated[
        bool,
        typer.Option(
            "--clear-and-convincing",
            help="The evidence is clear and convincing (an exception under uflpa needs it).",
        ),
    ] = False,
) -> None:
    """Record an applicability finding (the law does not apply to these goods) or an
    exception finding, citing the case's documents; releasing held goods needs one."""
    store = get_store()
    who = acting(store, Permission.CASES_DECIDE, actor)
    with store.begin() as conn:
        found = cases.record_finding(
            conn,
            case_id,
            kind,
            statement,
            document or [],
            who,
            clear_and_convincing=clear_and_convincing,
        )
    print(f"{found.case_id}: {found.kind} finding {found.id} recorded")


@case_app.command("assign")
@handle_errors
def assign_cmd(
    case_id: Annotated[str, typer.Argument(help="Case id (CASE-000001) or number.")],
    to: Annotated[str, typer.Option("--to", help="Who works the case ('' for nobody).")],
    actor: Annotated[
        str | None, typer.Option(help="Must be you if given: the actor is the acting user.")
    ] = None,
    note: Annotated[str, typer.Option(help="Why (recorded).")] = "",
) -> None:
    """Assign or reassign a case; the change is a case event in the audit log."""
    store = get_store()
    who = acting(store, Permission.CASES_ASSIGN, actor)
    with store.begin() as conn:
        case = cases.assign(conn, case_id, to, who, note)
    print(f"{case.case_id}: assigned to {case.assignee or 'nobody'}")


@case_app.command("attach")
@handle_errors
def attach_cmd(
    case_id: Annotated[str, typer.Argument(help="Case id (CASE-000001) or number.")],
    files: Annotated[list[Path], typer.Argument(help="Files to attach.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(cases.DOCUMENT_KINDS)}.")],
    supplied_by: Annotated[
        str | None,
        typer.Option("--supplied-by", help="Must be you if given (the acting user supplies)."),
    ] = None,
    statement: Annotated[
        str | None,
        typer.Option(help="A rebuttal statement: the files and statement form one rebuttal."),
    ] = None,
    transaction: Annotated[
        str | None, typer.Option(help="The transaction these documents evidence.")
    ] = None,
) -> None:
    """Attach documents (stored by sha256 under FLSCREEN_HOME/documents) to a case."""
    store = get_store()
    supplied_by = acting(store, Permission.DOCUMENTS_ATTACH, supplied_by)
    with store.begin() as conn:
        stored = cases.attach(
            conn,
            load_settings().documents_dir,
            files,
            kind,
            supplied_by,
            case_ref=case_id,
            transaction_id=transaction,
            statement=statement,
        )
    for d in stored:
        print(f"{d.case_id}: attached {d.filename} ({d.kind}) sha256 {d.sha256}")
    if statement is not None:
        print(f"{stored[0].case_id}: rebuttal recorded with {len(stored)} document(s)")


@case_app.command("attach-transaction")
@handle_errors
def attach_transaction_cmd(
    transaction_id: Annotated[str, typer.Argument(help="Transaction id from the supply package.")],
    files: Annotated[list[Path], typer.Argument(help="Files to attach.")],
    kind: Annotated[str, typer.Option(help=f"One of: {', '.join(cases.DOCUMENT_KINDS)}.")],
    supplied_by: Annotated[
        str | None,
        typer.Option("--supplied-by", help="Must be you if given (the acting user supplies)."),
    ] = None,
) -> None:
    """Attach documents to a transaction outside any case (e.g. before a screen)."""
    store = get_store()
    supplied_by = acting(store, Permission.DOCUMENTS_ATTACH, supplied_by)
    with store.begin() as conn:
        stored = cases.attach(
            conn,
            load_settings().documents_dir,
            files,
            kind,
            supplied_by,
            transaction_id=transaction_id,
        )
    for d in stored:
        print(f"{transaction_id}: attached {d.filename} ({d.kind}) sha256 {d.sha256}")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(case_app, name="case")
