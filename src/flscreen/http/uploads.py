"""Save uploaded files (multipart parts, or a raw body) to a folder, streaming: a list
file, a supply package, a case's documents, from the API and from the pages' forms."""

from __future__ import annotations

import re
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from flscreen.errors import InvalidInput, Problem
from flscreen.identity.roles import Permission, Principal
from flscreen.services import shipments as shipment_service

from .auth import scope_of
from .state import AppState

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# A document's name is kept as the importer wrote it (Chinese names included: it is
# evidence), without path separators, control characters or a leading dot.
_UNSAFE_DOCUMENT_NAME = re.compile(r"[\x00-\x1f\x7f/\\:]+")


def safe_name(filename: str | None, fallback: str) -> str:
    """A file name that cannot leave its folder: base name only, odd characters as '_'."""
    base = Path(filename or "").name
    return _UNSAFE.sub("_", base).strip("._") or fallback


async def save_uploads(
    request: Request, folder: Path, max_files: int = 10, raw_name: str | None = None
) -> list[str]:
    """Write every file of a multipart form (or the raw body, named ``raw_name``) into
    ``folder``; return the names written. Refuses a form without a file."""
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/x-www-form-urlencoded"):
        raise InvalidInput(
            [
                Problem(
                    "body",
                    "no file in the form: send it as multipart/form-data (a 'file' part) "
                    "or as the raw request body",
                )
            ]
        )
    names: list[str] = []
    if content_type.startswith("multipart/form-data"):
        form = await request.form(max_files=max_files)
        try:
            uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
            for i, upload in enumerate(uploads, start=1):
                name = safe_name(upload.filename, f"upload-{i}")
                if name in names:
                    raise InvalidInput([Problem("body", f"two files are named {name!r}")])
                with (folder / name).open("wb") as out:
                    while chunk := await upload.read(1 << 20):
                        out.write(chunk)
                names.append(name)
        finally:
            await form.close()
        if not names:
            raise InvalidInput([Problem("body", "no file in the form: send it as a 'file' part")])
        return names
    name = safe_name(raw_name, "upload.json" if "json" in content_type else "upload")
    with (folder / name).open("wb") as out:
        async for chunk in request.stream():
            out.write(chunk)
    if (folder / name).stat().st_size == 0:
        raise InvalidInput([Problem("body", "empty body: send the package file")])
    return [name]


@asynccontextmanager
async def received_package(request: Request) -> AsyncIterator[tuple[Path, str]]:
    """A supply package upload (one ``.json`` or ``.xlsx`` file, or its CSV files) saved in
    a temporary folder for the block: (the path to import, its label ``upload:NAMES``)."""
    with tempfile.TemporaryDirectory(prefix="flscreen-package-") as tmp:
        folder = Path(tmp) / "package"
        folder.mkdir()
        names = await save_uploads(request, folder, max_files=20)
        path = folder / names[0] if len(names) == 1 and not names[0].endswith(".csv") else folder
        yield path, "upload:" + "+".join(sorted(names))


async def import_from_upload(
    request: Request, state: AppState, principal: Principal, screen: str | None
) -> dict[str, Any]:
    """Import the supply package uploaded with ``request`` (:func:`received_package`) as
    ``principal`` (an importer: its own shipments only); with ``screen`` (a bundled
    policy, and the ``shipments.screen`` permission) its shipments are screened at once."""
    if screen is not None:
        principal.require(Permission.SCREEN)
        shipment_service.check_policy(screen)
    scope = scope_of(state, principal)
    async with received_package(request) as (path, label):
        return await run_in_threadpool(
            shipment_service.import_supply,
            state.store,
            path,
            label,
            scope,
            screen,
            principal.label(),
            state.graphs,
        )


@asynccontextmanager
async def received_documents(
    request: Request,
) -> AsyncIterator[tuple[dict[str, str], list[Path]]]:
    """A case documents form (one or more ``file`` parts, a ``kind``, optional ``statement``
    and ``transaction``) saved in a temporary folder for the block: (its text fields, the
    files, named as uploaded). Refuses a form without a file or a kind, listing both."""
    form = await request.form(max_files=20)
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    uploads = [v for _, v in form.multi_items() if isinstance(v, UploadFile)]
    problems = []
    if not uploads:
        problems.append(Problem("body", "no file in the form: send one or more 'file' parts"))
    if not fields.get("kind", "").strip():
        problems.append(Problem("body", "missing required value", field="kind"))
    if problems:
        raise InvalidInput(problems)
    with tempfile.TemporaryDirectory(prefix="flscreen-docs-") as tmp:
        paths = []
        for i, upload in enumerate(uploads, start=1):
            name = (upload.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
            base = _UNSAFE_DOCUMENT_NAME.sub("_", name).strip(". ")[:80]  # 80 CJK: 240 bytes
            folder = Path(tmp) / str(i)  # same-named files stay apart
            folder.mkdir()
            target = folder / (base or f"document-{i}")
            with target.open("wb") as out:
                while chunk := await upload.read(1 << 20):
                    out.write(chunk)
            paths.append(target)
        await form.close()
        yield fields, paths
