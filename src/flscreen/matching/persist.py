"""A built matcher saved to disk and read back memory-mapped, keyed by the list versions in it.

Building the index reads and segments every name (seconds per 100,000 entries),
so a one-name ``flscreen match`` would pay the whole build each time. Instead
the index is saved once per set of list versions, as flat arrays (``.npy``)
and UTF-8 string blobs with offsets, and later processes map the files rather
than read them: only the pages a query touches are loaded. The folder name is a
digest of the list versions (name, version, sha256), the matching algorithm,
the file format and the reviewed vocabulary under ``resources/matching``, so
a new list version, a new algorithm or an edited glossary names another folder:
a stale index is never found, let alone used.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from importlib import resources
from pathlib import Path
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from flscreen.matching.index import NameIndex, Postings
from flscreen.matching.matcher import Matcher
from flscreen.matching.scoring import ALGORITHM
from flscreen.model.lists import ListVersionRef
from flscreen.store import Store

FORMAT = 2
"""Bump when the saved layout changes."""
KEEP = 4
"""Saved indexes kept in a folder (least recently used removed first)."""
META = "meta.json"


class StrColumn(Sequence[str]):
    """Strings stored as one UTF-8 blob and int64 offsets; decoded on access."""

    def __init__(self, blob: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> None:
        # memoryviews over the mapped arrays: indexing one costs a tenth of a numpy
        # memmap's __getitem__, which a screen calls for every candidate row
        self._blob = blob.data
        self._offsets = offsets.data

    def __len__(self) -> int:
        return len(self._offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...
    @overload
    def __getitem__(self, i: slice) -> list[str]: ...
    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return str(self._blob[self._offsets[i] : self._offsets[i + 1]], "utf-8")

    def __iter__(self) -> Iterator[str]:
        return (self[i] for i in range(len(self)))


class TupleColumn(Sequence[tuple[str, ...]]):
    """Per-entry tuples drawn from a small table of distinct tuples (countries)."""

    def __init__(self, table: list[tuple[str, ...]], index: npt.NDArray[np.int32]) -> None:
        self._table = table
        self._index = index.data

    def __len__(self) -> int:
        return len(self._index)

    @overload
    def __getitem__(self, i: int) -> tuple[str, ...]: ...
    @overload
    def __getitem__(self, i: slice) -> list[tuple[str, ...]]: ...
    def __getitem__(self, i: int | slice) -> tuple[str, ...] | list[tuple[str, ...]]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return self._table[self._index[i]]


def entry_hash(list_name: str, entry_id: str) -> int:
    digest = hashlib.blake2b(f"{list_name}\0{entry_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


class EntryLookup:
    """(list name, entry id) -> entry number, through sorted hashes checked on the way out:
    the dict a built matcher holds, without a million Python keys."""

    def __init__(
        self, matcher: Matcher, hashes: npt.NDArray[np.int64], order: npt.NDArray[np.int32]
    ):
        self._m = matcher
        self._hashes = hashes
        self._order = order

    def get(self, key: tuple[str, str]) -> int | None:
        h = entry_hash(*key)
        pos = int(np.searchsorted(self._hashes, h))
        while pos < len(self._hashes) and int(self._hashes[pos]) == h:
            i = int(self._order[pos])
            ref = self._m.refs[self._m.entry_ref[i]]
            if ref.list_name == key[0] and self._m.entry_ids[i] == key[1]:
                return i
            pos += 1
        return None

    def __len__(self) -> int:
        return len(self._hashes)


@functools.cache
def vocabulary_digest() -> str:
    """sha256 over the reviewed tables the normaliser reads: an edit changes every key."""
    digest = hashlib.sha256()
    folder = resources.files("flscreen.resources").joinpath("matching")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.is_file():
            digest.update(item.name.encode())
            digest.update(item.read_bytes())
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """sha256 over the source of the packages that make index keys (matching, normalize):
    a code change that forgot to bump ALGORITHM still never reads an index built by
    the old code (a development checkout edits them all day)."""
    digest = hashlib.sha256()
    for package in ("flscreen.matching", "flscreen.normalize"):
        folder = resources.files(package)
        for item in sorted(folder.iterdir(), key=lambda p: p.name):
            if item.is_file() and item.name.endswith(".py"):
                digest.update(item.name.encode())
                digest.update(item.read_bytes())
    return digest.hexdigest()


def index_key(refs: Sequence[ListVersionRef]) -> str:
    """The folder name of the index over exactly these list versions."""
    parts = sorted((r.list_name, r.version, r.sha256) for r in refs)
    text = json.dumps([FORMAT, ALGORITHM, vocabulary_digest(), code_digest(), parts])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _strings(values: Sequence[str]) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int64]]:
    encoded = [v.encode("utf-8") for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    if encoded:
        np.cumsum([len(b) for b in encoded], out=offsets[1:])
    blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    return blob, offsets


def save_matcher(matcher: Matcher, folder: Path) -> Path:
    """Write ``matcher`` (without judgements, which are read fresh each time) under ``folder``,
    atomically: a reader sees the whole index or none. Returns the folder."""
    assert matcher.index is not None
    folder = Path(folder)
    if (folder / META).exists():
        return folder
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=folder.parent))
    try:
        arrays: dict[str, npt.NDArray[Any]] = {
            "entry_ref": np.asarray(matcher.entry_ref, dtype=np.int32),
            "entry_first_row": np.asarray(matcher.entry_first_row, dtype=np.int32),
            "entry_flags": np.frombuffer(bytes(matcher.entry_flags), dtype=np.uint8),
            "row_entry": np.asarray(matcher.row_entry, dtype=np.int32),
            "row_flags": np.frombuffer(bytes(matcher.row_flags), dtype=np.uint8),
            "row_weight": np.asarray(matcher.row_weight, dtype=np.float32),
        }
        index = matcher.index
        for name, postings in (("postings", index.postings), ("deletions", index.deletions)):
            arrays[f"{name}_keys"] = postings.keys
            arrays[f"{name}_offsets"] = postings.offsets
            arrays[f"{name}_rows"] = postings.rows
        for name, values in (
            ("row_text", matcher.row_text),
            ("row_original", matcher.row_original),
            ("row_spelled", matcher.row_spelled),
            ("entry_ids", matcher.entry_ids),
            ("vocab", index.vocab),
        ):
            arrays[f"{name}_blob"], arrays[f"{name}_offsets"] = _strings(values)
        table: dict[tuple[str, ...], int] = {}
        country_index = np.fromiter(
            (table.setdefault(c, len(table)) for c in matcher.entry_countries),
            dtype=np.int32,
            count=len(matcher.entry_countries),
        )
        arrays["entry_country"] = country_index
        hashes = np.fromiter(
            (
                entry_hash(matcher.refs[matcher.entry_ref[i]].list_name, matcher.entry_ids[i])
                for i in range(len(matcher.entry_ids))
            ),
            dtype=np.int64,
            count=len(matcher.entry_ids),
        )
        order = np.argsort(hashes, kind="stable")
        arrays["entry_hashes"] = hashes[order]
        arrays["entry_order"] = order.astype(np.int32)
        for name, arr in arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(arr), allow_pickle=False)
        meta = {
            "format": FORMAT,
            "algorithm": ALGORITHM,
            "refs": [asdict(r) for r in matcher.refs],
            "countries": [list(c) for c in table],
            "idents": {str(k): list(v) for k, v in matcher.entry_idents.items()},
            "usccs": {str(k): list(v) for k, v in matcher.entry_usccs.items()},
            "n_rows": index.n_rows,
        }
        (tmp / META).write_text(json.dumps(meta), encoding="utf-8")
        try:
            os.rename(tmp, folder)
        except OSError:
            if not (folder / META).exists():
                raise
            shutil.rmtree(tmp, ignore_errors=True)  # another process saved it first
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return folder


def load_matcher(folder: Path) -> Matcher:
    """The matcher saved in ``folder``, its arrays memory-mapped (read-only)."""
    folder = Path(folder)
    meta = json.loads((folder / META).read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT or meta.get("algorithm") != ALGORITHM:
        raise ValueError(f"{folder}: index of another format or algorithm")

    def arr(name: str) -> npt.NDArray[Any]:
        out: npt.NDArray[Any] = np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
        return out

    def strings(name: str) -> StrColumn:
        return StrColumn(arr(f"{name}_blob"), arr(f"{name}_offsets"))

    def scalars(name: str) -> memoryview:
        """A per-row or per-entry column read one value at a time (see StrColumn)."""
        return arr(name).data

    m = Matcher()
    m.refs = [ListVersionRef(**r) for r in meta["refs"]]
    m.entry_ids = strings("entry_ids")
    m.entry_ref = scalars("entry_ref")
    m.entry_first_row = scalars("entry_first_row")
    m.entry_flags = scalars("entry_flags")
    m.entry_countries = TupleColumn([tuple(c) for c in meta["countries"]], arr("entry_country"))
    m.entry_idents = {int(k): tuple(v) for k, v in meta["idents"].items()}
    m.entry_usccs = {int(k): tuple(v) for k, v in meta["usccs"].items()}
    m.row_text = strings("row_text")
    m.row_original = strings("row_original")
    m.row_spelled = strings("row_spelled")
    m.row_entry = scalars("row_entry")
    m.row_flags = scalars("row_flags")
    m.row_weight = scalars("row_weight")
    m.by_entry = EntryLookup(m, arr("entry_hashes"), arr("entry_order"))
    postings = Postings(arr("postings_keys"), arr("postings_offsets"), arr("postings_rows"))
    deletions = Postings(arr("deletions_keys"), arr("deletions_offsets"), arr("deletions_rows"))
    m.index = NameIndex(postings, deletions, strings("vocab"), int(meta["n_rows"]))
    return m


def prune(parent: Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` most recently used indexes under ``parent``."""
    if not parent.is_dir():
        return
    found = sorted(
        (p for p in parent.iterdir() if p.is_dir() and (p / META).exists()),
        key=lambda p: (p / META).stat().st_mtime,
        reverse=True,
    )
    for old in found[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def touch(folder: Path) -> None:
    """Mark an index as used now (``prune`` keeps the most recently used)."""
    with contextlib.suppress(OSError):
        os.utime(folder / META)


def matcher_for(store: Store, lists: Sequence[str] | None, folder: Path | None) -> Matcher:
    """The matcher over the latest version of ``lists`` (all when empty) with every
    judgement, read from the saved index for exactly those versions when there is one,
    else built from the store and saved under ``folder`` (None: build, never save).

    Judgements are read from the store every time (they change without a new list
    version), so a saved index never hides a decision.
    """
    from flscreen.lists import store as lists_store
    from flscreen.matching.judgements import load_judgements

    with store.connect() as conn:
        latest = lists_store.latest_versions(conn)
        wanted = list(dict.fromkeys(lists or ()))
        refs = [lists_store.resolve_version(conn, name)[1] for name in wanted] or [
            latest[name] for name in sorted(latest)
        ]
        judgements = load_judgements(conn)
        path = folder / index_key(refs) if folder is not None else None
        matcher: Matcher | None = None
        if path is not None and (path / META).exists():
            try:
                matcher = load_matcher(path)
                touch(path)
            except (OSError, ValueError):
                matcher = None  # unreadable: rebuilt below
        if matcher is None:
            pinned = {r.list_name: r.version for r in refs}
            matcher = Matcher.build(
                lists_store.iter_entries(conn, list_names=list(pinned), versions=pinned)
            )
            if path is not None and len(matcher):
                save_matcher(matcher, path)
                prune(path.parent)
    matcher.judgements = judgements
    return matcher
