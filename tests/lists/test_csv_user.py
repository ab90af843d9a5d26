"""A user's own CSV list: columns, derived ids, identifiers, bad rows."""

from __future__ import annotations

from pathlib import Path

from flscreen.lists.base import ParseContext, slug_id
from flscreen.lists.csv_user import parse
from flscreen.lists.samples import SAMPLE_DIR
from flscreen.model.lists import Identifier, ListEntry


def _parse(path: Path) -> tuple[list[ListEntry], ParseContext]:
    ctx = ParseContext(str(path))
    return [e for _row, e in parse(path, ctx)], ctx


def test_sample_watchlist() -> None:
    entries, ctx = _parse(SAMPLE_DIR / "my_watchlist.csv")
    assert not ctx.problems
    by_id = {e.entry_id: e for e in entries}
    tianshan = by_id["own-001"]
    assert tianshan.aliases == ("新疆天山毛纺织股份有限公司", "Tianshan Wool")
    assert tianshan.countries == ("cn",)
    # No id column value: a stable id from the name.
    lop = entries[-1]
    assert lop.entry_id == "lop-county-hair-product-industrial-park"
    assert lop.schema == "organization"


def test_synonym_headers_identifiers_and_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text(
        "Entity Name,Alias,Country,Identifiers,Entity Type,Listing Date\n"
        # A bare valid USCC is recognised; kind:value pairs keep their kind.
        "Hoshine Silicon,合盛硅业,China,91650421MA77YPH54K | duns:123456789,company,2022-06-21\n"
        "Peng Jiarui,,CN,,individual,\n"
        ",,,,,\n"  # blank row: ignored silently
        ",orphan alias,,,,\n"  # a row with data but no name
        "Someone,,,,spaceship,\n"
        "Late Co,,,,company,June 2022\n"
        "Too,many,cells,,,,,\n",
        encoding="utf-8",
    )
    entries, ctx = _parse(path)
    assert [e.name for e in entries] == ["Hoshine Silicon", "Peng Jiarui"]
    assert entries[0].identifiers == (
        Identifier("uscc", "91650421MA77YPH54K"),
        Identifier("duns", "123456789"),
    )
    assert entries[0].listed_on == "2022-06-21"
    assert entries[1].schema == "person" and entries[1].countries == ("cn",)
    assert [p.row for p in ctx.problems] == [5, 6, 7, 8]


def test_missing_name_column_is_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "noname.csv"
    path.write_text("company_id,city\n1,Urumqi\n")
    entries, ctx = _parse(path)
    assert entries == []
    assert "no 'name' column" in ctx.problems[0].message


def test_slug_ids_are_stable_and_ascii() -> None:
    assert slug_id("", "Xinjiang Tianshan Wool Textile Co. Ltd.") == (
        "xinjiang-tianshan-wool-textile-co-ltd"
    )
    # Only Chinese: a hash keeps the id ASCII and stable.
    first = slug_id("", "新疆天山毛纺织股份有限公司")
    assert first == slug_id("", "新疆天山毛纺织股份有限公司") and first.isascii()
    assert first != slug_id("", "新疆中泰化学股份有限公司")


def test_real_uflpa_announcements_file_reads_as_a_user_list() -> None:
    """The secondary-source UFLPA additions file: stated aliases, 'formerly known as'
    and sections written with commentary ('2(d)(2)(B)(ii) (per FR summary ...)')."""
    from tests.conftest import shared_data

    path = shared_data("uflpa", "uflpa_additions_from_announcements.csv")
    entries, ctx = _parse(path)
    assert not ctx.problems
    by_name = {e.name: e for e in entries}
    tianwei = by_name["Tianjin Tianwei Food Co., Ltd."]
    assert tianwei.former_names == ("Tianjin Sanhe Fruit and Vegetable Co., Ltd.",)
    assert tianwei.programs == ("2(d)(2)(B)(v)",)
    assert tianwei.listed_on == "2024-11-25"
    zijin = by_name["Xinjiang Zijin Zinc Industry"]
    assert zijin.programs == ("2(d)(2)(B)(ii)", "2(d)(2)(B)(v)")
    cofco = by_name["COFCO Sugar Holding Co. Ltd"]
    assert cofco.programs == ("2(d)(2)(B)(ii)",)


def test_loose_type_column_is_a_note_not_a_schema(tmp_path: Path) -> None:
    path = tmp_path / "wro.csv"
    path.write_text(
        "primary_name,aliases_aka,country,type,effective_date\n"
        "Hetian Taida Apparel Co. Ltd.,,China,WRO,2019-09-30\n"
        "Lop County Meixin Hair Products Co. Ltd.,,China,individual,2020-06-17\n"
    )
    entries, ctx = _parse(path)
    assert not ctx.problems
    assert entries[0].schema == "company" and "type: WRO" in entries[0].notes
    assert entries[1].schema == "person"  # a recognised value is still a schema


def test_excel_workbook_with_the_same_columns(tmp_path: Path) -> None:
    from datetime import datetime

    from openpyxl import Workbook

    from flscreen.lists.csv_user import parse_xlsx
    from flscreen.lists.detect import sniff

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["ID", "Name", "Aliases", "Country", "Identifiers", "Listed On"])
    # Excel gives numbers and dates as such: ids without ".0", dates as ISO.
    sheet.append(
        [
            1001.0,
            "Xinjiang Zhongtai Chemical Co., Ltd.",
            "新疆中泰化学",
            "China",
            "91650000710886448R",
            datetime(2023, 6, 12),
        ]
    )
    sheet.append([None, None, None, None, None, None])
    sheet.append([1002, "", "alias without a name", None, None, None])
    path = tmp_path / "suppliers.xlsx"
    workbook.save(path)
    assert sniff(path) == "csv"  # the plain-list reader takes workbooks too
    ctx = ParseContext(str(path))
    entries = [e for _row, e in parse_xlsx(path, ctx)]
    assert [e.entry_id for e in entries] == ["1001"]
    assert entries[0].listed_on == "2023-06-12" and entries[0].countries == ("cn",)
    assert [(p.row, p.field) for p in ctx.problems] == [(4, "Name")]


def test_broken_workbook_is_refused(tmp_path: Path) -> None:
    import pytest

    from flscreen.errors import InvalidInput
    from flscreen.lists.csv_user import parse_xlsx

    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(InvalidInput, match=r"not a readable \.xlsx"):
        list(parse_xlsx(path, ParseContext(str(path))))
