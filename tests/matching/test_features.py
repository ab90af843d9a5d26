"""Features and qualifiers one by one: each moves the score the way its docstring says."""

from __future__ import annotations

import pytest

from flscreen.matching import DEFAULT_THRESHOLD, Matcher, Query
from flscreen.matching.features import token_similarity
from flscreen.matching.index import IndexBuilder
from flscreen.model.lists import Identifier, ListEntry
from flscreen.normalize.names import name_key
from tests.matching.conftest import OTHER_USCC, UFLPA, ZHONGTAI_USCC


def _hit(matcher: Matcher, query: Query, entry_id: str):  # type: ignore[no-untyped-def]
    result = matcher.match(query, review_threshold=0.0)
    return next((h for h in result.hits if h.entry_id == entry_id), None)


def _names(hit) -> set[str]:  # type: ignore[no-untyped-def]
    return {f.name for f in hit.features}


@pytest.mark.parametrize(
    ("a", "b", "person", "expected"),
    [
        ("zhongtai", "zhongtia", False, 0.9),  # a swap: a typo
        ("hoshine", "hosine", False, 0.9),  # a missing letter
        ("qileyuan", "qimeyuan", False, 0.85),  # both valid pinyin: maybe other characters
        ("mingming", "mingjing", True, 0.8),  # in a person's name: likely another person
        ("binrin", "dinrin", True, 0.0),  # first letters differ: in a person's name, never
        ("binrinx", "dinrinx", False, 0.8),  # in a company's: a mistyped first letter (issue 12)
        ("hongtai", "zhongtai", False, 0.7),  # both pinyin: maybe another brand; the rest decides
        ("hongtai", "zhongtai", True, 0.0),  # ...and in a person's name, another person
        ("uiqin", "guiqin", True, 0.8),  # no pinyin left: that name without its first letter
        ("kiuhe", "liuhe", False, 0.8),  # a mistyped first letter that leaves no pinyin
        ("hufu", "huafu", False, 0.75),  # a short pinyin word a letter shorter, in a company
        ("extile", "textile", False, 0.85),  # the first letter dropped
        ("orvo", "korvo", False, 0.85),  # no word at all: that brand, first letter lost
        ("park", "spark", False, 0.0),  # two real words: maybe two firms' names
        ("qrime", "prime", False, 0.8),  # a mistyped first letter leaving no word
        ("mart", "smart", False, 0.0),  # real words again (Mart, Smart)
        ("songhyok", "tonghyok", True, 0.0),  # a Korean name reads as no word: not a typo
        ("zhongtai", "zhnogtia", False, 0.8),  # two typos in a long word (issue 12)
        ("chan", "chang", True, 0.0),  # short pinyin words never pair
        ("color", "coor", False, 0.8),  # a 4-letter word with a letter missing
        ("1", "2", False, 0.0),  # numbers are exact or nothing
        ("quanguo", "mingguo", True, 0.0),
        # short words (flscreen-v6): a typo that leaves a non-word is that word misspelt
        ("fod", "food", False, 0.8),  # a letter missing from a 4-letter word
        ("godl", "gold", False, 0.8),  # two letters swapped
        ("irna", "iran", False, 0.8),
        ("nwe", "new", False, 0.8),  # three letters, swapped
        ("fank", "bank", False, 0.8),  # a first letter mistyped, leaving no word
        ("dair", "air", False, 0.8),  # a letter added in front
        ("dqo", "daqo", False, 0.8),  # two non-words a letter apart, in a company
        ("wood", "food", False, 0.0),  # two real words: maybe two firms
        ("mune", "mine", False, 0.0),  # ...however rare the word
        ("sdic", "sric", False, 0.0),  # two codes a letter apart: other codes
        ("cec", "cce", False, 0.0),  # three-letter acronyms never pair
        ("wsi", "wei", True, 0.8),  # a person's name part that is no pinyin
        ("wag", "wang", True, 0.8),  # an English word is no Chinese name
        ("jin", "jing", True, 0.0),  # two pinyin syllables: two names
        ("chol", "chul", True, 0.0),  # two non-words in a person's name: maybe two names
        ("hyon", "hyo", True, 0.0),
        ("jogn", "jong", True, 0.8),  # but two letters swapped is a typo
        ("a", "b", False, 0.0),  # one letter is no word to misspell
        ("m", "sm", False, 0.0),
        ("tjnwei", "tianwei", False, 0.8),  # two typos in 7 letters, leaving a non-word
        ("tianhai", "tianwei", False, 0.0),  # two 7-letter pinyin words: two brands
    ],
)
def test_token_similarity(a: str, b: str, person: bool, expected: float) -> None:
    assert token_similarity(a, b, person) == pytest.approx(expected)


