"""Matching cases as a table: (query, expected entry, expected outcome), one comment per tricky row.

Outcomes: "match" (the entry is the top hit and reaches the match threshold),
"review" (the entry is a hit in the review band, below the threshold), "no"
(the entry is not a match: absent, or at most in the review band).
"""

from __future__ import annotations

import pytest

from flscreen.matching import DEFAULT_THRESHOLD, REVIEW_THRESHOLD, Matcher, Query

CASES = [
    # --- the same name in other clothes ------------------------------------------
    ("Xinjiang Zhongtai Chemical Co., Ltd.", "zhongtai", "match"),
    ("XINJIANG ZHONGTAI CHEMICAL COMPANY LIMITED", "zhongtai", "match"),  # legal form spelled out
    ("Xinjiang Zhongtai Chem Co", "zhongtai", "match"),  # abbreviation
    ("Xinjiang Zhongtia Chemical", "zhongtai", "match"),  # transposed letters
    ("Xinjiang Zhong Tai Chemical", "zhongtai", "match"),  # brand split into syllables
    ("Хinjiang Zhоngtai Chеmical", "zhongtai", "match"),  # Cyrillic Х, о, е
    ("Xin\u200bjiang Zhong\u200dtai Chemical", "zhongtai", "match"),  # zero-width space/joiner
    ("ＸＩＮＪＩＡＮＧ　ＺＨＯＮＧＴＡＩ　ＣＨＥＭＩＣＡＬ", "zhongtai", "match"),  # full-width
    ("Xinjiang, Zhongtai -- Chemical!!", "zhongtai", "match"),  # stray punctuation
    ("Zhongtai Chemical Co. (Xinjiang)", "zhongtai", "match"),  # place moved to the end
    # --- Chinese script to Latin entries ----------------------------------------
    ("新疆中泰化学股份有限公司", "zhongtai", "match"),  # pinyin brand + glossary 化学
    ("新疆中泰化學股份有限公司", "zhongtai", "match"),  # traditional characters
    (
        "合盛硅业(鄯善)有限公司",
        "hoshine-shanshan",
        "match",
    ),  # via the 'Hesheng' alias or brand table
    ("新疆东方希望有色金属有限公司", "east-hope", "match"),  # translated brand 东方希望 = East Hope
    ("新疆大全新能源股份有限公司", "daqo", "match"),  # brand spelling Daqo of 大全
    ("阿克苏华孚色纺有限公司", "huafu-aksu", "match"),  # place + pinyin brand + glossary 色纺
    ("新疆生产建设兵团", "xpcc", "match"),  # glossary 生产建设兵团
    ("朱海仑", "zhu-hailun", "match"),  # Chinese person name, surname first
    # --- people in any order -------------------------------------------------------
    ("Hailun Zhu", "zhu-hailun", "match"),
    ("ZHU Hailun", "zhu-hailun", "match"),
    # --- places spelled several ways ---------------------------------------------
    ("Khotan Taida Apparel", "taida", "match"),  # Khotan = Hetian = Hotan
    ("Hotan Taida Apparel Co Ltd", "taida", "match"),
    ("Luopu County Meixin Hair Products", "meixin", "match"),  # Luopu = Lop
    # --- acronyms are possible matches, not proof -------------------------------------
    ("XPCC", "xpcc", "match"),  # the list gives XPCC as an alias
    ("VSETC", "vsetc", "match"),  # in the list name itself
    # --- hard negatives: a brand syllable or a place in common is not the entity ---
    ("Zhongtai Securities Co., Ltd.", "zhongtai", "no"),
    ("中泰证券股份有限公司", "zhongtai", "no"),  # same brand 中泰, another trade
    ("Shanghai M&G Stationery 晨光文具", "chenguang", "no"),
    (
        "Xinjiang Nonferrous Metals Industry Group Co., Ltd.",
        "east-hope",
        "no",
    ),  # DHS separated them
    ("Jinchuan Group", "jinchuan-xj", "no"),  # nickel group, not the Xinjiang gold miner
    ("CHEN Mingguo", "chen-quanguo", "no"),  # same surname and last syllable
    ("WANG Mingshan", "wang-junzheng", "no"),
    ("Xinjiang Tianmian Foundation Textile Co., Ltd.", "tianshan-wool", "no"),
    ("Hetian Haolin Hair Accessories Co., Ltd.", "taida", "no"),  # same city, other firm
    ("Xinjiang Textile Co., Ltd.", "tianshan-wool", "no"),  # only place + industry shared
    ("Co., Ltd.", "camel", "no"),  # legal form alone never matches
    ("Group Holdings Limited", "camel", "no"),
    ("Xinjiang", "zhongtai", "no"),
    ("Camel Shoes Trading (Dongguan)", "camel", "no"),  # only the brand word in common (~0.5)
    # --- issue 12: typos in legal forms never sink exact distinctive words -------
    ("Xinjiang Zhongtai Chemical Ld.", "zhongtai", "match"),
    ("Xinjiang Zhongtai Chemical Co., Lte.", "zhongtai", "match"),
    ("Xinjiang Zhongtai Chemical Co. tLd.", "zhongtai", "match"),
    ("Xinjiang Zhongtai Chemical Co Lt.", "zhongtai", "match"),
    ("Xinjiang Zhongtai Chemical Co. atd.", "zhongtai", "match"),
    ("Xinjiang Zhongtai Chemical o, Ltd.", "zhongtai", "match"),  # "Co" as "o,"
    # --- word boundaries moved or lost ------------------------------------------
    ("Sunrise\u200bTextile Co., Ltd.", "sunrise-textile", "match"),  # zero-width = a space
    ("Sunris eTextile Co., Ltd.", "sunrise-textile", "match"),  # space shifted one letter
    ("SunriseTextile Co., Ltd.", "sunrise-textile", "match"),  # run together
    ("Sunrise extile Co., Ltd.", "sunrise-textile", "match"),  # first letter dropped
    ("Xinjiang ZhongtaiChemical Co., Ltd.", "zhongtai", "match"),
    ("Xinjiang Zhongta iChemcal Co., Ltd.", "zhongtai", "match"),  # shifted space + typo
    ("Sunrise TextileC o., Ltd.", "sunrise-textile", "match"),  # a letter moved into "Co"
    ("Sunrise Textile Co., Pimited", "sunrise-textile", "match"),  # legal form, first letter
    ("Xinjiang Zhongtai Chemical COLIMITED", "zhongtai", "match"),  # legal forms run together
    ("eijing Liuyun Machinery Co., Ltd.", "beijing-liuyun", "match"),  # a place's first letter
    ("Hongtai Chemical Co., Ltd.", "zhongtai", "no"),  # a brand's is another brand (pinyin)
    ("Andong Haiyang Seafood Trading Co., Ltd.", "dandong-haiyang", "match"),  # ...unless the
    # rest of a long name is the list name's
    ("LI, uping", "li-yuping", "match"),  # a given name without its first letter: no pinyin
    ("ZHAO, Xiang", "zhao-exiang", "no"),  # ...but Xiang is a name of its own: another person
    ("Bright Sail HKLimited", "bright-sail", "match"),  # a legal form run into a short word
    # --- a typo in a word the normaliser rewrites: compared as written ----------------
    ("Hepian Jinxiu Carpet Industry Co., Ltd.", "hetian-jinxiu", "match"),  # Hetian -> hotan
    ("Hetian Jinxiu Carpet Nidutry Co., Ltd.", "hetian-jinxiu", "match"),  # Industry -> ind
    ("Sino-Korea Friendship Cooperatizn Corporation", "sino-korea", "match"),  # not cooperative
    # --- full-width letters mixed with doubled spaces -----------------------------
    ("Ｘinjiang  Ｚhongtai　 Chemical  Co.,  Ltd.", "zhongtai", "match"),
    # --- two typos in one long name; a swap plus a dropped letter in one word ----
    ("Xinjiang Zhnogtai Chemcial Co., Ltd.", "zhongtai", "match"),
    ("Xinjiang Zhngotai Chemical Co., Ltd.", "zhongtai", "match"),
    ("Xinjaing Zhongtai Chemcal Co., Ltd.", "zhongtai", "match"),
    ("Xinjiang Zhongtai Cehmcal Co., Ltd.", "zhongtai", "match"),  # swap + drop in one word
    ("Xinjiang Goens Energy ecnhology Co., Ltd.", "goens", "match"),  # one of two at the start
    # --- Chinese script for an English-listed firm: dictionary words both ways -----
    ("新疆西部棉纺织有限公司", "western-cotton", "match"),  # 西部 western (CC-CEDICT)
    ("西部能源有限公司", "xibu-energy", "match"),  # ...or read in pinyin when the firm does
    ("河北冀棉纺织集团有限公司", "hebei-jimian", "match"),  # 冀棉: a brand syllable + 棉 cotton
    ("中棉纺织集团有限公司", "china-cotton-textile", "match"),  # 中 leading a trade word: 中国
    # --- abbreviations as trade records write them --------------------------------
    ("Xinjiang Goens Engy Tech Co Ltd", "goens", "match"),
    ("URUMQI TIANHE INTL COML DEV HLDG IMP & EXP CO LTD", "tianhe-impex", "match"),
    ("Baiyun Mfg Ind Grp Co", "baiyun-mfg", "match"),
    # --- a brand in common is not the entity --------------------------------------
    ("Sunrise Trading Co", "sunrise-group", "no"),  # issue 12 kind 7: shared brand only
    ("Sunrise Trading Co", "sunrise-textile", "no"),
    ("Wang Junzheng Trading Co., Ltd.", "wang-junzheng", "no"),  # company against a person
    # --- issue 13.7: a query that is the brand alone is for review -------------
    ("Daqo", "daqo", "review"),
    ("Hoshine", "hoshine-shanshan", "review"),
    ("Camel", "camel", "match"),  # its whole name is the brand: "Group Co., Ltd." are legal forms
    # --- parent vs subsidiary: related, shown for review ------------------------
    ("Xinjiang Zhongtai Group Co., Ltd.", "zhongtai", "review"),
]


