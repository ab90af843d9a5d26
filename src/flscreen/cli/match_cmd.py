"""CLI commands for matching: ``match`` (screen parties), ``judge`` and ``judgements``."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from flscreen.cli.common import (
    acting,
    err_console,
    get_store,
    handle_errors,
    out_console,
    print_notes,
    with_progress,
)
from flscreen.errors import InvalidInput, Problem
from flscreen.identity.roles import Permission
from flscreen.lists.service import ImportOutcome, register_after_import
from flscreen.matching import ALGORITHM, DEFAULT_THRESHOLD, REVIEW_THRESHOLD, Matcher, Query
from flscreen.matching.judgements import iter_judgements
from flscreen.matching.persist import matcher_for
from flscreen.matching.query import party_key
from flscreen.model.matching import MatchResult
from flscreen.records import open_output, read_records, write_bytes, write_jsonl
from flscreen.reports.tabular import FORMATS as TABULAR_FORMATS
from flscreen.services.matching import judge, judgement_json, judgement_problems, read_party
from flscreen.settings import load_settings
from flscreen.store import Store

JUDGE_FLAGS = {
    "name": "--name",
    "list": "--entry",
    "entry_id": "--entry",
    "verdict": "--verdict",
    "by": "--by",
}
"""The flag each judgement field is given by, so a problem names what the user typed."""
PROGRESS_FROM = 200


def build_matcher(store: Store, lists: list[str] | None) -> Matcher:
    """A matcher over the latest version of the named lists (all by default) and every
    judgement: the saved index for exactly those versions, else built and saved."""
    matcher = matcher_for(store, lists, load_settings().index_dir)
    if not len(matcher):
        raise InvalidInput(
            "no list entries to match against: import a list first "
            "(flscreen lists import FILE --list NAME)"
        )
    return matcher


def _check_range(threshold: float | None, limit: int) -> None:
    problems = []
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        problems.append(Problem("", "must be between 0 and 1", field="--threshold"))
    if limit < 1:
        problems.append(Problem("", "must be at least 1", field="--limit"))
    if problems:
        raise InvalidInput(problems)


def print_result(result: MatchResult, query: Query) -> None:
    """A readable table of hits and, under it, why each one scored as it did."""
    thr = result.threshold if result.threshold is not None else DEFAULT_THRESHOLD
    verdict = "[bold red]MATCH[/]" if result.match else "[green]no match[/]"
    out_console.print(
        f"{verdict}  {escape(query.name)!r}  (threshold {thr:.2f}, "
        f"review from {result.review_threshold or REVIEW_THRESHOLD:.2f}, {result.algorithm})",
        highlight=False,
    )
    if not result.hits:
        out_console.print("no list entry scored in the review band", highlight=False)
    table = Table(show_lines=False)
    for col in ("#", "score", "status", "list", "entry", "name", "matched name"):
        table.add_column(col)
    for i, hit in enumerate(result.hits, start=1):
        status = (
            "judged match" if hit.judgement == "match" else ("match" if hit.match else "review")
        )
        table.add_row(
            str(i),
            f"{hit.score:.4f}",
            status,
            f"{escape(hit.list)} v{hit.list_version}",
            escape(hit.entry_id),
            escape(hit.name),
            escape(hit.matched_name),
        )
    if result.hits:
        out_console.print(table)
    for i, hit in enumerate(result.hits, start=1):
        out_console.print(f"[bold]#{i} {escape(hit.name)}[/]", highlight=False)
        for f in hit.features:
            out_console.print(
                f"   {f.name:<28} {f.score:6.3f}  {escape(f.detail)}", highlight=False
            )
    for hit in result.suppressed:
        out_console.print(
            f"[dim]suppressed {escape(hit.list)}:{escape(hit.entry_id)} "
            f"{escape(hit.name)}: {escape(hit.features[0].detail)}[/]",
            highlight=False,
        )


def _write_lines(
    matcher: Matcher, queries: list[Query], threshold: float | None, limit: int, output: str | None
) -> int:
    """One JSON line per party; returns how many matched."""
    matched = 0
    with open_output(output) as handle:
        for query in with_progress(queries, "matching", PROGRESS_FROM):
            result = matcher.match(query, threshold=threshold, limit=limit)
            matched += result.match
            write_jsonl(handle, result.to_dict())
    return matched


def _index_after_import(store: Store, outcome: ImportOutcome) -> None:
    """Build and save the index over every list's new latest version, so the next
    ``flscreen match`` starts at once (an index for a --list selection is built on first use)."""
    matcher_for(store, None, load_settings().index_dir)


@handle_errors
def match_cmd(
    input: Annotated[
        str | None,
        typer.Argument(
            help="JSON lines or CSV of {id, name, aliases?, country?, address?, "
            "registration_id?, schema?}; '-' reads stdin.",
            show_default=False,
        ),
    ] = None,
    list_names: Annotated[
        list[str] | None,
        typer.Option("--list", "-l", help="Match against this list only (repeatable)."),
    ] = None,
    threshold: Annotated[
        float | None,
        typer.Option(
            "--threshold", "-t", help=f"Match threshold 0-1 (default {DEFAULT_THRESHOLD})."
        ),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", "-k", help="Hits per party.")] = 10,
    output: Annotated[
        str | None,
        typer.Option("--output", "-o", help="Write JSON lines here (default: stdout)."),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="Screen one name and explain the hits.")
    ] = None,
    alias: Annotated[
        list[str] | None,
        typer.Option("--alias", help="Another name of the party (repeatable)."),
    ] = None,
    country: Annotated[str | None, typer.Option("--country", help="Party's country.")] = None,
    registration_id: Annotated[
        str | None,
        typer.Option("--registration-id", "--uscc", help="Party's registration id (USCC)."),
    ] = None,
    schema: Annotated[
        str | None, typer.Option("--schema", help="person, company or organization.")
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="With --name: print the JSON line instead.")
    ] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            help="jsonl (default), or csv / xlsx: one row per party with the best hit "
            "and its evidence in columns.",
        ),
    ] = "jsonl",
) -> None:
    """Screen parties against the imported lists, in any script, and say why each hit matched.

    Hits from the review threshold up are listed; "match" is true when one reaches the
    threshold or an analyst confirmed it (see `flscreen judge`).
    """
    _check_range(threshold, limit)
    if fmt not in ("jsonl", *TABULAR_FORMATS):
        raise InvalidInput(f"unknown format {fmt!r}: use jsonl, csv or xlsx", source="--format")
    if fmt == "xlsx" and output in (None, "-") and sys.stdout.isatty():
        raise InvalidInput("an XLSX file is binary: give --output FILE.xlsx", source="--output")
    if input is not None and name is not None:
        raise InvalidInput("give either an INPUT file or --name, not both")
    if input is None and name is None:
        raise InvalidInput('nothing to match: give an INPUT file (or "-") or --name "..."')
    queries: list[Query] = []
    if name is not None:
        if not name.strip():
            raise InvalidInput("--name is empty")
        queries.append(
            Query(
                id="-",
                name=name,
                aliases=tuple(alias or ()),
                country=country,
                registration_id=registration_id,
                schema=schema,
            )
        )
    else:
        assert input is not None
        problems: list[Problem] = []
        source = "<stdin>" if input == "-" else input
        notes: list[Problem] = []
        records = read_records(input, ("id", "name"), ("aliases",), notes=notes)
        for row, record in records:
            found = read_party(source, row, record)
            if isinstance(found, Query):
                queries.append(found)
            else:
                problems.extend(found)
        if problems:
            raise InvalidInput(problems)
        print_notes(notes)
    store = get_store()
    try:
        matcher = build_matcher(store, list_names)
    finally:
        store.dispose()
    if name is not None and not as_json and fmt == "jsonl":
        print_result(matcher.match(queries[0], threshold=threshold, limit=limit), queries[0])
        return
    matched = 0
    if fmt in TABULAR_FORMATS:
        # the report rows pull in the verdict layer: imported only for CSV/XLSX output
        from flscreen.reports.rows import MATCH_COLUMNS, match_rows
        from flscreen.reports.tabular import export as export_rows

        pairs = [
            (q, matcher.match(q, threshold=threshold, limit=limit).to_dict())
            for q in with_progress(queries, "matching", PROGRESS_FROM)
        ]
        matched = sum(r["match"] for _, r in pairs)
        body, _ = export_rows(match_rows(pairs), fmt, MATCH_COLUMNS, sheet="matches")
        write_bytes(output, body)
        queries = [q for q, _ in pairs]
    else:
        matched = _write_lines(matcher, queries, threshold, limit, output)
    err_console.print(
        f"matched {matched} of {len(queries)} part{'y' if len(queries) == 1 else 'ies'} "
        f"against {len(matcher)} entries ({ALGORITHM})",
        highlight=False,
    )


@handle_errors
def judge_cmd(
    name: Annotated[str, typer.Option("--name", "-n", help="The party's name as screened.")],
    entry: Annotated[str, typer.Option("--entry", "-e", help="The list entry as LIST:ENTRY_ID.")],
    verdict: Annotated[str, typer.Option("--verdict", help="match or no-match.")],
    by: Annotated[
        str | None, typer.Option("--by", help="Must be you if given: the acting user.")
    ] = None,
    reason: Annotated[str | None, typer.Option("--reason", help="Why, in a sentence.")] = None,
    registration_id: Annotated[
        str | None,
        typer.Option("--registration-id", "--uscc", help="Party's registration id, if any."),
    ] = None,
) -> None:
    """Record that a party is (or is not) a list entry; every later match honours it."""
    list_name, sep, entry_id = entry.partition(":")
    # Everything wrong is said at once, before the store is opened.
    problems = judgement_problems(name, list_name, entry_id, verdict, by or "-", JUDGE_FLAGS)
    if not sep or any(p.field == "--entry" for p in problems):
        problems = [
            Problem("", "expected LIST:ENTRY_ID, e.g. uflpa:12", field="--entry"),
            *(p for p in problems if p.field != "--entry"),
        ]
    if problems:
        raise InvalidInput(problems)
    store = get_store()
    try:
        actor = acting(store, Permission.JUDGE, by)
        done = judge(
            store,
            name=name,
            list_name=list_name,
            entry_id=entry_id,
            verdict=verdict,
            by=actor,
            reason=reason,
            registration_id=registration_id,
            fields=JUDGE_FLAGS,
        )
    finally:
        store.dispose()
    j = done.judgement
    out_console.print(
        f"recorded: {escape(name)!r} is {'' if j.verdict == 'match' else 'not '}"
        f"{escape(j.list_name)}:{escape(j.entry_id)} ({escape(done.entry_name)}), "
        f"by {escape(j.decided_by)} at {j.decided_at} (party key {escape(j.party_key)!r})",
        highlight=False,
    )


@handle_errors
def judgements_cmd(
    name: Annotated[
        str | None, typer.Option("--name", "-n", help="Only this party's judgements.")
    ] = None,
    registration_id: Annotated[
        str | None, typer.Option("--registration-id", "--uscc", help="With --name.")
    ] = None,
) -> None:
    """List recorded judgements as JSON lines (oldest first)."""
    key = party_key(name, registration_id) if name else None
    store = get_store()
    try:
        with store.connect() as conn, open_output(None) as handle:
            for j in iter_judgements(conn, key):
                write_jsonl(handle, judgement_json(j))
    finally:
        store.dispose()


def register(app: typer.Typer) -> None:
    """Add match, judge and judgements to the root app; build the index after every
    list import."""
    register_after_import(_index_after_import)
    app.command("match")(match_cmd)
    app.command("judge")(judge_cmd)
    app.command("judgements")(judgements_cmd)
