"""CLI commands for lists (registered by flscreen.cli.main): import, show, diff, entries, update."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from flscreen.cli.common import acting, err_console, get_store, handle_errors, out_console
from flscreen.identity.roles import Permission
from flscreen.lists import store as lists_store
from flscreen.lists.detect import FORMATS
from flscreen.lists.service import ImportOutcome, after_import, import_list
from flscreen.lists.versions import diff_versions, entry_summary
from flscreen.services.lists import lists_overview, outcome_json
from flscreen.store import Store

lists_app = typer.Typer(
    help="Screening lists: import official and own lists, keep every version, diff them.",
    no_args_is_help=True,
)

FORMAT_HELP = "List format (guessed when omitted): " + ", ".join(FORMATS)


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int], None]]:
    """A live entry counter on stderr for long imports (silent when not a terminal)."""
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        TextColumn("{task.completed:,} entries"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    ) as bar:
        task = bar.add_task(label, total=None)
        yield lambda done: bar.update(task, completed=done)


def _report(outcome: ImportOutcome, as_json: bool) -> None:
    for warning in outcome.warnings[:20]:
        err_console.print(f"[yellow]note:[/] {warning}", highlight=False)
    if len(outcome.warnings) > 20:
        err_console.print(f"[yellow]... and {len(outcome.warnings) - 20} more notes[/]")
    for problem in outcome.problems[:20]:
        err_console.print(f"[yellow]skipped:[/] {problem}", highlight=False)
    if outcome.skipped > 20:
        err_console.print(f"[yellow]... and {outcome.skipped - 20} more skipped[/]")
    if as_json:
        print(json.dumps(outcome_json(outcome)))
    elif outcome.unchanged:
        latest = outcome.ref.version if outcome.ref else "?"
        print(f"{outcome.list_name}: unchanged (same content as version {latest})")
    else:
        skipped = f", {outcome.skipped} skipped" if outcome.skipped else ""
        print(
            f"{outcome.list_name}: version {outcome.version} created "
            f"({outcome.entry_count} entries{skipped}; format {outcome.format})"
        )


def run_import(
    store: Store, path: str, list_name: str, fmt: str | None, strict: bool
) -> ImportOutcome:
    """Import with a progress counter; used by ``lists import`` and the demo."""
    with _progress(f"importing {list_name}") as tick:
        return import_list(
            store,
            path,
            list_name,
            fmt=fmt,
            strict=strict,
            progress=tick,
            actor=acting(store, Permission.LISTS_IMPORT),
        )


@lists_app.command("import")
@handle_errors
def import_cmd(
    path: Annotated[str, typer.Argument(help="File, OFAC folder, or '-' for stdin.")],
    list_name: Annotated[str, typer.Option("--list", "-l", help="List name, e.g. uflpa.")],
    fmt: Annotated[str | None, typer.Option("--format", "-f", help=FORMAT_HELP)] = None,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict", help="Refuse the whole file if any record is bad or needs a caveat."
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Import a list file as a new version ("unchanged" if identical to the latest)."""
    store = get_store()
    outcome = run_import(store, path, list_name, fmt, strict)
    _report(outcome, as_json)
    after_import(store, outcome)


