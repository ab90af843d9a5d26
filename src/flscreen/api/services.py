"""Thin services the API routers and the web pages share.

Each function calls the same core functions the CLI calls and returns plain
JSON-ready dicts in the CLI's ``--json`` shapes, so a page, its ``.json`` and
the REST endpoint can never disagree. Nothing here parses HTTP.
"""

from __future__ import annotations

import unicodedata
from collections import deque
from collections.abc import Iterable, Sequence
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from flscreen import audit
from flscreen.errors import InvalidInput, Problem
from flscreen.identity.scope import (
    Scope,
    shipment_clause,
    visible_shipments,
)
from flscreen.lists import store as lists_store
from flscreen.lists.service import ImportOutcome, import_list
from flscreen.lists.versions import diff_versions, entry_summary
from flscreen.matching import ALGORITHM as MATCH_ALGORITHM
from flscreen.matching import Query
from flscreen.model.lists import ListEntry, ListVersionRef
from flscreen.policy import cases
from flscreen.policy import tables as case_tables
from flscreen.region import ALGORITHM as REGION_ALGORITHM
from flscreen.region import LocateQuery, locate
from flscreen.services import cases as cases_service
from flscreen.services import matching as matching_service
from flscreen.services.matching import judgement_json
from flscreen.store import Store

from .locks import writing
from .state import AppState

# --- lists ---------------------------------------------------------------------


def version_json(ref: ListVersionRef) -> dict[str, Any]:
    return {
        "version": ref.version,
        "entries": ref.entry_count,
        "imported_at": ref.imported_at,
        "retrieved_at": ref.retrieved_at,
        "source": ref.source,
        "format": ref.format,
        "sha256": ref.sha256,
    }


def lists_overview(conn: Connection) -> dict[str, Any]:
    """Every list with its versions, as ``flscreen lists show --json`` prints it."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for ref in lists_store.list_versions_of(conn):
        grouped.setdefault(ref.list_name, []).append(version_json(ref))
    return {
        "lists": [
            {"list": name, "latest": versions[-1]["version"], "versions": versions}
            for name, versions in grouped.items()
        ]
    }


def list_versions(conn: Connection, list_name: str) -> dict[str, Any]:
    """The versions of one list, oldest first; NotFound for an unknown list."""
    refs = lists_store.list_versions_of(conn, list_name)
    if not refs:
        lists_store.resolve_version(conn, list_name)  # raises NotFound with the right words
    return {
        "list": list_name,
        "latest": refs[-1].version,
        "versions": [version_json(r) for r in refs],
    }


def list_diff(
    conn: Connection, list_name: str, from_version: int | None, to_version: int | None
) -> dict[str, Any]:
    """``flscreen lists diff --json``: added, removed, changed (with the fields that changed)."""
    return diff_versions(conn, list_name, from_version, to_version).to_json()


def list_entries(
    conn: Connection,
    list_name: str,
    version: int | None,
    limit: int,
    offset: int,
    raw: bool = False,
    q: str | None = None,
) -> dict[str, Any]:
    """One page of a list version's entries, in entry-id order (the store's order).

    ``q`` keeps the entries whose id or any name (primary, alias, former, in any
    script) contains it, ignoring case and width; it reads the whole version.
    """
    _, ref = lists_store.resolve_version(conn, list_name, version)
    pins = {list_name: ref.version}
    rows: Iterable[tuple[ListVersionRef, ListEntry]] = lists_store.iter_entries(
        conn, [list_name], pins
    )
    total = ref.entry_count
    if q:
        needle = _fold(q)
        found = [
            (r, e)
            for r, e in rows
            if needle in _fold(e.entry_id) or any(needle in _fold(n) for n in e.all_names)
        ]
        total, rows = len(found), found
    entries = []
    for _ref, entry in islice(rows, offset, offset + limit):
        data = lists_store.entry_to_dict(entry) if raw else entry_summary(entry)
        entries.append(data)
    return {
        "list": list_name,
        "version": ref.version,
        "total": total,
        "offset": offset,
        "limit": limit,
        "q": q or None,
        "entries": entries,
    }


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def outcome_json(outcome: ImportOutcome) -> dict[str, Any]:
    """An import's outcome as ``flscreen lists import --json`` prints it."""
    return {
        "list": outcome.list_name,
        "version": outcome.version,
        "unchanged": outcome.unchanged,
        "latest": outcome.ref.version if outcome.ref else None,
        "entries": outcome.entry_count,
        "skipped": outcome.skipped,
        "format": outcome.format,
        "sha256": outcome.sha256,
        "problems": [p.to_dict() for p in outcome.problems],
        "warnings": [w.to_dict() for w in outcome.warnings],
    }