@pytest.mark.parametrize(("query", "entry_id", "expected"), CASES)
def test_case(matcher: Matcher, query: str, entry_id: str, expected: str) -> None:
    result = matcher.match(Query(id="q", name=query))
    hits = {h.entry_id: h for h in result.hits}
    hit = hits.get(entry_id)
    if expected == "match":
        assert hit is not None, (
            f"{query!r}: {entry_id} not found ({[h.entry_id for h in result.hits]})"
        )
        assert result.hits[0].entry_id == entry_id
        assert hit.match and hit.score >= DEFAULT_THRESHOLD
    elif expected == "review":
        assert hit is not None, f"{query!r}: {entry_id} not in the review band"
        assert REVIEW_THRESHOLD <= hit.score < DEFAULT_THRESHOLD and not hit.match
    else:
        assert hit is None or not hit.match, f"{query!r} matched {entry_id} at {hit.score}"


def test_scores_spread_so_analysts_can_rank(matcher: Matcher) -> None:
    """Exact copy > legal-form change > typo, other script below the copy: a spread to rank."""

    def score(name: str) -> float:
        hit = next(
            h for h in matcher.match(Query(id="q", name=name)).hits if h.entry_id == "zhongtai"
        )
        return hit.score

    exact = score("Xinjiang Zhongtai Chemical Co., Ltd.")
    legal = score("Xinjiang Zhongtai Chemical Company Limited")
    typo = score("Xinjiang Zhongtia Chemical Co., Ltd.")
    han = score("新疆中泰化学股份有限公司")
    assert exact == 1.0
    assert 1.0 > legal > typo
    assert legal > han
    assert len({exact, legal, typo, han}) == 4