def test_identifier_match_lifts_a_renamed_company(matcher: Matcher) -> None:
    # a renamed party whose name shares nothing, but whose USCC is the entry's
    hit = _hit(
        matcher, Query(id="q", name="Acme Trading", registration_id=ZHONGTAI_USCC), "zhongtai"
    )
    assert hit is not None and hit.score >= 0.97 and hit.match
    assert "identifier_match" in _names(hit)


def test_identifier_conflict_pushes_down(matcher: Matcher) -> None:
    same = _hit(matcher, Query(id="q", name="Xinjiang Zhongtai Chemical"), "zhongtai")
    other = _hit(
        matcher,
        Query(id="q", name="Xinjiang Zhongtai Chemical", registration_id=OTHER_USCC),
        "zhongtai",
    )
    assert same is not None and other is not None
    assert "identifier_conflict" in _names(other)
    assert other.score < DEFAULT_THRESHOLD < same.score


def test_invalid_registration_id_is_not_a_conflict(matcher: Matcher) -> None:
    # a mistyped USCC (bad check character) proves nothing either way
    bad = ZHONGTAI_USCC[:-1] + "X"
    hit = _hit(
        matcher, Query(id="q", name="Xinjiang Zhongtai Chemical", registration_id=bad), "zhongtai"
    )
    assert hit is not None and hit.match
    assert not {"identifier_conflict", "identifier_match"} & _names(hit)


@pytest.mark.parametrize(
    ("country", "mismatch"), [("China", False), ("HK", False), ("Kazakhstan", True)]
)
def test_country_mismatch(matcher: Matcher, country: str, mismatch: bool) -> None:
    hit = _hit(
        matcher, Query(id="q", name="Xinjiang Zhongtai Chemical", country=country), "zhongtai"
    )
    assert hit is not None
    assert ("country_mismatch" in _names(hit)) == mismatch


def test_person_against_company_is_marked(matcher: Matcher) -> None:
    person = _hit(matcher, Query(id="q", name="ZHU Hailun", schema="person"), "zhu-hailun")
    company = _hit(matcher, Query(id="q", name="ZHU Hailun", schema="company"), "zhu-hailun")
    assert person is not None and company is not None
    assert "schema_mismatch" in _names(company) and company.score < person.score


def test_numbers_must_agree() -> None:
    m = Matcher.build(
        [
            (UFLPA, ListEntry("v1", "vessel", "Fishing Vessel: Da Wang 1")),
            (UFLPA, ListEntry("v2", "vessel", "Fishing Vessel: Da Wang 2")),
        ]
    )
    result = m.match(Query(id="q", name="Da Wang 2 Fishing Vessel"))
    assert [h.entry_id for h in result.hits if h.match] == ["v2"]


def test_identifiers_on_entries_are_indexed() -> None:
    m = Matcher.build(
        [
            (
                UFLPA,
                ListEntry(
                    "x",
                    "company",
                    "Some Other Name Ltd",
                    identifiers=(Identifier("uscc", ZHONGTAI_USCC),),
                ),
            )
        ]
    )
    result = m.match(Query(id="q", name="Totally Different", registration_id=ZHONGTAI_USCC.lower()))
    assert result.match and result.hits[0].entry_id == "x"


def test_fuzzy_vocabulary_reaches_one_typo_only() -> None:
    b = IndexBuilder()
    for row, name in enumerate(["Xinjiang Zhongtai Chemical", "Hoshine Silicon"]):
        key = name_key(name)
        assert key is not None
        b.add(row, key.tokens)
    index = b.freeze()
    assert index.fuzzy_tokens("zhongtia") == ["zhongtai"]
    assert index.fuzzy_tokens("hosine") == ["hoshine"]
    assert index.fuzzy_tokens("hsne") == []  # two edits away
    assert index.fuzzy_tokens("zhongtai") == []  # itself is not a neighbour


