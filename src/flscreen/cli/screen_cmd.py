"""``flscreen screen``: verdicts for every shipment under a policy; and re-screening
after a list update (hooked into ``flscreen lists import/update``)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from flscreen.cli.common import acting, err_console, get_store, handle_errors, out_console
from flscreen.errors import FlscreenError, InvalidInput
from flscreen.identity.roles import Permission
from flscreen.records import open_output, write_bytes, write_jsonl
from flscreen.reports.rows import VERDICT_COLUMNS, verdict_row
from flscreen.reports.tabular import FORMATS as TABULAR_FORMATS
from flscreen.reports.tabular import export as export_rows
from flscreen.store import Store

STYLE = {"clear": "green", "review": "yellow", "detain": "red", "exclude": "bold red"}


@handle_errors
def screen_cmd(
    package: Annotated[
        str | None,
        typer.Argument(help="A supply package (CSV folder, .xlsx, .json) to import first."),
    ] = None,
    policy: Annotated[
        str, typer.Option(help="Policy name (uflpa, eu-flr, uk-proposed) or a policy YAML file.")
    ] = "uflpa",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write one JSON line per shipment here.")
    ] = None,
    shipment: Annotated[
        list[str] | None, typer.Option(help="Screen only this shipment (repeatable).")
    ] = None,
    actor: Annotated[str | None, typer.Option(help="Who screens (recorded).")] = None,
    engine: Annotated[
        str, typer.Option(help="Tracing engine: memory, or duckdb/spark (SQL) for large stores.")
    ] = "memory",
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="Of --output: jsonl (default), or csv / xlsx with one row per shipment "
            "(verdict, first reason, evidence, list versions).",
        ),
    ] = "jsonl",
) -> None:
    """Trace and decide every shipment in the store; record verdicts and open cases.

    Prints a summary table; ``--output`` writes {"shipment", "verdict", "reasons",
    "policy", "policy_version", "list_versions"} per shipment ('-' for stdout).
    """
    from flscreen.policy import load_policy
    from flscreen.policy.screening import screen_store
    from flscreen.services.supply import import_package

    if fmt not in ("jsonl", *TABULAR_FORMATS):
        raise InvalidInput(f"unknown format {fmt!r}: use jsonl, csv or xlsx", source="--format")
    chosen = load_policy(policy)  # bad policy: refused before anything is written
    store = get_store()
    who = acting(store, Permission.SCREEN, actor)
    if package is not None and _unchanged(store, package):
        # Screening the store again after a list update: the package is not imported
        # a second time (no new import, no second annotation of its parties).
        err_console.print(f"{package}: already in the store, unchanged; not imported again")
    elif package is not None:
        done = import_package(store, package)
        err_console.print(
            f"imported {package}: " + ", ".join(f"{v} {k}" for k, v in done.counts.items() if v),
            highlight=False,
        )
    with Progress(
        TextColumn("[bold]screening"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task("screen", total=None)
        results = screen_store(
            store,
            chosen,
            actor=who,
            shipment_ids=shipment or None,
            progress=lambda n: bar.update(task, completed=n),
            engine=engine,
        )
    if output is not None:
        try:
            if fmt == "jsonl":
                with open_output(output) as handle:
                    for r in results:
                        write_jsonl(handle, r.verdict.to_dict())
            else:
                rows = [verdict_row(r.verdict, r.case_id) for r in results]
                write_bytes(output, export_rows(rows, fmt, VERDICT_COLUMNS, sheet="verdicts")[0])
        except OSError as exc:
            # The verdicts are stored; only the file could not be written.
            raise InvalidInput(
                f"cannot write {output}: {exc.strerror or exc} (the verdicts are stored: "
                "run `flscreen screen --output ...` again to export them)",
                source="--output",
            ) from None
    if output == "-":
        return
    table = Table(title=f"{len(results)} shipment(s) under {chosen.name} {chosen.version}")
    for col in ("shipment", "verdict", "case", "reasons", "first reason"):
        table.add_column(col, overflow="fold")
    for r in results:
        raised = [x for x in r.verdict.reasons if x.outcome != "clear"] or list(r.verdict.reasons)
        by_code: dict[str, int] = {}
        for x in raised:
            by_code[x.code] = by_code.get(x.code, 0) + 1
        codes = ", ".join(f"{c} x{n}" if n > 1 else c for c, n in by_code.items())
        text = raised[0].text
        table.add_row(
            escape(r.shipment_id),
            f"[{STYLE[r.verdict.outcome]}]{r.verdict.outcome}[/]",
            r.case_id or "",
            escape(codes),
            escape(text if len(text) <= 160 else text[:159] + "…"),
        )
    out_console.print(table)
    tally: dict[str, int] = {}
    for r in results:
        tally[r.verdict.outcome] = tally.get(r.verdict.outcome, 0) + 1
    out_console.print(
        "  " + ", ".join(f"{n} {o}" for o, n in sorted(tally.items())), highlight=False
    )


def _after_list_import(store: Store, outcome: object) -> None:
    """Re-screen after a new list version and tell the user what changed."""
    from flscreen.policy.screening import rescreen

    name = getattr(outcome, "list_name", "?")
    version = getattr(outcome, "version", None)
    try:
        who = acting(store, Permission.LISTS_IMPORT)
        report = rescreen(store, actor=who, trigger={"list": name, "version": version})
    except FlscreenError as exc:
        # The list version is stored either way; say why re-screening did not happen.
        err_console.print(f"[yellow]re-screening skipped:[/] {escape(str(exc))}", highlight=False)
        return
    if not report.changed:
        err_console.print(
            f"re-screened {report.screened} shipment(s) after {name} v{version}: nothing changed",
            highlight=False,
        )
        return
    for p in report.parties:
        err_console.print(
            f"[yellow]hits changed[/] {escape(p['id'])} {escape(p['name'] or '')}: "
            f"+{len(p['added'])} -{len(p['removed'])} "
            + escape("; ".join(f"{a[0]}:{a[1]} ({a[2]})" for a in p["added"])),
            highlight=False,
        )
    for s in report.shipments:
        err_console.print(
            f"[bold]verdict changed[/] {escape(s['shipment'])} under {s['policy']}: "
            f"{s['before']} -> [{STYLE.get(s['after'], '')}]{s['after']}[/]"
            + (f" (case {s['case']})" if s["case"] else ""),
            highlight=False,
        )
    err_console.print("details: flscreen audit log --kind rescreen", highlight=False)


policy_app = typer.Typer(
    help="Presumption policies: list the bundled ones, print one to copy, check your own.",
    no_args_is_help=True,
)


@policy_app.command("list")
@handle_errors
def policy_list_cmd() -> None:
    """The bundled policies with their versions and status."""
    from flscreen.policy import bundled_policies, load_policy

    table = Table()
    for col in ("name", "version", "status", "approach", "title"):
        table.add_column(col)
    for name in bundled_policies():
        p = load_policy(name)
        table.add_row(p.name, p.version, p.status, p.approach, escape(p.title))
    out_console.print(table)


@policy_app.command("show")
@handle_errors
def policy_show_cmd(
    name: Annotated[str, typer.Argument(help="A bundled policy name.")],
) -> None:
    """Print a bundled policy's YAML (redirect it to a file to start your own)."""
    from importlib import resources

    from flscreen.policy import load_policy

    load_policy(name)  # unknown names are refused with the list of known ones
    text = resources.files("flscreen.policy").joinpath("policies", f"{name}.yml")
    print(text.read_text(encoding="utf-8"), end="")


