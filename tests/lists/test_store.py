"""Versioned storage of list entries: the contract other domains read through."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from flscreen.errors import InvalidInput, NotFound
from flscreen.lists import service
from flscreen.lists.base import ParseContext, Parsed
from flscreen.lists.service import import_list
from flscreen.lists.store import get_entry, iter_entries, latest_versions, list_versions_of
from flscreen.model.lists import ListEntry
from flscreen.store import Store
from tests.conftest import FIXTURES

FTM = FIXTURES / "lists" / "uflpa_sample.ftm.jsonl"


def _count(store: Store, table: str) -> int:
    with store.connect() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())


def test_import_then_iter_entries_yields_latest_version(store: Store) -> None:
    outcome = import_list(store, FTM, "uflpa")
    assert (outcome.version, outcome.entry_count, outcome.skipped) == (1, 3, 0)
    with store.connect() as conn:
        latest = latest_versions(conn)
        pairs = list(iter_entries(conn))
    assert latest["uflpa"].version == 1
    assert latest["uflpa"].entry_count == 3
    assert latest["uflpa"].sha256 == outcome.sha256
    assert {ref.list_name for ref, _ in pairs} == {"uflpa"}
    names = {entry.entry_id: entry.name for _, entry in pairs}
    assert names["NK-hoshine"] == "Hoshine Silicon Industry (Shanshan) Co., Ltd"
    # The raw source record round-trips through the store.
    hoshine = next(e for _, e in pairs if e.entry_id == "NK-hoshine")
    assert hoshine.raw["schema"] == "Company"


def test_identical_bytes_add_no_version(store: Store) -> None:
    import_list(store, FTM, "uflpa")
    again = import_list(store, FTM.read_bytes(), "uflpa")
    assert again.unchanged and again.version is None and again.previous == 1
    with store.connect() as conn:
        assert [r.version for r in list_versions_of(conn, "uflpa")] == [1]


def test_same_entries_in_another_order_add_no_version(store: Store, tmp_path: Path) -> None:
    import_list(store, FTM, "uflpa")
    lines = FTM.read_text().splitlines()
    shuffled = tmp_path / "shuffled.jsonl"
    shuffled.write_text("\n".join(reversed(lines)) + "\n")
    outcome = import_list(store, shuffled, "uflpa")
    assert outcome.unchanged
    with store.connect() as conn:
        assert [r.version for r in list_versions_of(conn, "uflpa")] == [1]


def test_unchanged_entries_share_bodies_across_versions(store: Store, tmp_path: Path) -> None:
    import_list(store, FTM, "uflpa")
    bodies_before = _count(store, "list_entry_bodies")
    changed = tmp_path / "v2.jsonl"
    changed.write_text(FTM.read_text().replace("PENG Jiarui", "PENG Jiarui (彭家瑞)"))
    outcome = import_list(store, changed, "uflpa")
    assert outcome.version == 2
    # One entry changed: exactly one new body, not three.
    assert _count(store, "list_entry_bodies") == bodies_before + 1
    with store.connect() as conn:
        v1 = {e.entry_id: e.name for _, e in iter_entries(conn, versions={"uflpa": 1})}
        v2 = {e.entry_id: e.name for _, e in iter_entries(conn, ["uflpa"])}
    assert v1["NK-xpcc-person"] == "PENG Jiarui"
    assert v2["NK-xpcc-person"] == "PENG Jiarui (彭家瑞)"


def test_failure_half_way_writes_nothing(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    def exploding(path: Path, ctx: ParseContext) -> Iterator[Parsed]:
        for i in range(12_000):  # more than two batches reach the database first
            yield i, ListEntry(entry_id=f"e{i}", schema="company", name=f"Company {i}")
        raise RuntimeError("disk vanished")

    monkeypatch.setattr(service, "get_parser", lambda fmt: exploding)
    with pytest.raises(RuntimeError):
        import_list(store, FTM, "uflpa")
    for table in ("lists", "list_versions", "list_version_entries", "list_entry_bodies"):
        assert _count(store, table) == 0, table


def test_unknown_list_or_version_is_not_found(store: Store) -> None:
    import_list(store, FTM, "uflpa")
    with store.connect() as conn:
        with pytest.raises(NotFound, match="no list named 'ofac-sdn'"):
            list(iter_entries(conn, ["ofac-sdn"]))
        with pytest.raises(NotFound, match="has no version 7"):
            list(iter_entries(conn, versions={"uflpa": 7}))
        ref, entry = get_entry(conn, "uflpa", "NK-hoshine")
    assert ref.version == 1 and entry.countries == ("cn",)


@pytest.mark.parametrize("bad", ["UFLPA", "my list", "", "-x", "a" * 65])
def test_list_names_are_checked(store: Store, bad: str) -> None:
    with pytest.raises(InvalidInput, match="invalid list name"):
        import_list(store, FTM, bad)


def test_iter_entries_orders_lists_and_ids_and_pins_one_list(store: Store) -> None:
    import_list(store, b"id,name\nb2,Beta Two\na1,Alpha One\n", "zeta", fmt="csv")
    import_list(store, b"id,name\nz9,Zulu\n", "alpha", fmt="csv")
    import_list(store, b"id,name\nz9,Zulu Renamed\n", "alpha", fmt="csv")
    with store.connect() as conn:
        pairs = [(ref.list_name, ref.version, e.entry_id) for ref, e in iter_entries(conn)]
        pinned = [(ref.list_name, e.name) for ref, e in iter_entries(conn, versions={"alpha": 1})]
        only = [e.entry_id for _ref, e in iter_entries(conn, ["zeta"])]
    # Lists by name, entries by id (code-point order on both backends).
    assert pairs == [("alpha", 2, "z9"), ("zeta", 1, "a1"), ("zeta", 1, "b2")]
    assert pinned == [("alpha", "Zulu"), ("zeta", "Alpha One"), ("zeta", "Beta Two")]
    assert only == ["a1", "b2"]