def import_file(
    store: Store,
    list_name: str,
    path: Path,
    label: str,
    fmt: str | None,
    strict: bool,
    actor: str = "api",
) -> dict[str, Any]:
    """Import an uploaded file (or OFAC folder) as the next version; a new version then
    re-screens stored shipments as ``flscreen lists import`` does, and the answer says
    which parties' hits and which shipments' verdicts changed (``rescreen``)."""
    from flscreen.policy.screening import rescreen

    with writing(store):
        outcome = import_list(
            store, str(path), list_name, fmt=fmt, strict=strict, source_label=label, actor=actor
        )
        out = outcome_json(outcome)
        if not outcome.unchanged:
            trigger = {"list": list_name, "version": outcome.version}
            out["rescreen"] = rescreen(store, actor=actor, trigger=trigger).to_dict()
    return out


# --- matching and region ---------------------------------------------------------


def check_ids(ids: Sequence[str], source: str = "body") -> None:
    """Refuse repeated record ids (every repeat listed), as the CLI does for a file."""
    seen: dict[str, int] = {}
    problems = []
    for row, rid in enumerate(ids, start=1):
        if rid in seen:
            problems.append(
                Problem(source, f"duplicate id {rid!r} (first on record {seen[rid]})", row=row)
            )
        seen.setdefault(rid, row)
    if problems:
        raise InvalidInput(problems)


def match_queries(
    state: AppState,
    queries: Sequence[Query],
    lists: Sequence[str] | None,
    threshold: float | None,
    limit: int,
) -> dict[str, Any]:
    """Screen parties against the latest lists: one ``flscreen match`` JSON line each."""
    check_ids([q.id for q in queries])
    matcher = state.matchers.get(state.store, lists)
    results = [matcher.match(q, threshold=threshold, limit=limit).to_dict() for q in queries]
    return {
        "results": results,
        "matched": sum(1 for r in results if r["match"]),
        "entries": len(matcher),
        "lists": [
            {"list": ref.list_name, "version": ref.version, "sha256": ref.sha256}
            for ref in matcher.refs
        ],
        "algorithm": MATCH_ALGORITHM,
    }


def judge(
    store: Store,
    name: str,
    list_name: str,
    entry_id: str,
    verdict: str,
    by: str,
    reason: str | None,
    registration_id: str | None,
) -> dict[str, Any]:
    """The judgement (flscreen.services.matching.judge) as the API answers it: the stored
    judgement with the list version and entry name it was made against."""
    with writing(store):
        done = matching_service.judge(
            store,
            name=name,
            list_name=list_name,
            entry_id=entry_id,
            verdict=verdict,
            by=by,
            reason=reason,
            registration_id=registration_id,
        )
    answer = judgement_json(done.judgement)
    return {
        **answer,
        "list_version": done.list_version,
        "entry_name": done.entry_name,
    }


def locate_queries(queries: Sequence[LocateQuery]) -> dict[str, Any]:
    """Locate records: one ``flscreen locate`` JSON line each, and a tally by status."""
    check_ids([q.id for q in queries])
    results = [locate(q).to_dict() for q in queries]
    counts: dict[str, int] = {}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
    return {"results": results, "counts": counts, "algorithm": REGION_ALGORITHM}


# --- cases and audit ---------------------------------------------------------------