def test_every_hit_explains_itself(matcher: Matcher) -> None:
    result = matcher.match(Query(id="q", name="新疆中泰化学股份有限公司"))
    top = result.hits[0]
    names = {f.name for f in top.features}
    assert {"name_token_overlap_weighted", "name_compact", "name_pinyin"} <= names
    pinyin = next(f for f in top.features if f.name == "name_pinyin")
    assert "中泰→zhongtai" in pinyin.detail and "化学→chemical" in pinyin.detail
    glossary = next(f for f in top.features if f.name == "name_glossary")
    assert glossary.detail == "translated: 化学→chemical"
    assert top.list == "uflpa" and top.list_version == 3
    assert result.algorithm == "flscreen-v6"


def test_hard_negative_says_why(matcher: Matcher) -> None:
    result = matcher.match(Query(id="q", name="Xinjiang Textile Co., Ltd."), review_threshold=0.0)
    hit = next(h for h in result.hits if h.entry_id == "tianshan-wool")
    missing = next(f for f in hit.features if f.name == "distinctive_word_missing")
    assert "tianshan" in missing.detail
    assert hit.score <= 0.5


def test_bare_acronym_is_for_review() -> None:
    """Initials alone are ambiguous: without the list naming them, they go to review."""
    from flscreen.model.lists import ListEntry
    from tests.matching.conftest import UFLPA

    m = Matcher.build(
        [(UFLPA, ListEntry("psb", "organization", "Xinjiang Public Security Bureau"))]
    )
    hit = m.match(Query(id="q", name="XPSB")).hits[0]
    assert hit.entry_id == "psb"
    assert REVIEW_THRESHOLD <= hit.score < DEFAULT_THRESHOLD
    assert any(f.name == "name_acronym" for f in hit.features)
