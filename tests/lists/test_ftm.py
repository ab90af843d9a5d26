"""FollowTheMoney JSON lines: parties, folded links/addresses/sanctions, bad lines."""

from __future__ import annotations

from pathlib import Path

import orjson

from flscreen.lists.base import ParseContext
from flscreen.lists.ftm import parse
from flscreen.model.lists import EntryLink, Identifier, ListEntry
from tests.conftest import FIXTURES

FTM = FIXTURES / "lists" / "uflpa_sample.ftm.jsonl"


def _parse(path: Path) -> tuple[dict[str, ListEntry], ParseContext]:
    ctx = ParseContext(str(path))
    return {e.entry_id: e for _row, e in parse(path, ctx)}, ctx


def test_parties_with_folded_entities() -> None:
    entries, ctx = _parse(FTM)
    assert not ctx.problems
    # Address, Ownership and Sanction entities are not entries of their own.
    assert set(entries) == {"NK-hoshine", "NK-hoshine-parent", "NK-xpcc-person"}
    hoshine = entries["NK-hoshine"]
    assert hoshine.schema == "company"
    assert hoshine.aliases == ("Hesheng Silicon Industry (Shanshan) Co.",)
    assert hoshine.addresses == ("Shanshan County, Turpan, Xinjiang, China",)
    # A registrationNumber that is a valid USCC is named as one.
    assert hoshine.identifiers == (Identifier("uscc", "91650421MA77YPH54K"),)
    assert "UFLPA Entity List 2(d)(2)(B)(i)" in hoshine.programs
    assert hoshine.listed_on == "2022-06-21"
    assert any("forced labor" in n for n in hoshine.notes)
    # The Ownership becomes a link on both ends, with the other side's name and share.
    assert hoshine.links == (
        EntryLink("owned_by", "NK-hoshine-parent", "Hoshine Silicon Industry Co., Ltd.", 100.0),
    )
    parent = entries["NK-hoshine-parent"]
    assert parent.links[0].relation == "owns" and parent.links[0].target_id == "NK-hoshine"
    # Names in every script are kept as given.
    assert parent.aliases == ("合盛硅业股份有限公司",)
    assert entries["NK-xpcc-person"].schema == "person"


def test_link_before_its_parties_and_nested_references(tmp_path: Path) -> None:
    lines = [
        {"id": "own", "schema": "Ownership", "properties": {"owner": ["b"], "asset": ["a"]}},
        {
            "id": "dir",
            "schema": "Directorship",
            "properties": {
                "director": [{"id": "p", "schema": "Person"}],
                "organization": ["a"],
                "role": ["Chairman"],
            },
        },
        {
            "id": "a",
            "schema": "Company",
            "properties": {"name": ["Asset Co"], "previousName": ["Old Asset Co"]},
        },
        {
            "id": "b",
            "schema": "Organization",
            "properties": {"name": ["Owner Org"], "parent": ["a"]},
        },
        {
            "id": "p",
            "schema": "Person",
            "properties": {"firstName": ["Jiarui"], "lastName": ["PENG"]},
        },
    ]
    path = tmp_path / "links.jsonl"
    path.write_bytes(b"\n".join(orjson.dumps(line) for line in lines) + b"\n")
    entries, ctx = _parse(path)
    assert not ctx.problems
    a = entries["a"]
    assert a.former_names == ("Old Asset Co",)
    assert EntryLink("owned_by", "b", "Owner Org") in a.links
    assert EntryLink("has_director", "p", "Jiarui PENG", None, "Chairman") in a.links
    assert EntryLink("subsidiary_of", "a", "Asset Co") in entries["b"].links
    assert entries["p"].name == "Jiarui PENG"


def test_bad_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_bytes(
        b'{"id": "ok", "schema": "Company", "properties": {"name": ["Good Co"]}}\n'
        b"{not json\n"
        b"\n"
        b'["a list"]\n'
        b'{"id": "x", "properties": {"name": ["No schema"]}}\n'
        b'{"id": "y", "schema": "Spaceship", "properties": {"name": ["Unknown schema"]}}\n'
        b'{"id": "z", "schema": "Company", "properties": {}}\n'
        b'{"id": "u", "schema": "Company", "properties": {"name": ["Caf\xe9 bad utf8"]}}\n'
        b'{"id": "d", "schema": "Document", "properties": {"title": ["not a party"]}}\n'
    )
    entries, ctx = _parse(path)
    assert list(entries) == ["ok"]
    by_row = {p.row: p.message for p in ctx.problems}
    assert set(by_row) == {2, 4, 5, 6, 7, 8}
    assert "not valid JSON" in by_row[2]
    assert "no 'schema'" in by_row[5]
    assert "unknown FtM schema 'Spaceship'" in by_row[6]
    assert "has no name" in by_row[7]
    assert "invalid UTF-8" in by_row[8]


def test_opensanctions_nested_export(tmp_path: Path) -> None:
    """targets.nested.json: sanctions, addresses and ownerships inline in the party."""
    company = {
        "id": "NK-zhongtai",
        "schema": "Company",
        "caption": "Xinjiang Zhongtai Chemical Co., Ltd.",
        "properties": {
            "name": ["Xinjiang Zhongtai Chemical Co., Ltd."],
            "addressEntity": [
                {"id": "addr-1", "schema": "Address", "properties": {"full": ["Urumqi, Xinjiang"]}}
            ],
            "sanctions": [
                {
                    "id": "s-1",
                    "schema": "Sanction",
                    "properties": {
                        "entity": ["NK-zhongtai"],
                        "program": ["UFLPA Entity List"],
                        "startDate": ["2023-06-12"],
                    },
                }
            ],
            "ownershipOwner": [
                {
                    "id": "o-1",
                    "schema": "Ownership",
                    "properties": {
                        "owner": ["NK-zhongtai"],
                        "asset": [
                            {
                                "id": "NK-sub",
                                "schema": "Company",
                                "caption": "Xinjiang Zhongtai Chemical Fukang Energy Co., Ltd.",
                                "properties": {},
                            }
                        ],
                        "percentage": ["100"],
                    },
                }
            ],
        },
    }
    path = tmp_path / "nested.json"
    path.write_bytes(orjson.dumps(company) + b"\n")
    entries, ctx = _parse(path)
    assert not ctx.problems
    entry = entries["NK-zhongtai"]
    assert entry.addresses == ("Urumqi, Xinjiang",)
    assert entry.programs == ("UFLPA Entity List",) and entry.listed_on == "2023-06-12"
    assert entry.links == (
        EntryLink("owns", "NK-sub", "Xinjiang Zhongtai Chemical Fukang Energy Co., Ltd.", 100.0),
    )
