"""import_list: bad input is refused or skipped per strict (--strict), never half-written."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from flscreen.errors import InvalidInput
from flscreen.lists import service
from flscreen.lists.samples import sample_lists
from flscreen.lists.service import after_import, import_list, register_after_import
from flscreen.lists.store import iter_entries, latest_versions
from flscreen.store import Store

DUPLICATES = (
    "id,name,country\n"
    "a1,Xinjiang Zhongtai Chemical Co. Ltd.,cn\n"
    "a2,Hoshine Silicon Industry Co. Ltd.,cn\n"
    "a1,Another name for the same id,cn\n"
)


def _versions(store: Store) -> dict[str, int]:
    with store.connect() as conn:
        return {name: ref.version for name, ref in latest_versions(conn).items()}


def test_every_bundled_sample_imports_into_a_fresh_store(store: Store) -> None:
    for list_name, path, fmt in sample_lists():
        outcome = import_list(store, path, list_name)  # format guessed
        assert outcome.format == fmt
        assert outcome.version == 1 and outcome.skipped == 0, outcome.problems
    assert _versions(store) == {"uflpa": 1, "ofac-sdn": 1, "my-watchlist": 1}


def test_duplicate_ids_skipped_and_reported(store: Store) -> None:
    outcome = import_list(store, DUPLICATES.encode(), "mine", fmt="csv")
    assert outcome.entry_count == 2 and outcome.skipped == 1
    assert outcome.problems[0].row == 4
    assert "duplicate id 'a1'" in outcome.problems[0].message
    with store.connect() as conn:
        names = {e.entry_id: e.name for _, e in iter_entries(conn, ["mine"])}
    assert names["a1"] == "Xinjiang Zhongtai Chemical Co. Ltd."  # the first one wins


def test_strict_refuses_the_whole_file(store: Store) -> None:
    with pytest.raises(InvalidInput) as info:
        import_list(store, DUPLICATES.encode(), "mine", fmt="csv", strict=True)
    assert "row 4" in info.value.render() and "(strict)" in info.value.render()
    assert _versions(store) == {}


def test_empty_file_and_missing_file(store: Store, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(InvalidInput, match=r"empty\.csv: the file is empty"):
        import_list(store, empty, "mine")
    with pytest.raises(InvalidInput, match="file not found"):
        import_list(store, tmp_path / "nope.csv", "mine")
    with pytest.raises(InvalidInput, match="this is a folder"):
        import_list(store, tmp_path, "mine")


def test_non_utf8_rows_are_kept_read_in_their_likely_encoding(store: Store) -> None:
    data = (
        b"id,name\n"
        b"x1,Good Co\n"
        b"x2,Caf\xe9 Lyon Textiles\n"  # Windows-1252, from a Western spreadsheet
        + "x3,新疆天山毛纺织股份有限公司\n".encode("gb18030")  # Chinese Windows
    )
    outcome = import_list(store, data, "mine", fmt="csv")
    assert outcome.entry_count == 3 and outcome.skipped == 0
    assert [(w.row, "Windows-1252" in w.message) for w in outcome.warnings] == [
        (3, True),
        (4, False),
    ]
    with store.connect() as conn:
        names = {e.entry_id: e.name for _, e in iter_entries(conn, ["mine"])}
    assert names["x2"] == "Café Lyon Textiles"
    assert names["x3"] == "新疆天山毛纺织股份有限公司"
    with pytest.raises(InvalidInput, match="GB18030"):
        import_list(store, data, "strict-mine", fmt="csv", strict=True)


def test_wrong_format_keeps_what_is_stored(store: Store) -> None:
    [(_name, path, _fmt)] = [s for s in sample_lists() if s[0] == "ofac-sdn"]
    import_list(store, path, "uflpa", fmt="ofac-csv")
    with pytest.raises(InvalidInput, match="looks like"):
        import_list(store, path / "sdn.csv", "uflpa", fmt="ftm")
    assert _versions(store) == {"uflpa": 1}


def test_only_bad_rows_means_no_version(store: Store) -> None:
    with pytest.raises(InvalidInput, match="no entries found"):
        import_list(store, b"id,name\n1,\n2,\n", "mine", fmt="csv")
    assert _versions(store) == {}


def test_after_import_hooks_run_for_new_versions_only(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int | None] = []
    monkeypatch.setattr(service, "IMPORT_HOOKS", [])
    register_after_import(lambda _store, outcome: seen.append(outcome.version))
    first = import_list(store, DUPLICATES.encode(), "mine", fmt="csv")
    after_import(store, first)
    again = import_list(store, DUPLICATES.encode(), "mine", fmt="csv")
    after_import(store, again)
    assert seen == [1]


def test_version_rows_record_provenance(store: Store) -> None:
    outcome = import_list(
        store, DUPLICATES.encode(), "mine", fmt="csv", source_label="https://example.org/mine.csv"
    )
    with store.connect() as conn:
        row = conn.execute(
            sa.text("SELECT source, sha256, entry_count, skipped FROM list_versions")
        ).one()
    assert tuple(row) == ("https://example.org/mine.csv", outcome.sha256, 2, 1)


def test_blank_file_is_refused_as_such(store: Store) -> None:
    with pytest.raises(InvalidInput, match="nothing but blank space"):
        import_list(store, b"\n  \n\t\n", "mine")
    with pytest.raises(InvalidInput, match="nothing but blank space"):
        import_list(store, b"\n\n", "mine", fmt="ftm")


def test_progress_reports_growing_counts_and_the_total(store: Store) -> None:
    rows = "".join(f"id{i},Supplier {i} Textile Co. Ltd.\n" for i in range(25))
    seen: list[int] = []
    outcome = import_list(
        store, ("id,name\n" + rows).encode(), "mine", fmt="csv", progress=seen.append, batch_size=10
    )
    assert seen == [10, 20, 25] and outcome.entry_count == 25


def test_xlsx_is_guessed_and_imported(store: Store, tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["name", "aliases", "country"])
    sheet.append(["Hoshine Silicon Industry Co., Ltd.", "合盛硅业股份有限公司", "CN"])
    path = tmp_path / "watch.xlsx"
    workbook.save(path)
    outcome = import_list(store, path, "watch")
    assert (outcome.format, outcome.version, outcome.entry_count) == ("csv", 1, 1)
