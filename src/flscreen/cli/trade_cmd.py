"""``flscreen trade``: import bills of lading; infer firms, supply edges and red flags."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flscreen.cli.common import acting, err_console, get_store, handle_errors, out_console
from flscreen.identity.roles import Permission

app = typer.Typer(
    help="Trade records (bills of lading): import, then infer firms, supply edges and red flags.",
    no_args_is_help=True,
)


@app.command("import")
@handle_errors
def import_cmd(
    path: Annotated[str, typer.Argument(help="A .csv, .tsv or .parquet file of trade records.")],
    column_map: Annotated[
        str | None,
        typer.Option(
            "--column-map", help="YAML/JSON mapping canonical field -> this file's header."
        ),
    ] = None,
) -> None:
    """Validate every row and store the records (all or none; bad rows are listed)."""
    from flscreen.trade.read import load_column_map
    from flscreen.trade.service import import_file

    store = get_store()
    acting(store, Permission.SHIPMENTS_IMPORT)
    mapping = load_column_map(column_map) if column_map else None
    n = import_file(store, path, mapping)
    out_console.print(f"imported {n} trade record(s) from {escape(path)}", highlight=False)


@app.command("infer")
@handle_errors
def infer_cmd(
    engine: Annotated[str, typer.Option(help="duckdb (default) or spark.")] = "duckdb",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write the flags as JSON lines ('-').")
    ] = None,
) -> None:
    """Resolve firms, locate them, link them to supply parties and lists, infer edges, flag."""
    from flscreen.errors import InvalidInput
    from flscreen.records import open_output, write_jsonl
    from flscreen.trade.service import infer

    if engine not in ("duckdb", "spark"):
        raise InvalidInput(f"unknown engine {engine!r}: duckdb or spark", source="--engine")
    store = get_store()
    acting(store, Permission.SHIPMENTS_IMPORT)
    result = infer(store, engine)
    if output is not None:
        with open_output(output) as handle:
            for flag in result["flags"]:
                write_jsonl(handle, flag)
        if output == "-":
            return
    counts = result["counts"]
    out_console.print(
        "  " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()), highlight=False
    )
    if result["flags"]:
        table = Table(title=f"{len(result['flags'])} red flag(s)")
        for col in ("kind", "party", "firm", "detail"):
            table.add_column(col, overflow="fold")
        for f in result["flags"]:
            table.add_row(f["kind"], f["party_id"] or "", f["firm_id"] or "", escape(f["detail"]))
        out_console.print(table)
    err_console.print(
        "inferred edges are used by `flscreen screen` as their own evidence kind", highlight=False
    )


@app.command("firms")
@handle_errors
def firms_cmd(
    firm: Annotated[str | None, typer.Argument(help="One firm id: print it in full.")] = None,
) -> None:
    """The firms of the last inference (one in full, with why its spellings are one firm)."""
    import sqlalchemy as sa

    from flscreen.errors import NotFound
    from flscreen.trade import store as tstore

    with get_store().connect() as conn:
        query = sa.select(tstore.firms).order_by(tstore.firms.c.firm_id)
        if firm is not None:
            query = query.where(tstore.firms.c.firm_id == firm)
        rows = [dict(r._mapping) for r in conn.execute(query)]
    if firm is not None:
        if not rows:
            raise NotFound(f"no firm {firm!r}: run `flscreen trade firms` for the list")
        print(json.dumps(rows[0], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{len(rows)} firm(s)")
    for col in ("firm", "name", "country", "records", "spellings", "location", "parties"):
        table.add_column(col, overflow="fold")
    for r in rows:
        table.add_row(
            r["firm_id"],
            escape(r["name"]),
            r["country"] or "",
            str(r["records"]),
            str(len(r["names"])),
            (r["location"] or {}).get("status", ""),
            ", ".join(p["party_id"] for p in r["parties"]),
        )
    out_console.print(table)


def register(root: typer.Typer) -> None:
    root.add_typer(app, name="trade")