def test_common_keys_are_skipped_when_rarer_ones_exist() -> None:
    b = IndexBuilder()
    for row in range(50):
        key = name_key(f"Xinjiang Brand{row:02d} Textile")
        assert key is not None
        b.add(row, key.tokens)
    index = b.freeze()
    from flscreen.matching.index import key_hash

    common = key_hash("t:", "xinjiang")
    rare = key_hash("t:", "brand07")
    rows = index.candidates([(common, 0.3), (rare, 1.0)], limit=10, max_df=10)
    assert [r for r, _ in rows] == [7]  # 'xinjiang' (50 rows) skipped
    only_common = index.candidates([(common, 0.3)], limit=5, max_df=10)
    assert len(only_common) == 5  # still answers from the rarest key it has


def test_the_literal_factor_never_takes_a_match_under_the_line() -> None:
    """Two typos in an 8-letter brand count 0.8, the match line: the literal-copy
    factor (an exact copy ranks above a re-spelling) must not push it under."""
    ref = UFLPA
    m = Matcher.build([(ref, ListEntry("vantorix", "company", "Vantorix Co., Limited"))])
    hit = _hit(m, Query(id="q", name="VATNRIX CO., LIMITED"), "vantorix")  # a swap, a drop
    exact = _hit(m, Query(id="q", name="Vantorix Co., Limited"), "vantorix")
    assert hit is not None and exact is not None
    assert hit.score >= DEFAULT_THRESHOLD and hit.match
    assert exact.score > hit.score


@pytest.mark.parametrize(
    ("listed", "query"),
    [
        ("Tianjin Tianwei Food Co., Ltd.", "Tianjin Tianwei Fod Co., Ltd."),
        ("Xinjiang Daqo New Energy Co., Ltd.", "Xinjiang Daqo Nwe Energy Co., Ltd."),
        ("IRAN PETROCHEMICAL COMMERCIAL COMPANY", "IRNA PETROCHEMICAL COMMERCIAL COMPANY"),
        ("WUHAN SANJIANG IMPORT AND EXPORT CO. LTD", "WUHAN SANJIANG IMPORT ANXD EXPORT CO. LTD"),
        ("TIAN FANG HONG KONG HOLDINGS LIMITED", "TIAN FANG HONG KONG HOLDINGX LIMITED"),
        ("COSAILING TRADING COMPANY LIMITED", "COSAILING TRADING COMOPNAY LIMITED"),
        ("SUN, Wei", "SUN, Wsei"),
        ("CEC LIMITED", "CEC LIMITPSD"),
        ("ML HOLDING GROUP LIMITED", "ML HOLDING GROUP KLIMEITED"),
    ],
)
def test_a_typo_in_a_short_word_or_a_legal_form_still_matches(listed: str, query: str) -> None:
    """Typos as an independent generator makes them (any word, any letter): a short
    word misspelt, "and" misspelt inside a phrase, two typos in a long legal form."""
    schema = "person" if listed == "SUN, Wei" else "company"
    m = Matcher.build([(UFLPA, ListEntry("e1", schema, listed))])
    hit = _hit(m, Query(id="q", name=query), "e1")
    assert hit is not None and hit.score >= DEFAULT_THRESHOLD, (query, hit and hit.score)


@pytest.mark.parametrize(
    ("listed", "query"),
    [
        ("Manzhouli Wood Products Factory", "Manzhouli Food Products Factory"),
        ("SDIC Xinjiang Lithium Industry Co., Ltd.", "SRIC Xinjiang Lithium Industry Co., Ltd."),
        ("CEC LIMITED", "CCE LIMITED"),
    ],
)
def test_a_real_word_or_another_code_a_letter_away_does_not_match(listed: str, query: str) -> None:
    m = Matcher.build([(UFLPA, ListEntry("e1", "company", listed))])
    hit = _hit(m, Query(id="q", name=query), "e1")
    assert hit is None or hit.score < DEFAULT_THRESHOLD, (query, hit and hit.score)


def test_a_misspelt_and_is_read_only_between_words() -> None:
    assert name_key("Import Anxd Export Co").tokens == ("impex",)
    assert name_key("Science Adn Technology Co").tokens == ("tech",)
    assert name_key("ANZ Bank Ltd").tokens == ("anz", "bank")  # first: a name, not "and"
    assert name_key("Bank Anz").tokens == ("bank", "anz")  # last: the same
