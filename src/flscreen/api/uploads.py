"""Save uploaded files (multipart parts, or a raw body) to a folder, streaming."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import Request
from starlette.datastructures import UploadFile

from flscreen.errors import InvalidInput, Problem

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


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
