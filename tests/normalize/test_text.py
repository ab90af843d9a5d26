"""Text cleaning: evasion characters undone, nothing else changed; never raises."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flscreen.normalize.text import (
    clean_text,
    fold_homoglyphs,
    remove_invisible,
    script_of,
    to_simplified,
)

CASES = [
    ("Xinjiang  Zhongtai", "Xinjiang Zhongtai"),
    ("Ｘｉｎｊｉａｎｇ", "Xinjiang"),  # full-width forms -> ASCII (NFKC)
    ("Sunrise\u200bTextile", "Sunrise Textile"),  # zero-width space between letters: a break
    ("Xin\u200bjiang", "Xin jiang"),  # ... wherever it sits (the matcher rejoins words)
    ("新疆\u200b中泰", "新疆中泰"),  # between Chinese characters: removed
    ("Xin\u00adjiang", "Xinjiang"),  # soft hyphen
    ("\ufeffXinjiang\u202e", "Xinjiang"),  # BOM and a bidi override
    ("Хinjiang", "Xinjiang"),  # Cyrillic Х in a Latin word
    ("ΧΙΝJΙΑΝG", "XINJIANG"),  # Greek capitals in a Latin word
    ("Москва", "Москва"),  # a Russian name with no Latin around it stays Cyrillic
    ("ТОО Xinjiang", "TOO Xinjiang"),  # all-look-alike word among Latin words is folded
    ("新疆中泰", "新疆中泰"),
    ("   ", None),
    ("\u200b\u200c", None),
]


@pytest.mark.parametrize(("raw", "expected"), CASES)
def test_clean_text(raw: str, expected: str | None) -> None:
    assert clean_text(raw) == expected


def test_clean_text_rejects_non_strings() -> None:
    assert clean_text(None) is None
    assert clean_text(42) is None


def test_traditional_to_simplified() -> None:
    assert to_simplified("新疆維吾爾自治區") == "新疆维吾尔自治区"
    assert to_simplified("合盛矽業") == "合盛硅业"  # Taiwan 矽 is mainland 硅 (silicon)
    assert to_simplified("Hoshine") == "Hoshine"


@pytest.mark.parametrize(
    ("text", "script"),
    [("Xinjiang", "latin"), ("新疆", "han"), ("M&G 晨光", "mixed"), ("Москва", "other")],
)
def test_script_of(text: str, script: str) -> None:
    assert script_of(text) == script


@given(st.text())
def test_clean_text_never_raises_and_is_idempotent(text: str) -> None:
    once = clean_text(text)
    if once is not None:
        assert clean_text(once) == once


@given(st.text(alphabet=st.characters(categories=["Lu", "Ll", "Nd", "Zs", "Po"]), max_size=30))
def test_invisible_characters_never_change_the_letters(text: str) -> None:
    """Invisible characters add at most word breaks: the letters are the plain text's."""
    spiked = "\u200b".join(text) + "\u2060"
    assert (clean_text(spiked) or "").replace(" ", "") == (clean_text(text) or "").replace(" ", "")


@given(st.text(alphabet="abcdeghijkmnopqrstuvwxyz ", min_size=1, max_size=30))
def test_homoglyph_evasion_is_undone(text: str) -> None:
    """Swapping Latin letters for Cyrillic twins in a Latin name gives back the same text."""
    twins = {"a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у"}
    spiked = "".join(twins.get(ch, ch) for ch in text)
    assert fold_homoglyphs("Bling " + spiked) == "Bling " + text


def test_remove_invisible_keeps_plain_text() -> None:
    assert remove_invisible("Zhongtai Chemical") == "Zhongtai Chemical"