@policy_app.command("check")
@handle_errors
def policy_check_cmd(
    path: Annotated[str, typer.Argument(help="A policy YAML file.")],
) -> None:
    """Validate a policy file; every problem is listed (exit 2) or it is confirmed."""
    from flscreen.policy import load_policy

    p = load_policy(path)
    print(
        f"{path}: valid policy {p.name} version {p.version} ({p.approach}, "
        f"{len(p.sources.lists)} list rule(s), {len(p.priority_sectors)} priority sector(s))"
    )


def register(app: typer.Typer) -> None:
    """Add ``flscreen screen`` and ``flscreen policy``; hook re-screening into list imports."""
    from flscreen.lists.service import register_after_import

    app.command("screen")(screen_cmd)
    app.add_typer(policy_app, name="policy")
    register_after_import(_after_list_import)


def _unchanged(store: Store, package: str) -> bool:
    """Whether the package at ``package`` was imported from this path before and every
    record of it is stored as it is now (a package never imported from here is not read
    twice: it is validated once, by the import)."""
    from pathlib import Path

    import sqlalchemy as sa

    from flscreen.supply import load_package
    from flscreen.supply.store import already_stored, imports

    path = Path(package)
    with store.connect() as conn:
        seen = conn.execute(
            sa.select(imports.c.import_id).where(imports.c.source == str(path.resolve())).limit(1)
        ).first()
        return seen is not None and already_stored(conn, load_package(path))
