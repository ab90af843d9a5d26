"""``flscreen trace``: one shipment in memory, or every shipment in batch (DuckDB or Spark)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from flscreen.cli.common import err_console, get_store, handle_errors, out_console
from flscreen.errors import InvalidInput
from flscreen.model.trace import TraceResult
from flscreen.records import open_output
from flscreen.trace import SupplyGraph, TraceConfig, load_config, load_graph, trace_shipment

ENGINES = ("duckdb", "spark", "memory")


def _fmt_qty(q: float | None, unit: str | None) -> str:
    if q is None:
        return "?"
    return f"{q:,.0f} {unit or ''}".strip() if q == int(q) else f"{q:,.2f} {unit or ''}".strip()


def render(result: TraceResult, graph: SupplyGraph) -> None:
    """A readable account of one trace: verdict line, paths with documents, gaps, shortfalls."""
    s = graph.shipments.get(result.shipment)
    head = f"[bold]{result.shipment}[/]"
    if s is not None:
        head += (
            f"  {s.product} ({s.hs_code}), {_fmt_qty(s.quantity, s.unit)}, {s.date}, "
            f"made by {graph.party_name(s.manufacturer_id)}, exported by "
            f"{graph.party_name(s.exporter_id)}, declared origin {s.declared_origin or '?'}"
        )
    out_console.print(head, highlight=False)
    possible = [p for p in result.paths if p.source.confidence == "possible"]
    if result.tainted:
        out_console.print(
            f"[bold red]TAINTED[/]: {len(result.paths)} path(s) to Xinjiang or listed parties",
            highlight=False,
        )
    elif possible:
        out_console.print(
            f"[bold yellow]REVIEW[/]: {len(possible)} path(s) to possible sources", highlight=False
        )
    elif result.gaps or result.mass_balance:
        out_console.print(
            f"[bold yellow]no tainted path found, but the chain is not fully documented[/]: "
            f"{len(result.gaps)} gap(s), {len(result.mass_balance)} mass-balance shortfall(s)",
            highlight=False,
        )
    else:
        out_console.print(
            "[bold green]no tainted path found[/]; every priority-sector input is documented "
            "to raw material",
            highlight=False,
        )
    for i, path in enumerate(result.paths, start=1):
        src = path.source
        share = "share unknown" if path.share is None else f"{path.share:.0%} of the input"
        out_console.print(
            f"\n  path {i} \\[{src.kind}, {src.confidence}] {share}: {escape(src.detail)}",
            highlight=False,
        )
        if not path.steps:
            out_console.print("    (the shipment's own manufacturer or exporter)", highlight=False)
        for step in path.steps:
            part = "" if step.share_of_input is None else f", {step.share_of_input:.0%} of buyer's"
            docs = ", ".join(step.documents) or "no documents"
            out_console.print(
                f"    {step.date} {step.transaction_id}: {step.supplier_name} -> "
                f"{step.buyer_name}: {step.material} {_fmt_qty(step.quantity, step.unit)}"
                f"{part} \\[{escape(docs)}]",
                highlight=False,
            )
    if result.gaps:
        out_console.print(
            "\n  [bold]gaps[/] (priority-sector inputs not documented to raw material):"
        )
        for gap in result.gaps:
            out_console.print(f"    {gap.reason}: {escape(gap.detail)}", highlight=False)
    if result.mass_balance:
        out_console.print("\n  [bold]mass-balance shortfalls[/]:")
        for m in result.mass_balance:
            where = f" facility {m.facility_id}" if m.facility_id else ""
            required = m.required if m.required is not None else m.outputs / m.yield_factor
            out_console.print(
                f"    {escape(graph.party_name(m.party_id))}{where}, {m.material} through "
                f"{m.period}: sold {_fmt_qty(m.outputs, m.output_unit or m.unit)} needs "
                f"{_fmt_qty(required, m.unit)} of {m.input_material} ({m.rule_text}), "
                f"documented {_fmt_qty(m.inputs, m.unit)}: shortfall "
                f"{_fmt_qty(m.shortfall, m.unit)}",
                highlight=False,
            )


def _config(config: Path | None, lookback: int | None, threshold: float | None) -> TraceConfig:
    return load_config(config, lookback_days=lookback, ownership_threshold=threshold)


def _batch(
    graph: SupplyGraph, cfg: TraceConfig, engine: str, stage: Callable[[str], None]
) -> Iterator[TraceResult]:
    if engine == "memory":
        for sid in sorted(graph.shipments):
            yield trace_shipment(graph, sid, cfg)
        return
    from flscreen.batch import run_batch_on_graph

    def progress(name: str, done: int, total: int) -> None:
        stage(name)

    yield from run_batch_on_graph(graph, cfg, engine=engine, progress=progress)
    stage("done")


def trace_command(
    shipment_id: Annotated[
        str | None, typer.Argument(help="The shipment (customs entry) id to trace.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Trace every stored shipment.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the TraceResult JSON.")] = False,
    engine: Annotated[
        str, typer.Option(help="Batch engine for --all: duckdb (default), spark or memory.")
    ] = "duckdb",
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="JSONL file for --all ('-' = stdout).")
    ] = None,
    config: Annotated[
        Path | None, typer.Option(help="YAML tracing config overlaying the defaults.")
    ] = None,
    lookback_days: Annotated[
        int | None, typer.Option(help="Days each hop looks back (default 365).")
    ] = None,
    ownership_threshold: Annotated[
        float | None, typer.Option(help="Percent owned by listed parties that taints (50).")
    ] = None,
) -> None:
    """Trace a shipment upstream to Xinjiang, listed parties, gaps and mass-balance shortfalls."""
    cfg = _config(config, lookback_days, ownership_threshold)
    if engine not in ENGINES:
        raise InvalidInput(f"unknown engine {engine!r}; use one of {', '.join(ENGINES)}")
    if all_ == (shipment_id is not None):
        raise InvalidInput("give a SHIPMENT_ID or --all (not both)")
    store = get_store()
    with store.connect() as conn:
        graph = load_graph(conn)
    if shipment_id is not None:
        result = trace_shipment(graph, shipment_id, cfg)
        if as_json:
            print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        else:
            render(result, graph)
        return
    total = len(graph.shipments)
    tainted = 0
    with (
        open_output(output) as handle,
        Progress(
            TextColumn(f"tracing ({engine}): {{task.fields[stage]}}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=output in (None, "-"),
        ) as progress,
    ):
        task = progress.add_task("trace", total=total, stage="starting")

        def stage(name: str) -> None:
            progress.update(task, stage=name)

        for result in _batch(graph, cfg, engine, stage):
            tainted += result.tainted
            # orjson writes the dataclasses directly: the same JSON as to_dict(), much faster
            handle.write(orjson.dumps(result).decode() + "\n")
            progress.advance(task)
    err_console.print(f"{total} shipment(s) traced, {tainted} tainted", highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app.command("trace")(handle_errors(trace_command))
