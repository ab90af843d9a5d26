"""Diffs between list versions: added, removed, changed with the fields that changed."""

from __future__ import annotations

import pytest

from flscreen.errors import InvalidInput, NotFound
from flscreen.lists.service import import_list
from flscreen.lists.versions import diff_versions
from flscreen.store import Store

V1 = (
    "id,name,aliases,country\n"
    "a1,Xinjiang Zhongtai Chemical Co. Ltd.,Zhongtai Chemical,cn\n"
    "a2,Hoshine Silicon Industry Co. Ltd.,,cn\n"
    "a3,Camel Group Co. Ltd.,,cn\n"
)
# a1 gains an alias, a2 is removed, a4 is added, a3 is untouched.
V2 = (
    "id,name,aliases,country\n"
    "a1,Xinjiang Zhongtai Chemical Co. Ltd.,Zhongtai Chemical|新疆中泰化学,cn\n"
    "a3,Camel Group Co. Ltd.,,cn\n"
    "a4,Aksu Huafu Color Spinning Co. Ltd.,,cn\n"
)


def test_diff_of_last_two_versions(store: Store) -> None:
    import_list(store, V1.encode(), "mine", fmt="csv")
    import_list(store, V2.encode(), "mine", fmt="csv")
    with store.connect() as conn:
        diff = diff_versions(conn, "mine")
    data = diff.to_json()
    assert (data["list"], data["from"], data["to"]) == ("mine", 1, 2)
    assert [e["entry_id"] for e in data["added"]] == ["a4"]
    assert [e["entry_id"] for e in data["removed"]] == ["a2"]
    assert [c["entry_id"] for c in data["changed"]] == ["a1"]
    fields = data["changed"][0]["fields"]
    assert fields["aliases"] == {
        "from": ["Zhongtai Chemical"],
        "to": ["Zhongtai Chemical", "新疆中泰化学"],
    }
    # The parsed field explains the change; the raw record is not repeated.
    assert set(fields) == {"aliases"}
    assert "raw" not in data["added"][0]


def test_diff_any_two_versions_and_from_empty(store: Store) -> None:
    import_list(store, V1.encode(), "mine", fmt="csv")
    import_list(store, V2.encode(), "mine", fmt="csv")
    import_list(store, V1.encode(), "mine", fmt="csv")  # back to v1's content: version 3
    with store.connect() as conn:
        same = diff_versions(conn, "mine", from_version=1, to_version=3)
        first = diff_versions(conn, "mine", to_version=1)
        backwards = diff_versions(conn, "mine", from_version=2, to_version=1)
    assert (same.added, same.removed, same.changed) == ([], [], [])
    assert first.from_ref is None and len(first.added) == 3
    assert [e.entry_id for e in backwards.added] == ["a2"]


def test_change_only_in_the_raw_record_is_reported_per_column(store: Store) -> None:
    v1 = "id,name,source_note\na1,Camel Group Co. Ltd.,DHS 2023-08-01\n"
    v2 = "id,name,source_note\na1,Camel Group Co. Ltd.,FR 2023-16361\n"
    import_list(store, v1.encode(), "mine", fmt="csv")
    import_list(store, v2.encode(), "mine", fmt="csv")
    with store.connect() as conn:
        [change] = diff_versions(conn, "mine").changed
    assert change.fields == {"raw.source_note": {"from": "DHS 2023-08-01", "to": "FR 2023-16361"}}


def test_diff_errors(store: Store) -> None:
    import_list(store, V1.encode(), "mine", fmt="csv")
    with store.connect() as conn:
        with pytest.raises(NotFound, match="no list named 'other'"):
            diff_versions(conn, "other")
        with pytest.raises(NotFound, match="has no version 9"):
            diff_versions(conn, "mine", from_version=9)
        with pytest.raises(InvalidInput, match="both version 1"):
            diff_versions(conn, "mine", from_version=1, to_version=1)


def test_renamed_uflpa_entity_is_a_change_not_a_removal_and_addition(store: Store) -> None:
    head = "raw_cell_text,section,effective_date\n"
    v1 = head + (
        '"Xinjiang GCL New Energy Material Technology Co., Ltd.",2(d)(2)(B)(i),2022-06-21\n'
        '"Camel Group Co., Ltd.",2(d)(2)(B)(ii),2023-08-02\n'
    )
    v2 = head + (
        '"Xinjiang Goens Energy Technology Co., Ltd. (formerly known as Xinjiang GCL New Energy '
        "Material Technology Co., Ltd.; and Xinjiang GCL New Energy Materials Technology Co., "
        'Ltd.)",2(d)(2)(B)(i),2026-08-03\n'
        '"Camel Group Co., Ltd.",2(d)(2)(B)(ii),2023-08-02\n'
        # A new entity sharing no name with a removed one stays an addition.
        '"Shihezi Xinren Battery Aluminum Foil Technology Co., Ltd.",2(d)(2)(B)(v),2026-08-03\n'
    )
    import_list(store, v1.encode(), "uflpa", fmt="uflpa-csv")
    import_list(store, v2.encode(), "uflpa", fmt="uflpa-csv")
    with store.connect() as conn:
        diff = diff_versions(conn, "uflpa")
    assert diff.removed == []
    assert [e.name for e in diff.added] == [
        "Shihezi Xinren Battery Aluminum Foil Technology Co., Ltd."
    ]
    [change] = diff.changed
    assert change.fields["entry_id"] == {
        "from": "uflpa-xinjiang-gcl-new-energy-material-technology-co-ltd",
        "to": "uflpa-xinjiang-goens-energy-technology-co-ltd",
    }
    assert change.fields["name"]["to"] == "Xinjiang Goens Energy Technology Co., Ltd."
    assert change.fields["listed_on"] == {"from": "2022-06-21", "to": "2026-08-03"}
