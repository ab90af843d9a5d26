"""The screening lists: every list and its versions, one version's entries, what changed
between two versions, and importing a file as the next version (which re-screens the
stored shipments). The shapes are the CLI's ``--json``, for `flscreen lists`, the REST
API and the lists pages alike.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from itertools import islice
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection

from flscreen.lists import store as lists_store
from flscreen.lists.service import ImportOutcome, import_list
from flscreen.lists.versions import diff_versions, entry_summary
from flscreen.model.lists import ListEntry, ListVersionRef
from flscreen.store import Store

from .locks import writing


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
