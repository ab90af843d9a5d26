"""CLI commands for locate (registered by flscreen.cli.main)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape

from flscreen.cli.common import (
    err_console,
    handle_errors,
    out_console,
    print_notes,
    with_progress,
)
from flscreen.errors import InvalidInput, Problem
from flscreen.model.region import Location
from flscreen.records import Record, open_output, read_records, write_jsonl
from flscreen.region import LocateQuery, locate

FIELDS = ("address", "postal_code", "phone", "registration_id", "name", "country")
PROGRESS_FROM = 1000


# Other headers supplier files use for the same fields (matched case-insensitively).
ALIASES = {
    "uscc": "registration_id",
    "postcode": "postal_code",
    "zip": "postal_code",
    "tel": "phone",
    "telephone": "phone",
}


# Address parts that supplier files keep in their own columns; joined after
# ``address`` in this order, so "city" and "province" columns count too.
ADDRESS_PARTS = ("address2", "street", "district", "county", "city", "province", "state", "region")


def _text(value: object) -> str | None:
    """Text of a cell: numbers as written, lists of strings joined; None for anything else."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "; ".join(value)
    return None


def _query(source: str, row: int, record: Record, problems: list[Problem]) -> LocateQuery | None:
    """A LocateQuery from one record; numbers and lists of strings are accepted as text."""
    fields: Record = {}
    for key, value in record.items():
        name = str(key).strip().lower().replace(" ", "_")
        fields.setdefault(ALIASES.get(name, name), value)
    values: dict[str, str | None] = {}
    ok = True
    for field in (*FIELDS, *ADDRESS_PARTS):
        value = fields.get(field)
        if value is None or value == "" or value == []:
            values[field] = None
            continue
        text = _text(value)
        if text is None:
            problems.append(Problem(source, "expected text", row=row, field=field))
            ok = False
        values[field] = text
    if not ok:
        return None
    parts = [values.pop(p) for p in ("address", *ADDRESS_PARTS)]
    address = ", ".join(p for p in parts if p and p.strip()) or None
    return LocateQuery(id=str(record["id"]), address=address, **values)


def _print_answer(loc: Location) -> None:
    colour = {"xinjiang": "red", "conflict": "yellow", "elsewhere": "green"}.get(
        loc.status, "white"
    )
    out_console.print(
        f"[bold {colour}]{loc.status}[/]  confidence {loc.confidence:.3f}"
        + ("  [bold]XPCC[/]" if loc.xpcc else ""),
        highlight=False,
    )
    if loc.division_code:
        out_console.print(
            f"division: {escape(loc.division_code)}  {escape(loc.division_name or '')}",
            highlight=False,
        )
    if not loc.signals:
        out_console.print("no signals: nothing in the record names a place", highlight=False)
    for s in loc.signals:
        arrow = {True: "-> Xinjiang", False: "-> elsewhere", None: "   not counted"}[s.in_xinjiang]
        weight = f" ({s.weight:.2f})" if s.in_xinjiang is not None else ""
        out_console.print(
            f"  {arrow}{weight}  [bold]{s.kind}[/] {escape(s.value)!r}: {escape(s.detail)}",
            highlight=False,
        )


@handle_errors
def locate_cmd(
    input: Annotated[
        str | None,
        typer.Argument(
            help="JSON lines or CSV of {id, address?, postal_code?, phone?, "
            "registration_id?, name?, country?}; '-' reads stdin.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write JSON lines here (default: stdout)."),
    ] = None,
    address: Annotated[
        str | None, typer.Option("--address", help="Locate one address and explain it.")
    ] = None,
    uscc: Annotated[
        str | None, typer.Option("--uscc", help="Unified social credit code, with --address.")
    ] = None,
    phone: Annotated[str | None, typer.Option("--phone", help="Telephone number.")] = None,
    postal_code: Annotated[str | None, typer.Option("--postal-code", help="Postal code.")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Company name.")] = None,
    country: Annotated[str | None, typer.Option("--country", help="Country.")] = None,
) -> None:
    """Tell whether each party or facility is in Xinjiang, and exactly why."""
    single = any(v is not None for v in (address, uscc, phone, postal_code, name))
    if input is not None and single:
        raise InvalidInput("give either an INPUT file or --address/--uscc/..., not both")
    if input is None:
        if not single and country is None:
            raise InvalidInput(
                "nothing to locate: give an INPUT file (or '-') or --address \"...\""
            )
        loc = locate(
            LocateQuery(
                id="-",
                address=address,
                postal_code=postal_code,
                phone=phone,
                registration_id=uscc,
                name=name,
                country=country,
            )
        )
        _print_answer(loc)
        return
    problems: list[Problem] = []
    source = "<stdin>" if input == "-" else input
    queries: list[LocateQuery] = []
    notes: list[Problem] = []
    for row, record in read_records(input, required=("id",), notes=notes):
        query = _query(source, row, record, problems)
        if query is not None:
            queries.append(query)
    print_notes(notes)
    if problems:
        raise InvalidInput(problems)
    counts: dict[str, Any] = {}
    with open_output(output) as handle:
        for query in with_progress(queries, "locating", PROGRESS_FROM, every=500):
            loc = locate(query)
            counts[loc.status] = counts.get(loc.status, 0) + 1
            write_jsonl(handle, loc.to_dict())
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    err_console.print(f"located {len(queries)} record(s): {summary}", highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``flscreen locate``."""
    app.command("locate")(locate_cmd)
