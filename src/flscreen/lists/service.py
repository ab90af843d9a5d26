"""Import a list file as a new version, in one transaction, streaming.

``import_list`` is what the CLI, ``lists update`` and the API call. It spools
stdin/bytes to a temporary file (parsers may read a file more than once),
hashes the source, and if the bytes equal the latest version's it writes
nothing. Otherwise entries stream from the parser into the store in batches;
bad records are skipped and reported, or with ``strict`` the whole import is
refused. Either way a failure leaves the store as it was.
"""

from __future__ import annotations

import hashlib
import importlib
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from flscreen import audit
from flscreen.errors import InvalidInput, Problem, StoreError
from flscreen.lists import store as lists_store
from flscreen.lists.base import ParseContext, Parser
from flscreen.lists.detect import detect_format
from flscreen.model.lists import ListVersionRef
from flscreen.store import Store

ImportSource = str | Path | bytes
"""A path, '-' for stdin, or the bytes of a file."""

ProgressCallback = Callable[[int], None]
"""Called with the number of entries read so far, every few thousand entries."""

PARSERS: dict[str, str] = {
    "ftm": "flscreen.lists.ftm",
    "uflpa-html": "flscreen.lists.uflpa_html",
    "uflpa-csv": "flscreen.lists.uflpa_html",
    "ofac-csv": "flscreen.lists.ofac_csv",
    "ofac-json": "flscreen.lists.ofac_csv",
    "uk-csv": "flscreen.lists.uk_csv",
    "eu-xml": "flscreen.lists.eu_xml",
    "csv": "flscreen.lists.csv_user",
}
_PARSER_FUNCS = {"uflpa-csv": "parse_csv", "ofac-json": "parse_json"}

LIST_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
MAX_ENTRY_ID = 255


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """What an import did: the version created, or ``version=None`` when unchanged."""

    list_name: str
    version: int | None
    entry_count: int
    skipped: int
    problems: tuple[Problem, ...]
    ref: ListVersionRef | None
    format: str
    sha256: str
    previous: int | None = None
    """The latest version before this import (None for a new list)."""
    warnings: tuple[Problem, ...] = ()
    """Caveats about records that were kept (e.g. a date that could not be read)."""

    @property
    def unchanged(self) -> bool:
        return self.version is None


ImportHook = Callable[[Store, ImportOutcome], None]
IMPORT_HOOKS: list[ImportHook] = []
"""Functions run after a successful import or update that created a version
(e.g. re-screening shipments). Register with ``register_after_import``."""


def register_after_import(hook: ImportHook) -> ImportHook:
    if hook not in IMPORT_HOOKS:
        IMPORT_HOOKS.append(hook)
    return hook


def after_import(store: Store, outcome: ImportOutcome) -> None:
    """Run the registered hooks for a new version; an unchanged import runs none."""
    if outcome.unchanged:
        return
    for hook in list(IMPORT_HOOKS):
        hook(store, outcome)


def get_parser(fmt: str) -> Parser:
    module = importlib.import_module(PARSERS[fmt])
    func: Parser = getattr(module, _PARSER_FUNCS.get(fmt, "parse"))
    return func


def check_list_name(name: str) -> str:
    if not LIST_NAME_RE.match(name):
        raise InvalidInput(
            f"invalid list name {name!r}: use 1-64 lower-case letters, digits, '.', '_' "
            "or '-', starting with a letter or digit (e.g. 'uflpa', 'my-suppliers')"
        )
    return name


@contextmanager
def materialize(source: ImportSource, label: str | None = None) -> Iterator[tuple[Path, str]]:
    """A readable path for ``source`` and the name to show in messages; stdin and
    bytes are spooled to a temporary file that is removed afterwards."""
    if isinstance(source, bytes | bytearray) or source == "-":
        with tempfile.TemporaryDirectory(prefix="flscreen-import-") as tmp:
            target = Path(tmp) / "input"
            with target.open("wb") as out:
                if isinstance(source, bytes | bytearray):
                    out.write(source)
                else:
                    shutil.copyfileobj(sys.stdin.buffer, out, 1 << 20)
            yield target, label or ("<stdin>" if source == "-" else "<bytes>")
        return
    path = Path(source)
    name = label or str(source)
    if not path.exists():
        raise InvalidInput("file not found", source=name)
    if path.is_dir() and not (path / "sdn.csv").exists() and not (path / "SDN.CSV").exists():
        raise InvalidInput(
            "this is a folder; only an OFAC folder holding sdn.csv (with alt.csv, add.csv) "
            "can be imported as a folder",
            source=name,
        )
    yield path, name