def list_cases(
    conn: Connection,
    state: str | None = None,
    shipment: str | None = None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Cases (of ``scope``'s tenant only, when restricted), oldest first."""
    _check_state(state)
    found = cases.list_cases(conn, state=state, shipment_id=shipment)
    if scope is not None and not scope.unrestricted:
        visible = visible_shipments(conn, scope) or frozenset()
        found = [c for c in found if c.shipment_id in visible]
    return {"cases": [c.to_dict() for c in found], "states": list(cases.STATES)}


def _check_state(state: str | None) -> None:
    """A case state named in a query, refused naming the API's ``state`` parameter (the
    core's message names the CLI's ``--state``)."""
    if state is not None and state not in cases.STATES:
        choices = ", ".join(cases.STATES)
        raise InvalidInput(
            [Problem("query", f"unknown state {state!r}: one of {choices}", field="state")]
        )


def work_queue(
    conn: Connection,
    state: str | None = None,
    assignee: str | None = None,
    unassigned: bool = False,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Open cases (of ``scope``'s tenant only, when restricted) with the detention clock,
    overdue first; optionally only one state, one assignee's or the unassigned."""
    _check_state(state)
    assignee = (assignee or "").strip() or None
    rows = cases.work_queue(conn)
    if scope is not None and not scope.unrestricted:
        visible = visible_shipments(conn, scope) or frozenset()
        rows = [r for r in rows if r["shipment"] in visible]
    if state is not None:
        rows = [r for r in rows if r["state"] == state]
    if unassigned:
        rows = [r for r in rows if not r["assignee"]]
    elif assignee is not None:
        rows = [r for r in rows if r["assignee"] == assignee]
    return {
        "cases": rows,
        "total": len(rows),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "states": [s for s in cases.STATES if s not in cases.CLOSED],
    }


def cases_by_state(conn: Connection, scope: Scope | None = None) -> dict[str, int]:
    """How many cases are in each state (one grouped query), within ``scope``."""
    table = case_tables.cases
    stmt = sa.select(table.c.state, sa.func.count()).group_by(table.c.state)
    if scope is not None:
        stmt = stmt.where(shipment_clause(scope, table.c.shipment_id))
    return {state: int(n) for state, n in conn.execute(stmt)}


scoped_case = cases_service.scoped_case


def case_detail(conn: Connection, ref: str, scope: Scope | None = None) -> dict[str, Any]:
    """The case (flscreen.services.cases) as the API answers it."""
    return cases_service.case_detail(conn, ref, scope).to_dict()


def transition_case(store: Store, ref: str, to: str, actor: str, reason: str) -> dict[str, Any]:
    """Move a case (the rules are the core's; a refusal lists every problem)."""
    with writing(store), store.begin() as conn:
        case = cases.transition(conn, ref, to, actor, reason)
    with store.connect() as conn:
        return case_detail(conn, case.case_id)


def record_finding(
    store: Store,
    ref: str,
    kind: str,
    statement: str,
    documents: Sequence[int],
    actor: str,
    clear_and_convincing: bool,
) -> dict[str, Any]:
    """Record an applicability or exception finding on a case; returns the case."""
    with writing(store), store.begin() as conn:
        found = cases.record_finding(
            conn,
            ref,
            kind,
            statement,
            documents,
            actor,
            clear_and_convincing=clear_and_convincing,
        )
    with store.connect() as conn:
        return case_detail(conn, found.case_id)


def assign_case(store: Store, ref: str, to: str | None, actor: str, note: str) -> dict[str, Any]:
    """Assign or reassign a case (audited); returns the case."""
    with writing(store), store.begin() as conn:
        case = cases.assign(conn, ref, to, actor, note)
    with store.connect() as conn:
        return case_detail(conn, case.case_id)


def attach_documents(
    store: Store,
    documents_dir: Path,
    ref: str,
    files: Iterable[Path],
    kind: str,
    supplied_by: str,
    statement: str | None,
    transaction: str | None,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Store uploaded files by sha256 on a case (a rebuttal when a statement is given);
    a restricted ``scope`` may attach only to its own tenant's cases."""
    with writing(store), store.begin() as conn:
        scoped_case(conn, ref, scope)
        stored = cases.attach(
            conn,
            documents_dir,
            list(files),
            kind,
            supplied_by,
            case_ref=ref,
            transaction_id=transaction,
            statement=statement,
        )
    return {"attached": [d.to_dict() for d in stored]}


def verify_audit(conn: Connection, documents_dir: Path) -> dict[str, Any]:
    """``flscreen audit verify --json``: the chain, every decision table against it, and
    the stored documents rehashed (see ``audit.verify_store``)."""
    return audit.verify_store(conn, documents_dir)


def audit_records(
    conn: Connection, subject: str | None = None, kind: str | None = None, last: int = 100
) -> list[dict[str, Any]]:
    """The newest ``last`` audit records (about ``subject``, of ``kind``), newest first,
    as ``flscreen audit log`` prints them."""
    kept: deque[dict[str, Any]] = deque(maxlen=last)
    for rec in audit.iter_records(conn, subject=subject):
        if kind is not None and rec.kind != kind:
            continue
        kept.append(
            {
                "seq": rec.seq,
                "at": rec.at,
                "kind": rec.kind,
                "actor": rec.actor,
                "subject": rec.subject,
                "payload": rec.data,
                "hash": rec.hash,
            }
        )
    return list(reversed(kept))
