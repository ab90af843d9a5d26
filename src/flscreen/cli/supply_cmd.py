"""``flscreen supply``: import a supply-chain package, show what is stored, re-annotate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from flscreen.cli.common import get_store, handle_errors, out_console
from flscreen.model.supply import Annotations
from flscreen.services.supply import import_package
from flscreen.supply import store as supply_store
from flscreen.supply.annotate import reannotate

COUNT_LABELS = {"ownership": "ownership links", "bom": "BOM lines"}
"""How the summary names the tables whose names are not plain words."""

app = typer.Typer(
    help="Supply-chain packages: import (validated whole), show, re-annotate.",
    no_args_is_help=True,
)


def _summary(found: Annotations) -> dict[str, Any]:
    anns = [*found.parties.values(), *found.facilities.values()]
    first = anns[0] if anns else None
    return {
        "matched": sorted(a.subject_id for a in anns if any(h.status == "match" for h in a.hits)),
        "possible_matches": sorted(
            a.subject_id for a in anns if a.hits and not any(h.status == "match" for h in a.hits)
        ),
        "in_xinjiang": sorted(
            a.subject_id for a in anns if a.location and a.location.status == "xinjiang"
        ),
        "xpcc": sorted(a.subject_id for a in anns if a.location and a.location.xpcc),
        "location_conflict": sorted(
            a.subject_id for a in anns if a.location and a.location.status == "conflict"
        ),
        "list_versions": list(first.list_versions) if first else [],
        "matcher": first.matcher if first else None,
        "gazetteer": first.gazetteer if first else None,
    }


def _print_summary(title: str, counts: dict[str, int], summary: dict[str, Any]) -> None:
    out_console.print(f"[bold]{title}[/]", highlight=False)
    if counts:
        out_console.print("  " + ", ".join(f"{v} {k}" for k, v in counts.items()), highlight=False)
    versions = ", ".join(summary["list_versions"]) or "no lists imported yet"
    out_console.print(
        f"  annotated with lists {versions}; matcher {summary['matcher']}; "
        f"region {summary['gazetteer']}",
        highlight=False,
    )
    for key, label in (
        ("matched", "list matches"),
        ("possible_matches", "possible list matches (review)"),
        ("in_xinjiang", "located in Xinjiang"),
        ("xpcc", "XPCC units or places"),
        ("location_conflict", "conflicting location signals"),
    ):
        if summary[key]:
            out_console.print(f"  {label}: {', '.join(summary[key])}", highlight=False)


@app.command("import")
@handle_errors
def import_cmd(
    path: Annotated[
        Path, typer.Argument(help="Folder of CSV files, .xlsx workbook or .json file.")
    ],
    as_json: Annotated[bool, typer.Option("--json", help="Print the outcome as JSON.")] = False,
) -> None:
    """Validate a package whole, then store it and annotate its parties and facilities.

    Every problem is listed with file, row and field; nothing is written if
    any is found.
    """
    done = import_package(get_store(), path)
    counts = {COUNT_LABELS.get(name, name): n for name, n in done.counts.items()}
    summary = _summary(done.annotations)
    if as_json:
        outcome = {"import_id": done.import_id, "counts": counts, **summary}
        print(json.dumps(outcome, ensure_ascii=False))
        return
    _print_summary(f"imported package #{done.import_id} from {path}", counts, summary)


@app.command("show")
@handle_errors
def show_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Imports, record counts and the current annotations."""
    store = get_store()
    with store.connect() as conn:
        imports = supply_store.list_imports(conn)
        pkg = supply_store.load_package(conn)
        found = supply_store.load_annotations(conn)
    counts = {
        "parties": len(pkg.parties),
        "facilities": len(pkg.facilities),
        "transactions": len(pkg.transactions),
        "shipments": len(pkg.shipments),
    }
    summary = _summary(found)
    if as_json:
        print(
            json.dumps(
                {
                    "imports": imports,
                    "counts": counts,
                    "shipments": [s.shipment_id for s in pkg.shipments],
                    **summary,
                },
                ensure_ascii=False,
            )
        )
        return
    for row in imports:
        out_console.print(
            f"#{row['import_id']} {row['imported_at']} {row['source']}", highlight=False
        )
    _print_summary("stored supply data", counts, summary)
    if pkg.shipments:
        out_console.print(
            "  shipments: " + ", ".join(s.shipment_id for s in pkg.shipments), highlight=False
        )


@app.command("annotate")
@handle_errors
def annotate_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Match and locate every stored party and facility again (after a list update)."""
    found = reannotate(get_store())
    summary = _summary(found)
    if as_json:
        print(json.dumps(summary, ensure_ascii=False))
        return
    _print_summary("re-annotated stored parties and facilities", {}, summary)


def register(app_: typer.Typer) -> None:
    """Add this module's commands to the root app."""
    app_.add_typer(app, name="supply")