def source_sha256(path: Path) -> str:
    """sha256 of a file, or of a folder's files (name and bytes, in name order)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.lower().encode() + b"\0")
        with file.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def import_list(
    store: Store,
    source: ImportSource,
    list_name: str,
    fmt: str | None = None,
    strict: bool = False,
    *,
    source_label: str | None = None,
    retrieved_at: str | None = None,
    progress: ProgressCallback | None = None,
    batch_size: int = 5000,
    actor: str = "flscreen",
) -> ImportOutcome:
    """Import ``source`` as the next version of ``list_name`` (see module docstring).

    A new version is logged in the audit trail (kind ``lists.import``, by ``actor``)
    in the same transaction, so ``audit verify`` can check the version row later.

    Raises InvalidInput for an unreadable or wrong-format source, a source with no
    usable entry, or (with ``strict``) any bad record; nothing is written then.
    """
    check_list_name(list_name)
    with materialize(source, source_label) as (path, name):
        if path.is_file() and path.stat().st_size == 0:
            raise InvalidInput("the file is empty: there is no list to import", source=name)
        fmt = detect_format(path, name, fmt)
        sha = source_sha256(path)
        parser = get_parser(fmt)
        try:
            return _write_version(
                store,
                path,
                name,
                list_name,
                fmt,
                sha,
                parser,
                strict,
                retrieved_at,
                progress,
                batch_size,
                actor,
            )
        except sa.exc.IntegrityError as exc:
            raise StoreError(
                f"another import of list {list_name!r} finished first; run the import again "
                f"({exc.orig})"
            ) from exc
        except sa.exc.SQLAlchemyError as exc:
            raise StoreError(f"importing {name} into list {list_name!r} failed: {exc}") from exc


def _write_version(
    store: Store,
    path: Path,
    name: str,
    list_name: str,
    fmt: str,
    sha: str,
    parser: Parser,
    strict: bool,
    retrieved_at: str | None,
    progress: ProgressCallback | None,
    batch_size: int,
    actor: str,
) -> ImportOutcome:
    """The transactional part of ``import_list``: everything or nothing is written."""
    with store.begin() as conn:
        latest = lists_store.latest_versions(conn).get(list_name)
        previous = latest.version if latest else None
        if latest is not None and latest.sha256 == sha:
            return ImportOutcome(
                list_name, None, latest.entry_count or 0, 0, (), latest, fmt, sha, previous
            )
        now = _now()
        version_id, version = lists_store.create_version(
            conn,
            list_name,
            source=name,
            fmt=fmt,
            sha256=sha,
            now=now,
            retrieved_at=retrieved_at,
        )
        writer = lists_store.VersionWriter(conn, version_id, batch_size=batch_size)
        ctx = ParseContext(name)
        seen: set[str] = set()
        for row, entry in parser(path, ctx):
            if len(entry.entry_id) > MAX_ENTRY_ID:
                ctx.problem(f"entry id longer than {MAX_ENTRY_ID} characters", row=row)
                continue
            if entry.entry_id in seen:
                ctx.problem(
                    f"duplicate id {entry.entry_id!r}: an earlier record has it; this one "
                    "was skipped",
                    row=row,
                )
                continue
            seen.add(entry.entry_id)
            body = lists_store.encode_entry(entry)
            writer.add(entry.entry_id, hashlib.sha256(body).hexdigest(), body.decode())
            if progress is not None and writer.count % batch_size == 0:
                progress(writer.count)
        writer.flush()
        seen.clear()
        if progress is not None:
            progress(writer.count)
        problems = tuple(ctx.problems)
        if strict and (ctx.problem_count or ctx.warnings):
            raise InvalidInput(
                [
                    *problems,
                    *ctx.warnings,
                    Problem(name, "import refused (strict): nothing was stored", field="strict"),
                ]
            )
        if writer.count == 0:
            raise InvalidInput([*problems, Problem(name, f"no entries found reading it as {fmt}")])
        if latest is not None and writer.count == latest.entry_count:
            details = lists_store.version_details(conn, list_name, latest.version)
            if details["entries_digest"] == writer.digest:
                # Same entries in new bytes (re-ordered, re-formatted): no new version.
                lists_store.drop_version(conn, version_id)
                return ImportOutcome(
                    list_name,
                    None,
                    writer.count,
                    ctx.problem_count,
                    problems,
                    latest,
                    fmt,
                    sha,
                    previous,
                )
        lists_store.finish_version(conn, version_id, writer.count, writer.digest, ctx.problem_count)
        audit.append(
            conn,
            "lists.import",
            {
                "list": list_name,
                "version": version,
                "previous": previous,
                "source": name,
                "format": fmt,
                "sha256": sha,
                "entries_digest": writer.digest,
                "entry_count": writer.count,
                "skipped": ctx.problem_count,
                "imported_at": now,
                "retrieved_at": retrieved_at or now,
            },
            actor,
            subject=f"list:{list_name}",
            at=now,
        )
        ref = ListVersionRef(
            list_name=list_name,
            version=version,
            imported_at=now,
            sha256=sha,
            source=name,
            entry_count=writer.count,
            format=fmt,
            retrieved_at=retrieved_at or now,
        )
    return ImportOutcome(
        list_name,
        version,
        writer.count,
        ctx.problem_count,
        problems,
        ref,
        fmt,
        sha,
        previous,
        tuple(ctx.warnings),
    )
