"""The UFLPA Entity List: the cell grammar, the page, and the raw-cell CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flscreen.lists.base import ParseContext
from flscreen.lists.samples import SAMPLE_DIR
from flscreen.lists.uflpa_html import parse, parse_cell, parse_csv, section_of
from tests.conftest import shared_data

CASES = [
    # (cell, name, aliases, former names, subsidiaries, scope)
    # Parentheses inside both the name and the alias: brackets must be counted.
    (
        "Hoshine Silicon Industry (Shanshan) Co., Ltd (including one alias: Hesheng Silicon "
        "Industry (Shanshan) Co.) and subsidiaries",
        "Hoshine Silicon Industry (Shanshan) Co., Ltd",
        ["Hesheng Silicon Industry (Shanshan) Co."],
        [],
        [],
        "and subsidiaries",
    ),
    # "formerly known as" goes to former names, not aliases.
    (
        "Xinjiang Goens Energy Technology Co., Ltd. (formerly known as Xinjiang GCL New Energy "
        "Material Technology Co., Ltd.; and Xinjiang GCL New Energy Materials Technology "
        "Co., Ltd.)",
        "Xinjiang Goens Energy Technology Co., Ltd.",
        [],
        [
            "Xinjiang GCL New Energy Material Technology Co., Ltd.",
            "Xinjiang GCL New Energy Materials Technology Co., Ltd.",
        ],
        [],
        None,
    ),
    # "and" inside a name is not a separator when no count asks for a split.
    (
        "Heze Cotton and Linen Economic and Trade Development Corporation (also known as Heze "
        "Cotton and Linen Trading Development General Company)",
        "Heze Cotton and Linen Economic and Trade Development Corporation",
        ["Heze Cotton and Linen Trading Development General Company"],
        [],
        [],
        None,
    ),
    # "two aliases" with a bare "and" and no semicolon: the count decides the split.
    (
        "Hefei Bitland Information Technology Co., Ltd. (including two aliases: Anhui Bitland "
        "Information Technology Co. and Hefei Bitland Optoelectronic Technology Co.)",
        "Hefei Bitland Information Technology Co., Ltd.",
        ["Anhui Bitland Information Technology Co.", "Hefei Bitland Optoelectronic Technology Co."],
        [],
        [],
        None,
    ),
    # Aliases and a former name in one parenthesis.
    (
        "Gansu Yasheng International Trading Co., Ltd. (also known as Gansu Yasheng International "
        "Trade Co., Ltd.; Yasheng International Trade; and formerly known as Gansu Yasheng "
        "International Trade Group Co., Ltd.)",
        "Gansu Yasheng International Trading Co., Ltd.",
        ["Gansu Yasheng International Trade Co., Ltd.", "Yasheng International Trade"],
        ["Gansu Yasheng International Trade Group Co., Ltd."],
        [],
        None,
    ),
    # A parenthesis that is part of the name, not an alias clause; subordinates scope.
    (
        "Xinjiang Production and Construction Corps (XPCC) and its subordinate and affiliated "
        "entities",
        "Xinjiang Production and Construction Corps (XPCC)",
        [],
        [],
        [],
        "and its subordinate and affiliated entities",
    ),
    # Named subsidiaries become their own entries.
    (
        "ChenGuang Biotech Group Co., Ltd. and its subsidiary Chenguang Biotechnology Group Yanqi "
        "Co. Ltd.",
        "ChenGuang Biotech Group Co., Ltd.",
        [],
        [],
        ["Chenguang Biotechnology Group Yanqi Co. Ltd."],
        "and named subsidiaries",
    ),
    (
        "Ninestar Corporation and its eight Zhuhai-based subsidiaries, which include Zhuhai "
        "Ninestar Information Technology Co., Ltd.; Zhuhai Pantum Electronics Co., Ltd.; and "
        "Zhuhai Apex Microelectronics Co., Ltd.",
        "Ninestar Corporation",
        [],
        [],
        [
            "Zhuhai Ninestar Information Technology Co., Ltd.",
            "Zhuhai Pantum Electronics Co., Ltd.",
            "Zhuhai Apex Microelectronics Co., Ltd.",
        ],
        "and named subsidiaries",
    ),
    # Older wording: ", and Subsidiaries".
    (
        "Xinjiang Zhongtai Chemical Co., Ltd., and Subsidiaries",
        "Xinjiang Zhongtai Chemical Co., Ltd.",
        [],
        [],
        [],
        "and subsidiaries",
    ),
    # Extra whitespace and a line break from the markup.
    (
        "  Camel Group\n Co., Ltd. ",
        "Camel Group Co., Ltd.",
        [],
        [],
        [],
        None,
    ),
]


@pytest.mark.parametrize(("cell", "name", "aliases", "former", "subs", "scope"), CASES)
def test_parse_cell(
    cell: str, name: str, aliases: list[str], former: list[str], subs: list[str], scope: str | None
) -> None:
    parsed = parse_cell(cell)
    assert parsed.name == name
    assert list(parsed.aliases) == aliases
    assert list(parsed.former_names) == former
    assert list(parsed.subsidiaries) == subs
    assert parsed.scope_note == scope


def test_every_verbatim_dhs_row() -> None:
    """The real DHS cells: name, every alias (incl. former names) and scope as expected."""
    path = shared_data("uflpa", "uflpa_entity_rows_verbatim.csv")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        parsed = parse_cell(row["raw_cell_text"])
        expected = [a for a in row["aliases"].split("|") if a]
        assert parsed.name == row["name"], row["raw_cell_text"]
        assert [*parsed.aliases, *parsed.former_names] == expected, row["raw_cell_text"]
        assert (parsed.scope_note or "") == row["scope_note"]
        assert not parsed.warnings


def test_verbatim_csv_shape_imports_with_sections_and_dates() -> None:
    path = shared_data("uflpa", "uflpa_entity_rows_verbatim.csv")
    ctx = ParseContext(str(path))
    entries = {e.name: e for _row, e in parse_csv(path, ctx)}
    assert not ctx.problems and not ctx.warnings
    goens = entries["Xinjiang Goens Energy Technology Co., Ltd."]
    assert goens.programs == ("2(d)(2)(B)(i)",)
    assert goens.listed_on == "2026-08-03"
    assert len(goens.former_names) == 2 and goens.aliases == ()
    assert goens.raw["raw_cell_text"].startswith("Xinjiang Goens")


def test_section_of_reads_loose_spacing() -> None:
    assert section_of("Section 2(d)(2)(B)(ii)") == "2(d)(2)(B)(ii)"
    assert section_of("2 (d) (2) (B) (v) list") == "2(d)(2)(B)(v)"
    assert section_of("Section 3") is None


def test_sample_page_sections_dates_and_subsidiaries() -> None:
    page = SAMPLE_DIR / "uflpa_entity_list.html"
    ctx = ParseContext(str(page))
    entries = {e.entry_id: e for _row, e in parse(page, ctx)}
    assert not ctx.problems and not ctx.warnings
    hoshine = entries["uflpa-hoshine-silicon-industry-shanshan-co-ltd"]
    assert hoshine.programs == ("2(d)(2)(B)(i)",)
    assert hoshine.listed_on == "2022-06-21"
    assert "scope: and subsidiaries" in hoshine.notes
    aksu = entries["uflpa-aksu-huafu-color-spinning-co-ltd"]
    assert aksu.programs == ("2(d)(2)(B)(ii)",) and len(aksu.aliases) == 4
    # A named subsidiary is an entry of its own, linked both ways.
    yanqi = entries["uflpa-chenguang-biotechnology-group-yanqi-co-ltd"]
    assert yanqi.links[0].relation == "subsidiary_of"
    assert yanqi.links[0].target_id == "uflpa-chenguang-biotech-group-co-ltd"
    parent = entries["uflpa-chenguang-biotech-group-co-ltd"]
    assert [link.target_id for link in parent.links] == [yanqi.entry_id]
    assert yanqi.programs == ("2(d)(2)(B)(v)",)


def test_entity_listed_in_two_sections_is_one_entry(tmp_path: Path) -> None:
    page = tmp_path / "two.html"
    page.write_text(
        "<html><body>"
        "<p>Section 2(d)(2)(B)(ii)</p><table><tr><th>Entity Name</th><th>Effective Date</th></tr>"
        "<tr><td>Xinjiang Zijin Zinc Industry Co., Ltd.</td><td>January 15, 2025</td></tr></table>"
        "<p>Section 2(d)(2)(B)(v)</p><table><tr><th>Entity Name</th><th>Effective Date</th></tr>"
        "<tr><td>Xinjiang Zijin Zinc Industry Co., Ltd.</td><td>January 15, 2025</td></tr>"
        "<tr><td></td><td></td></tr>"
        "<tr><td>Bad Date Co., Ltd.</td><td>sometime in 2025</td></tr></table>"
        "</body></html>",
        encoding="utf-8",
    )
    ctx = ParseContext(str(page))
    entries = [e for _row, e in parse(page, ctx)]
    zijin = entries[0]
    assert zijin.programs == ("2(d)(2)(B)(ii)", "2(d)(2)(B)(v)")
    assert len(zijin.raw["rows"]) == 2
    # An unreadable date is a caveat, not a skipped record: the entry is kept undated.
    assert ctx.problems == []
    assert [w.field for w in ctx.warnings] == ["effective_date"]
    assert entries[1].listed_on is None


def test_page_without_entity_table_is_reported(tmp_path: Path) -> None:
    page = tmp_path / "news.html"
    page.write_text("<html><body><p>Nothing here</p></body></html>")
    ctx = ParseContext(str(page))
    assert list(parse(page, ctx)) == []
    assert "no UFLPA entity table" in ctx.problems[0].message


def test_page_saved_in_a_legacy_encoding_is_read_and_flagged(tmp_path: Path) -> None:
    page = tmp_path / "saved.html"
    # A browser "save as" in Windows-1252: a curly apostrophe is byte 0x92.
    page.write_bytes(
        b"<html><body><p>Section 2(d)(2)(B)(ii)</p><table><tr><th>Name of Entity</th>"
        b"<th>Effective Date</th></tr><tr><td>Xinjiang Tianshan Wool Textile Co. Ltd."
        b" (including one alias: Tianshan\x92s Wool)</td><td>September 26, 2023</td></tr>"
        b"</table></body></html>"
    )
    ctx = ParseContext(str(page))
    [entry] = [e for _row, e in parse(page, ctx)]
    assert entry.aliases == ("Tianshan’s Wool",)
    assert "Windows-1252" in ctx.warnings[0].message


def test_row_headers_and_extra_columns(tmp_path: Path) -> None:
    page = tmp_path / "variant.html"
    page.write_text(
        "<html><body><h2>Section 2(d)(2)(B)(iv)</h2><div><table><thead><tr><th>#</th>"
        "<th>Entity Name</th><th>Effective Date</th><th>Federal Register Notice</th></tr>"
        "</thead><tbody><tr><td>1</td><th scope='row'>Hefei Bitland Information Technology "
        "Co., Ltd.</th><td>June 21, 2022</td><td>2022-13341</td></tr></tbody></table></div>"
        "</body></html>",
        encoding="utf-8",
    )
    ctx = ParseContext(str(page))
    [entry] = [e for _row, e in parse(page, ctx)]
    assert entry.name == "Hefei Bitland Information Technology Co., Ltd."
    assert entry.programs == ("2(d)(2)(B)(iv)",) and entry.listed_on == "2022-06-21"
    assert entry.raw["federal register notice"] == "2022-13341"


# Round trip: cells written the way DHS writes them are read back exactly.
_WORDS = st.sampled_from(
    [
        "Xinjiang",
        "Hetian",
        "Aksu",
        "Silicon",
        "Cotton",
        "Trade",
        "and",
        "Industry",
        "Textile",
        "(Shanshan)",
        "Co.,",
        "Ltd.",
        "Group",
        "Hair",
        "Products",
        "No.",
        "4",
    ]
)
_NAME = (
    st.lists(_WORDS, min_size=2, max_size=7)
    .map(" ".join)
    # Real names neither start with a bracket or "and" nor end with "and" or a comma.
    .filter(lambda n: not n.startswith(("and", "(")) and not n.endswith(("and", ",")))
)
_COUNTS = ["one", "two", "three", "four"]


@given(
    name=_NAME, aliases=st.lists(_NAME, min_size=1, max_size=4, unique=True), scope=st.booleans()
)
def test_parse_cell_round_trip(name: str, aliases: list[str], scope: bool) -> None:
    listed = "; ".join(aliases[:-1]) + "; and " + aliases[-1] if aliases[1:] else aliases[0]
    noun = "alias" if len(aliases) == 1 else "aliases"
    cell = f"{name} (including {_COUNTS[len(aliases) - 1]} {noun}: {listed})"
    if scope:
        cell += " and subsidiaries"
    parsed = parse_cell(cell)
    assert parsed.name == name
    assert list(parsed.aliases) == aliases
    assert parsed.scope_note == ("and subsidiaries" if scope else None)


@given(st.text(max_size=200))
def test_parse_cell_never_raises(text: str) -> None:
    parsed = parse_cell(text)
    assert parsed.name == parsed.name.strip()


def test_trimmed_page_without_headings_takes_sections_from_table_order(tmp_path: Path) -> None:
    rows = [
        ("Baoding LYSZD Trade and Business Co., Ltd.", "June 21, 2022"),
        ("Camel Group Co., Ltd.", "August 2, 2023"),
        ("Hefei Bitland Information Technology Co., Ltd.", "June 21, 2022"),
        ("Shihezi Xinren Battery Aluminum Foil Technology Co., Ltd.", "August 3, 2026"),
    ]
    tables = "".join(
        "<table><thead><tr><th>Name of Entity</th><th>Effective Date</th></tr></thead>"
        f"<tbody><tr><td>{name}</td><td>{date}</td></tr></tbody></table>"
        for name, date in rows
    )
    page = tmp_path / "trimmed.html"
    page.write_text(f"<html><body>{tables}</body></html>", encoding="utf-8")
    ctx = ParseContext(str(page))
    entries = [e for _row, e in parse(page, ctx)]
    assert [e.programs for e in entries] == [
        ("2(d)(2)(B)(i)",),
        ("2(d)(2)(B)(ii)",),
        ("2(d)(2)(B)(iv)",),
        ("2(d)(2)(B)(v)",),
    ]
    assert "table order" in ctx.warnings[0].message and not ctx.problems
