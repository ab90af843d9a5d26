"""The packaged gazetteer: generated faithfully, complete for Xinjiang and the XPCC."""

from __future__ import annotations

import csv
import importlib.util
from pathlib import Path

import pytest

from flscreen.region.gazetteer import cn_number, load
from flscreen.region.text import latin_key
from tests.conftest import shared_data

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "src" / "flscreen" / "resources" / "gazetteer"


def test_committed_files_are_what_the_build_script_generates() -> None:
    data = shared_data("gazetteer", "xinjiang_divisions.csv").parent
    spec = importlib.util.spec_from_file_location(
        "build_gazetteer", ROOT / "scripts" / "build_gazetteer.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name, text in module.render(data).items():
        assert (RESOURCES / name).read_text(encoding="utf-8") == text, (
            f"{name} is stale: rerun the script"
        )


def test_every_xinjiang_division_of_the_source_is_present() -> None:
    gaz = load()
    with shared_data("gazetteer", "xinjiang_divisions.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["code"] == "659000":
                continue  # a statistical grouping, not a place
            div = gaz.divisions[row["code"]]
            assert div.xinjiang and div.province == "650000"
            assert div.name == row["name_zh"]


def test_xpcc_divisions_regiments_and_cities() -> None:
    gaz = load()
    assert sorted(gaz.xpcc_divisions) == list(range(1, 15))
    assert all(d.xpcc and d.xinjiang for d in gaz.xpcc_divisions.values())
    regiments = [d for d in gaz.divisions.values() if d.level == "regiment"]
    assert len(regiments) > 150
    assert all(d.xpcc and d.xinjiang for d in regiments)
    assert {d.code for d in gaz.regiments[143]} == {"654203511"}  # 一四三团, Shawan
    cities = [d for d in gaz.divisions.values() if d.code.startswith("6590") and len(d.code) == 6]
    assert len(cities) == 12 and all(d.xpcc for d in cities)


def test_nothing_outside_xinjiang_claims_to_be_in_it() -> None:
    gaz = load()
    for div in gaz.divisions.values():
        assert div.xinjiang == (div.province == "650000"), div.code
        if div.code[:2].isdigit() and div.code[:2] != "65" and not div.code.startswith("XPCC"):
            assert not div.xinjiang, div.code


def test_every_reviewed_variant_names_a_known_division() -> None:
    gaz = load()
    with (RESOURCES / "variants.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 200
    for row in rows:
        assert row["code"] in gaz.divisions, row
        assert row["strength"] in {"strong", "medium", "weak"}, row
        if row["variant"].isascii():
            cands = gaz.latin[latin_key(row["variant"])]
            assert row["code"] in {d.code for d, _ in cands}, row


@pytest.mark.parametrize(
    ("key", "code"),
    [
        ("烏魯木齊市", "650100"),  # traditional characters
        ("新疆維吾爾自治區", "650000"),
        ("兵團一四三團", "654203511"),
        ("喀什地区", "653100"),
    ],
)
def test_chinese_index_has_both_scripts(key: str, code: str) -> None:
    assert code in {d.code for d, _ in load().zh[key]}


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("一四三", 143),
        ("二十九", 29),
        ("十", 10),
        ("十六", 16),
        ("一零四", 104),
        ("143", 143),
        ("九十", 90),
        ("", None),
        ("三十三十", None),
        ("团", None),
    ],
)
def test_cn_number(text: str, number: int | None) -> None:
    assert cn_number(text) == number
