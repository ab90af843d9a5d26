"""OFAC SDN: the official CSV trio, the flattened real files, the JSON form, remarks."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from flscreen.lists.base import ParseContext
from flscreen.lists.ofac_csv import parse, parse_json, parse_remarks, split_programs
from flscreen.lists.samples import SAMPLE_DIR
from flscreen.model.lists import EntryLink, Identifier, ListEntry
from tests.conftest import shared_data

TRIO = SAMPLE_DIR / "ofac_sdn"


def _entries(path: Path) -> tuple[dict[str, ListEntry], ParseContext]:
    ctx = ParseContext(str(path))
    return {e.entry_id: e for _row, e in parse(path, ctx)}, ctx


@pytest.mark.parametrize("path", [TRIO, TRIO / "sdn.csv"])
def test_trio_from_folder_or_sdn_path(path: Path) -> None:
    entries, ctx = _entries(path)
    assert not ctx.problems
    assert len(entries) == 10
    psb = entries["29159"]
    assert psb.name == "XINJIANG PUBLIC SECURITY BUREAU"
    assert psb.schema == "organization"
    assert "PUBLIC SECURITY DEPARTMENT OF XUAR" in psb.aliases  # from alt.csv
    assert psb.addresses == ("Xinjiang, China",)  # from add.csv, '-0-' dropped
    assert psb.countries == ("cn",)
    assert psb.identifiers == (Identifier("ofac", "29159"),)
    # Person names stay as OFAC writes them.
    assert entries["31493"].name == "CHEN, Mingguo" and entries["31493"].schema == "person"
    # Legacy multi-programme cells: "GLOMAG] [UHRPA".
    assert entries["39417"].programs == ("GLOMAG", "UHRPA")
    # "Linked To: CHEN, Quanguo." resolves to his entry in the same list.
    assert entries["29299"].links == (EntryLink("linked_to", "29220", "CHEN, Quanguo"),)


def test_trio_without_companions_still_reads_sdn(tmp_path: Path) -> None:
    shutil.copy(TRIO / "sdn.csv", tmp_path / "SDN.CSV")
    entries, _ctx = _entries(tmp_path)
    assert len(entries) == 10 and entries["29159"].aliases == ()


def test_malformed_trio_rows_are_reported_with_line(tmp_path: Path) -> None:
    (tmp_path / "sdn.csv").write_bytes(
        b'29220,"CHEN, Quanguo","individual","GLOMAG",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        b"garbage\r\n"
        b'ABC,"NOT A NUMBER",-0- ,"GLOMAG",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
        b'29221,-0- ,-0- ,"GLOMAG",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
    )
    entries, ctx = _entries(tmp_path)
    assert list(entries) == ["29220"]
    assert [p.row for p in ctx.problems] == [2, 3, 4]
    assert "no name" in ctx.problems[2].message


def test_real_china_linked_flattened_file_with_alias_table() -> None:
    path = shared_data("ofac_sdn", "sdn_china_linked.csv")
    entries, ctx = _entries(path)
    assert not ctx.problems
    assert len(entries) == 609
    # WONG, Moon Chi: remarks carry passports and a Hong Kong national ID.
    wong = entries["9340"]
    assert wong.schema == "person"
    kinds = {i.kind for i in wong.identifiers}
    assert {"passport", "national_id", "ofac"} <= kinds
    assert "hk" in wong.countries or "cn" in wong.countries
    # fka names from "aka:X | fka:Y" become former names somewhere in the file.
    assert any(e.former_names for e in entries.values())
    # USCC in remarks is recognised and validated.
    assert any(i.kind == "uscc" for e in entries.values() for i in e.identifiers)


def test_real_xinjiang_records_csv_and_json_agree() -> None:
    csv_path = shared_data("ofac_sdn", "sdn_xinjiang_related.csv")
    json_path = shared_data("ofac_sdn", "sdn_xinjiang_related.json")
    from_csv, _ = _entries(csv_path)
    ctx = ParseContext(str(json_path))
    from_json = {e.entry_id: e for _row, e in parse_json(json_path, ctx)}
    assert set(from_csv) == set(from_json) and len(from_csv) == 15
    for key in from_csv:
        a, b = from_csv[key], from_json[key]
        assert (a.name, a.aliases, a.programs, a.listed_on) == (
            b.name,
            b.aliases,
            b.programs,
            b.listed_on,
        )
    # Links resolve within the file: Zakir is linked to the Xinjiang PSB (29159).
    assert [link.target_id for link in from_csv["34079"].links] == ["29159"]
    assert from_json["34079"].links == from_csv["34079"].links
    zakir = from_json["34079"]
    assert "ZHAKER, Xuekelaiti" in zakir.aliases
    assert from_json["29299"].listed_on == "2020-07-31"
    assert any("verify" in n for n in from_json["29299"].notes)


REMARKS = [
    # (remarks, identifiers, countries, links)
    (
        "DOB 10 Oct 1971; POB Chele County, Khuttan Area, Xinjiang Uighur Autonomous Region, "
        "China; nationality China; National ID No. 653225197110100533 (China); a.k.a. 'ABUDUHAKE'.",
        [Identifier("national_id", "653225197110100533")],
        ["China"],
        [],
    ),
    # USCC (validated) and a second "Linked To"; the website is a note.
    (
        "Website www.sunwaytech.cn; Registration Number 110117010279470 (China); Unified Social "
        "Credit Code (USCC) 91110117663725176G (China); Linked To: SHIRAZ ELECTRONICS "
        "INDUSTRIES; Linked To: LIU, Baoxia.",
        [Identifier("registration", "110117010279470"), Identifier("uscc", "91110117663725176G")],
        [],
        ["SHIRAZ ELECTRONICS INDUSTRIES", "LIU, Baoxia"],
    ),
    # "alt." prefixes and passports with a country in parentheses.
    (
        "citizen China; alt. citizen Cambodia; Passport 611657479 (China); alt. Passport "
        "2355009C (China).",
        [Identifier("passport", "611657479"), Identifier("passport", "2355009C")],
        ["China", "Cambodia"],
        [],
    ),
    ("", [], [], []),
]


@pytest.mark.parametrize(("remarks", "ids", "countries", "links"), REMARKS)
def test_parse_remarks(
    remarks: str, ids: list[Identifier], countries: list[str], links: list[str]
) -> None:
    parsed = parse_remarks(remarks)
    assert parsed["identifiers"] == ids
    assert parsed["countries"] == countries
    assert [link.target_name for link in parsed["links"]] == links


def test_split_programs() -> None:
    assert split_programs("SDGT] [IFSR") == ["SDGT", "IFSR"]
    assert split_programs("NPWMD;DPRK2") == ["NPWMD", "DPRK2"]
    assert split_programs("-0-") == []
