"""Screening lists: versions, diffs, entries, and importing a new version."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.datastructures import UploadFile

from flscreen.errors import InvalidInput, Problem
from flscreen.lists.detect import FORMATS
from flscreen.lists.service import check_list_name

from .. import services
from ..state import AppState, get_state

router = APIRouter(prefix="/lists", tags=["lists"])

State = Annotated[AppState, Depends(get_state)]
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@router.get("")
def get_lists(state: State) -> dict[str, Any]:
    """Every imported list with its versions: entry count, import and retrieval time,
    source, format and sha256 (the shape of `flscreen lists show --json`)."""
    with state.store.connect() as conn:
        return services.lists_overview(conn)


@router.get("/{name}/versions")
def get_versions(name: str, state: State) -> dict[str, Any]:
    """The versions of one list, oldest first. 404 for an unknown list."""
    with state.store.connect() as conn:
        return services.list_versions(conn, name)


@router.get("/{name}/diff")
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


@router.get("/{name}/entries")
def get_entries(
    name: str,
    state: State,
    version: Annotated[int | None, Query(ge=1, description="Default: latest.")] = None,
    limit: Annotated[int, Query(ge=1, description="Entries per page (capped).")] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
    raw: Annotated[bool, Query(description="Include each entry's raw source record.")] = False,
) -> dict[str, Any]:
    """One page of a list version's entries in entry-id order, with names and aliases in
    every script as the list gives them, identifiers, programmes and links."""
    limit = min(limit, state.limits.max_page)
    with state.store.connect() as conn:
        return services.list_entries(conn, name, version, limit, offset, raw)


def _upload_name(filename: str | None, fallback: str) -> str:
    base = Path(filename or "").name
    return _SAFE_NAME.sub("_", base).strip("._") or fallback


async def _spool(request: Request, target: Path, limit: int) -> int:
    """Copy a raw request body to ``target``; refuse beyond ``limit`` bytes."""
    size = 0
    with target.open("wb") as out:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise InvalidInput(f"upload larger than {limit} bytes", source="body")
            out.write(chunk)
    return size


@router.post("/{name}/import")
async def import_version(
    name: str,
    request: Request,
    state: State,
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
    actor: Annotated[
        str, Query(max_length=200, description="Who imports (recorded with any re-screen).")
    ] = "api",
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
    limit = state.limits.max_upload_bytes
    content_type = request.headers.get("content-type", "")
    with tempfile.TemporaryDirectory(prefix="flscreen-upload-") as tmp:
        folder = Path(tmp)
        if content_type.startswith("application/x-www-form-urlencoded"):
            raise InvalidInput(
                "no file in the form: send it as multipart/form-data (a 'file' part) "
                "or as the raw request body",
                source="body",
            )
        if content_type.startswith("multipart/form-data"):
            form = await request.form(max_files=10)
            uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
            if not uploads:
                raise InvalidInput("no file in the form: send it as a 'file' part", source="body")
            names = []
            for i, upload in enumerate(uploads, start=1):
                base = _upload_name(upload.filename, f"upload-{i}")
                target = folder / "files" / base
                target.parent.mkdir(exist_ok=True)
                with target.open("wb") as out:
                    while chunk := await upload.read(1 << 20):
                        out.write(chunk)
                names.append(base)
            await form.close()
            if len(uploads) == 1:
                path, label = folder / "files" / names[0], names[0]
            else:
                path, label = folder / "files", "+".join(sorted(names))
        else:
            base = _upload_name(filename, "upload")
            path, label = folder / base, base
            await _spool(request, path, limit)
        return await _run(state, name, path, label, fmt, strict, actor)


async def _run(
    state: AppState,
    name: str,
    path: Path,
    label: str,
    fmt: str | None,
    strict: bool,
    actor: str,
) -> dict[str, Any]:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(
        services.import_file, state.store, name, path, label, fmt, strict, actor
    )
