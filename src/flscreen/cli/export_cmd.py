"""``flscreen export``: lists, supply chain and verdict evidence as FollowTheMoney entities."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from flscreen.cli.common import err_console, get_store, handle_errors
from flscreen.errors import InvalidInput


@handle_errors
def export_cmd(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="JSON-lines file to write ('-' for stdout)."),
    ] = Path("flscreen-entities.ftm.json"),
    part: Annotated[
        list[str] | None,
        typer.Option("--part", help="lists, supply or verdicts (repeat; default: all three)."),
    ] = None,
    list_names: Annotated[
        list[str] | None,
        typer.Option("--list", help="Only these lists (repeat; default: every list)."),
    ] = None,
) -> None:
    """Write the store as FollowTheMoney entities, one JSON object per line.

    Lists (entries, their listings with list version and sha256, their links), the
    declared supply chain (parties, facilities, ownership, purchases and shipments as
    EconomicActivity) and verdict evidence (a Risk per shipment's latest verdict, a
    Similar per list hit), readable by Aleph, ftm and OpenSanctions' tools.
    """
    from flscreen.compat.export import PARTS, export_entities

    parts = tuple(part or PARTS)
    unknown = [p for p in parts if p not in PARTS]
    if unknown:
        raise InvalidInput(f"unknown part {unknown[0]!r}: use {', '.join(PARTS)}", source="--part")
    store = get_store()
    count = 0
    to_stdout = str(output) == "-"
    tmp = output.with_name(output.name + ".part")
    try:
        handle = sys.stdout.buffer if to_stdout else tmp.open("wb")
    except OSError as exc:
        raise InvalidInput(
            f"cannot write {output}: {exc.strerror or exc}", source="--output"
        ) from None
    try:
        with (
            store.connect() as conn,
            Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                console=err_console,
                transient=True,
            ) as progress,
        ):
            task = progress.add_task("exporting entities", total=None)
            for proxy in export_entities(conn, parts, list_names):
                handle.write(orjson.dumps(proxy.to_dict()) + b"\n")
                count += 1
                if count % 1000 == 0:
                    progress.update(task, description=f"exporting entities: {count:,}")
        if not to_stdout:
            handle.close()
            tmp.replace(output)
    finally:
        if not to_stdout and not handle.closed:
            handle.close()
            tmp.unlink(missing_ok=True)
    err_console.print(f"wrote {count:,} entities ({', '.join(parts)}) to {output}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``flscreen export``."""
    app.command("export")(export_cmd)
