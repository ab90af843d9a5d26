"""UK sanctions list CSV (both shapes) and the EU consolidated list XML."""

from __future__ import annotations

from pathlib import Path

import pytest

from flscreen.errors import InvalidInput
from flscreen.lists import eu_xml, uk_csv
from flscreen.lists.base import ParseContext
from flscreen.model.lists import EntryLink, Identifier
from tests.conftest import FIXTURES

UK = FIXTURES / "lists" / "uk_sanctions_list_sample.csv"
EU = FIXTURES / "lists" / "eu_fsf_sample.xml"


def test_uk_sanctions_list_rows_fold_into_designations() -> None:
    ctx = ParseContext(str(UK))
    entries = {e.entry_id: e for _row, e in uk_csv.parse(UK, ctx)}
    assert set(entries) == {"GHR0901", "GHR0904"}
    chen = entries["GHR0901"]
    assert chen.schema == "person"
    assert chen.name == "Mingguo CHEN"
    # The non-Latin name and the good-quality alias both count as aliases.
    assert chen.aliases == ("陈明国", "Ming Guo CHEN")
    assert chen.listed_on == "2021-03-22"
    assert chen.programs == ("Global Human Rights",)
    psb = entries["GHR0904"]
    assert psb.schema == "organization"
    # A low-quality alias is kept as a note, not as a name to match on.
    assert "XPCC PSB" not in psb.aliases and "weak alias: XPCC PSB" in psb.notes
    assert psb.addresses == ("Xinjiang Production and Construction Corps, Urumqi, 830002, China",)
    assert (
        EntryLink("subsidiary_of", None, "Xinjiang Production and Construction Corps") in psb.links
    )
    # A row without a Unique ID is reported with its line.
    assert [(p.row, p.field) for p in ctx.problems] == [(7, "unique id")]


def test_ofsi_consolidated_list_shape(tmp_path: Path) -> None:
    path = tmp_path / "ConList.csv"
    path.write_text(
        "Last Updated,22/03/2021\n"
        "Name 6,Name 1,Name 2,Name 3,Name 4,Name 5,Title,Name Non-Latin Script,DOB,Nationality,"
        "Country,Other Information,Group Type,Alias Type,Alias Quality,Regime,Listed On,Group ID\n"
        "ZHU,Hailun,,,,,,朱海仑,00/01/1958,China,China,(UK Sanctions List Ref):GHR0902.,"
        "Individual,Primary name,,Global Human Rights,22/03/2021,14072\n"
        "ZHU,Hai Lun,,,,,,,,China,China,,Individual,AKA,Good,Global Human Rights,"
        "22/03/2021,14072\n",
        encoding="utf-8",
    )
    ctx = ParseContext(str(path))
    [entry] = [e for _row, e in uk_csv.parse(path, ctx)]
    assert not ctx.problems
    assert entry.entry_id == "14072" and entry.name == "Hailun ZHU"
    assert entry.aliases == ("朱海仑", "Hai Lun ZHU")
    assert Identifier("uk_sanctions_list", "GHR0902") in entry.identifiers


def test_eu_xml_entities() -> None:
    ctx = ParseContext(str(EU))
    entries = {e.entry_id: e for _row, e in eu_xml.parse(EU, ctx)}
    assert set(entries) == {"9001", "9002"}
    chen = entries["9001"]
    assert (chen.schema, chen.name, chen.aliases) == ("person", "Mingguo CHEN", ("陈明国",))
    assert chen.countries == ("cn",) and chen.programs == ("GHR",)
    assert "POB: Yilong, CHINA" in chen.notes
    psb = entries["9002"]
    assert psb.aliases == ("XPCC Public Security Bureau",)
    assert "weak alias: Bingtuan PSB" in psb.notes
    assert Identifier("eu_reference", "EU.9002.33") in psb.identifiers
    assert psb.raw["xml"].lstrip().startswith("<sanctionEntity")
    # The entity with no name is reported at its line.
    assert [p.row for p in ctx.problems] == [25]


def test_truncated_eu_xml_is_refused_not_half_imported(tmp_path: Path) -> None:
    path = tmp_path / "cut.xml"
    path.write_bytes(EU.read_bytes()[:3000])
    ctx = ParseContext(str(path))
    with pytest.raises(InvalidInput, match="not well-formed"):
        list(eu_xml.parse(path, ctx))


def test_parent_company_resolves_to_its_designation(tmp_path: Path) -> None:
    path = tmp_path / "uk.csv"
    path.write_text(
        "Report Date: 02-Oct-2026\n"
        "Unique ID,Name 6,Name type,Designation Type,Regime Name,Parent company\n"
        "GHR0904,Xinjiang Production and Construction Corps Public Security Bureau,"
        "Primary Name,Entity,Global Human Rights,XINJIANG PRODUCTION AND CONSTRUCTION CORPS\n"
        "GHR0999,Xinjiang Production and Construction Corps,Primary Name,Entity,"
        "Global Human Rights,\n",
        encoding="utf-8",
    )
    ctx = ParseContext(str(path))
    entries = {e.entry_id: e for _row, e in uk_csv.parse(path, ctx)}
    # Case differs between the parent column and the designation's name.
    assert entries["GHR0904"].links == (
        EntryLink("subsidiary_of", "GHR0999", "XINJIANG PRODUCTION AND CONSTRUCTION CORPS"),
    )
