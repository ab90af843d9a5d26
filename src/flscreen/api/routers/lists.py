"""Screening lists: versions, diffs, entries, and importing a new version."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from flscreen.errors import InvalidInput, Problem
from flscreen.http.auth import requires
from flscreen.http.state import AppState, get_state
from flscreen.http.uploads import save_uploads
from flscreen.identity.roles import Permission, Principal
from flscreen.lists.detect import FORMATS
from flscreen.lists.service import check_list_name
from flscreen.services import lists as services

from .. import answers as A

router = APIRouter(prefix="/lists", tags=["lists"])

State = Annotated[AppState, Depends(get_state)]
Read = [requires(Permission.LISTS_READ)]


@router.get("", dependencies=Read, response_model=A.ListsOverview, **A.ANSWER)
def get_lists(state: State) -> dict[str, Any]:
    """Every imported list with its versions: entry count, import and retrieval time,
    source, format and sha256 (the shape of `flscreen lists show --json`)."""
    with state.store.connect() as conn:
        return services.lists_overview(conn)


@router.get("/{name}/versions", dependencies=Read, response_model=A.ListVersions, **A.ANSWER)
def get_versions(name: str, state: State) -> dict[str, Any]:
    """The versions of one list, oldest first. 404 for an unknown list."""
    with state.store.connect() as conn:
        return services.list_versions(conn, name)


@router.get("/{name}/diff", dependencies=Read, response_model=A.ListDiff, **A.ANSWER)
def get_diff(
    name: str,
    state: State,
    from_version: Annotated[
        int | None,
        Query(alias="from", ge=0, description="Older version (default: the one before `to`)."),
    ] = None,
    to_version: Annotated[
        int | None, Query(alias="to", ge=1, description="Newer version (default: latest).")
    ] = None,
) -> dict[str, Any]:
    """Entries added, removed and changed between two versions, with the fields that
    changed (`{"list", "from", "to", "added", "removed", "changed"}`, as
    `flscreen lists diff --json`). `from=0` compares against nothing: all added."""
    with state.store.connect() as conn:
        return services.list_diff(conn, name, from_version, to_version)


@router.get("/{name}/entries", dependencies=Read, response_model=A.ListEntries, **A.ANSWER)
def get_entries(
    name: str,
    state: State,
    version: Annotated[int | None, Query(ge=1, description="Default: latest.")] = None,
    limit: Annotated[int, Query(ge=1, description="Entries per page (capped).")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    raw: Annotated[bool, Query(description="Include each entry's raw source record.")] = False,
    q: Annotated[
        str | None,
        Query(max_length=200, description="Only entries whose id or a name contains this."),
    ] = None,
) -> dict[str, Any]:
    """One page of a list version's entries in entry-id order, with names and aliases in
    every script as the list gives them, identifiers, programmes and links."""
    limit = min(limit, state.limits.max_page)
    with state.store.connect() as conn:
        return services.list_entries(conn, name, version, limit, offset, raw, q)


@router.post("/{name}/import", response_model=A.ListImport, **A.ANSWER)
async def import_version(
    name: str,
    request: Request,
    state: State,
    principal: Annotated[Principal, requires(Permission.LISTS_IMPORT)],
    fmt: Annotated[
        str | None,
        Query(alias="format", description="One of: " + ", ".join(FORMATS) + " (default: guessed)."),
    ] = None,
    strict: Annotated[
        bool, Query(description="Refuse the whole file if any record is bad.")
    ] = False,
    filename: Annotated[
        str | None,
        Query(description="The file's name, for a raw body (helps guess the format)."),
    ] = None,
) -> dict[str, Any]:
    """Import a list file as the next version of list `name`; identical content answers
    `"unchanged": true` and stores nothing.

    Send the file as multipart form data (`curl -F file=@uflpa.html`), or as the raw
    request body (`--data-binary @list.jsonl -H 'Content-Type: application/octet-stream'`).
    For the OFAC CSV trio send `sdn.csv`, `alt.csv` and `add.csv` as three `file` parts.
    Bad records are skipped and listed in `problems` (or, with `strict`, the import is
    refused); an unreadable or wrong-format file is refused with 422 and nothing is stored.
    A new version re-screens the stored shipments; `rescreen` lists the parties whose hits
    and the shipments whose verdicts changed.
    """
    check_list_name(name)
    if fmt is not None and fmt not in FORMATS:
        raise InvalidInput(
            [Problem("format", f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")]
        )
    with tempfile.TemporaryDirectory(prefix="flscreen-upload-") as tmp:
        folder = Path(tmp) / "files"
        folder.mkdir()
        names = await save_uploads(request, folder, max_files=10, raw_name=filename)
        if len(names) == 1:
            path, label = folder / names[0], names[0]
        else:  # the OFAC CSV trio: a folder holding sdn.csv, alt.csv, add.csv
            path, label = folder, "+".join(sorted(names))
        return await _run(state, name, path, label, fmt, strict, principal.label())


async def _run(
    state: AppState,
    name: str,
    path: Path,
    label: str,
    fmt: str | None,
    strict: bool,
    actor: str,
) -> dict[str, Any]:
    return await run_in_threadpool(
        services.import_file, state.store, name, path, label, fmt, strict, actor
    )
