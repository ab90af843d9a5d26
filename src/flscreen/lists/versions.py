"""What changed between two versions of a list: added, removed, changed entries.

Entries are compared by content hash first (cheap, no bodies read); only
entries whose hash differs are loaded and compared field by field. When no
parsed field moved, the change is in the raw source record and is reported per
raw key (``raw.<key>``), so a re-worded remark still shows up. An entry that
reappears under a new id with a name of the old one is a rename, reported as a
change of ``entry_id`` (see ``renames``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Connection

from flscreen.errors import InvalidInput, Problem
from flscreen.lists import store as lists_store
from flscreen.model.lists import ListEntry, ListVersionRef

COMPARED_FIELDS = (
    "schema",
    "name",
    "aliases",
    "former_names",
    "addresses",
    "countries",
    "identifiers",
    "programs",
    "listed_on",
    "links",
    "notes",
    "sources",
)


@dataclass(frozen=True, slots=True)
class FieldChange:
    entry_id: str
    name: str
    fields: dict[str, dict[str, Any]]


@dataclass(frozen=True, slots=True)
class ListDiff:
    list_name: str
    from_ref: ListVersionRef | None
    to_ref: ListVersionRef
    added: list[ListEntry] = field(default_factory=list)
    removed: list[ListEntry] = field(default_factory=list)
    changed: list[FieldChange] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The CLI contract: {list, from, to, added, removed, changed:[{entry_id, fields}]}."""
        return {
            "list": self.list_name,
            "from": self.from_ref.version if self.from_ref else None,
            "to": self.to_ref.version,
            "added": [entry_summary(e) for e in self.added],
            "removed": [entry_summary(e) for e in self.removed],
            "changed": [
                {"entry_id": c.entry_id, "name": c.name, "fields": c.fields} for c in self.changed
            ],
        }


def entry_summary(entry: ListEntry) -> dict[str, Any]:
    """An entry as JSON without its raw record (that stays in the store)."""
    data = lists_store.entry_to_dict(entry)
    data.pop("raw", None)
    return data


def field_changes(old: ListEntry, new: ListEntry) -> dict[str, dict[str, Any]]:
    """{field: {"from": old value, "to": new value}} for every field that differs."""
    out: dict[str, dict[str, Any]] = {}
    old_data, new_data = lists_store.entry_to_dict(old), lists_store.entry_to_dict(new)
    for name in COMPARED_FIELDS:
        before, after = old_data.get(name, []), new_data.get(name, [])
        if before != after:
            out[name] = {"from": before, "to": after}
    if out:
        return out  # the parsed fields explain the change; the raw record follows them
    for key in sorted(set(old.raw) | set(new.raw)):
        before, after = old.raw.get(key), new.raw.get(key)
        if before != after:
            out[f"raw.{key}"] = {"from": before, "to": after}
    return out


def diff_versions(
    conn: Connection, list_name: str, from_version: int | None = None, to_version: int | None = None
) -> ListDiff:
    """Diff two versions; defaults: ``to`` = latest, ``from`` = the version before ``to``.

    With a single version (or ``from_version=0``) everything counts as added.
    """
    refs = lists_store.list_versions_of(conn, list_name)
    if not refs:
        lists_store.resolve_version(conn, list_name)  # raises NotFound with the right words
    numbers = [r.version for r in refs]
    to_v = to_version if to_version is not None else numbers[-1]
    to_id, to_ref = lists_store.resolve_version(conn, list_name, to_v)
    if from_version is None:
        earlier = [n for n in numbers if n < to_v]
        from_v: int | None = earlier[-1] if earlier else None
    else:
        from_v = from_version or None
    if from_v is not None and from_v == to_v:
        raise InvalidInput(
            [
                Problem(
                    list_name,
                    f"from and to are both version {to_v}: nothing to compare",
                    field="from",
                )
            ]
        )
    old: dict[str, str] = {}
    from_ref: ListVersionRef | None = None
    if from_v is not None:
        from_id, from_ref = lists_store.resolve_version(conn, list_name, from_v)
        old = dict(lists_store.version_hashes(conn, from_id))
    added_hashes: list[str] = []
    changed_pairs: list[tuple[str, str]] = []
    for entry_id, content_hash in lists_store.version_hashes(conn, to_id):
        previous = old.pop(entry_id, None)
        if previous is None:
            added_hashes.append(content_hash)
        elif previous != content_hash:
            changed_pairs.append((previous, content_hash))
    removed_hashes = list(old.values())
    bodies = lists_store.load_bodies(
        conn, [*added_hashes, *removed_hashes, *(h for pair in changed_pairs for h in pair)]
    )
    changed = []
    for before, after in changed_pairs:
        old_entry, new_entry = bodies[before], bodies[after]
        changed.append(
            FieldChange(new_entry.entry_id, new_entry.name, field_changes(old_entry, new_entry))
        )
    added = [bodies[h] for h in added_hashes]
    removed = [bodies[h] for h in removed_hashes]
    for old_entry, new_entry in renames(removed, added):
        removed.remove(old_entry)
        added.remove(new_entry)
        fields = {"entry_id": {"from": old_entry.entry_id, "to": new_entry.entry_id}}
        fields.update(field_changes(old_entry, new_entry))
        changed.append(FieldChange(new_entry.entry_id, new_entry.name, fields))
    return ListDiff(
        list_name=list_name,
        from_ref=from_ref,
        to_ref=to_ref,
        added=sorted(added, key=lambda e: e.entry_id),
        removed=sorted(removed, key=lambda e: e.entry_id),
        changed=sorted(changed, key=lambda c: c.entry_id),
    )


def _name_keys(entry: ListEntry) -> set[str]:
    return {" ".join(n.casefold().split()) for n in entry.all_names}


def renames(removed: list[ListEntry], added: list[ListEntry]) -> list[tuple[ListEntry, ListEntry]]:
    """(old, new) pairs where an entry came back under a new id but shares a name
    with exactly one removed entry, and that one with no other added entry.

    Lists without ids of their own (the UFLPA page) derive ids from names, so a
    renamed entity ("Xinjiang GCL ..." now "Xinjiang Goens ... (formerly known as
    Xinjiang GCL ...)") would otherwise read as one removal and one addition.
    """
    by_name: dict[str, list[int]] = {}
    for i, entry in enumerate(removed):
        for key in _name_keys(entry):
            by_name.setdefault(key, []).append(i)
    candidates: dict[int, set[int]] = {}
    for j, entry in enumerate(added):
        hits = {i for key in _name_keys(entry) for i in by_name.get(key, ())}
        if len(hits) == 1:
            candidates[j] = hits
    claimed: dict[int, list[int]] = {}
    for j, hits in candidates.items():
        claimed.setdefault(next(iter(hits)), []).append(j)
    return [(removed[i], added[js[0]]) for i, js in claimed.items() if len(js) == 1]