@lists_app.command("show")
@handle_errors
def show_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Lists, their versions, entry counts, sources and hashes."""
    store = get_store()
    with store.connect() as conn:
        if as_json:
            print(json.dumps(lists_overview(conn), ensure_ascii=False, indent=2))
            return
        refs = lists_store.list_versions_of(conn)
    if not refs:
        print("no lists imported yet (try: flscreen lists import FILE --list NAME)")
        return
    table = Table(title="Lists (full sources and sha256: --json)")
    for column in ("list", "v", "entries", "format", "imported (UTC)", "source"):
        table.add_column(column, overflow="fold", no_wrap=column != "source")
    for ref in refs:
        table.add_row(
            ref.list_name,
            str(ref.version),
            str(ref.entry_count),
            ref.format or "",
            ref.imported_at[:16].replace("T", " "),
            _short_source(ref.source),
        )
    out_console.print(table)


def _short_source(source: str) -> str:
    """The file name of a path or URL (the full source is in ``--json``)."""
    tail = source.rstrip("/").rsplit("/", 1)[-1]
    return tail or source


def _fmt_value(value: Any) -> str:
    if isinstance(value, list):
        return "; ".join(_fmt_value(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
    return "-" if value is None else str(value)


@lists_app.command("diff")
@handle_errors
def diff_cmd(
    list_name: Annotated[str, typer.Argument(help="List name.")],
    from_version: Annotated[
        int | None, typer.Option("--from", help="Older version (default: the one before --to).")
    ] = None,
    to_version: Annotated[
        int | None, typer.Option("--to", help="Newer version (default: latest).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Entries added, removed and changed (with the fields that changed) between versions."""
    store = get_store()
    with store.connect() as conn:
        diff = diff_versions(conn, list_name, from_version, to_version)
    if as_json:
        print(json.dumps(diff.to_json(), ensure_ascii=False, indent=2))
        return
    start = diff.from_ref.version if diff.from_ref else "(empty)"
    print(
        f"{list_name}: version {start} -> {diff.to_ref.version}: {len(diff.added)} added, "
        f"{len(diff.removed)} removed, {len(diff.changed)} changed"
    )
    for entry in diff.added:
        print(f"+ {entry.entry_id}  {entry.name}")
    for entry in diff.removed:
        print(f"- {entry.entry_id}  {entry.name}")
    for change in diff.changed:
        print(f"~ {change.entry_id}  {change.name}")
        for name, values in change.fields.items():
            print(f"    {name}: {_fmt_value(values['from'])} -> {_fmt_value(values['to'])}")


@lists_app.command("entries")
@handle_errors
def entries_cmd(
    list_name: Annotated[str, typer.Argument(help="List name.")],
    version: Annotated[int | None, typer.Option("--version", help="Default: latest.")] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON object per line, with the raw record.")
    ] = False,
    limit: Annotated[
        int, typer.Option("--limit", help="Rows in the table (JSON output is never cut).")
    ] = 500,
) -> None:
    """The entries of a list version."""
    store = get_store()
    pins = {list_name: version} if version is not None else None
    with store.connect() as conn:
        rows = lists_store.iter_entries(conn, [list_name], pins)
        if as_json:
            for ref, entry in rows:
                data = lists_store.entry_to_dict(entry)
                data["list"] = ref.list_name
                data["version"] = ref.version
                sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
            return
        table = Table(title=f"{list_name}")
        for column in ("entry_id", "schema", "name", "aliases", "programs", "listed_on"):
            table.add_column(column, overflow="fold")
        count = 0
        for _ref, entry in rows:
            count += 1
            if count > limit:
                continue
            summary = entry_summary(entry)
            table.add_row(
                entry.entry_id,
                entry.schema,
                entry.name,
                _fmt_value(summary["aliases"] + summary["former_names"]),
                _fmt_value(summary["programs"]),
                entry.listed_on or "",
            )
    out_console.print(table)
    shown = f" ({limit} shown; --json or --limit for all)" if count > limit else ""
    print(f"{count} entries{shown}")


@lists_app.command("update")
@handle_errors
def update_cmd(
    list_name: Annotated[
        str | None, typer.Option("--list", "-l", help="Only this list (default: all).")
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config",
            help="YAML file of list sources (lists: {name: {url, format}}); "
            "default $FLSCREEN_LISTS_CONFIG, else the built-in official URLs.",
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print outcomes as JSON.")] = False,
) -> None:
    """Fetch each configured list from its official URL and import it if it changed."""
    from flscreen.lists.fetch import ListSource, load_sources, update_lists

    env_config = os.environ.get("FLSCREEN_LISTS_CONFIG")
    sources = load_sources(config or (Path(env_config) if env_config else None), os.environ)
    store = get_store()

    def announce(source: ListSource) -> None:
        err_console.print(f"fetching {source.name} from {source.label}", highlight=False)

    for outcome in update_lists(store, sources, only=list_name, announce=announce):
        _report(outcome, as_json)
        after_import(store, outcome)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.add_typer(lists_app, name="lists")
