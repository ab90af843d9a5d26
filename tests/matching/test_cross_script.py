"""Chinese-script names against English listings that translate some words and romanise
others, as bilingual firms write them (issue 12, kind 6)."""

from __future__ import annotations

import pytest

from flscreen.matching import DEFAULT_THRESHOLD, Matcher, Query
from flscreen.model.lists import ListEntry, ListVersionRef
from flscreen.normalize.names import name_keys

REF = ListVersionRef("uflpa", 4, "2026-11-01T00:00:00+00:00", "2" * 64, "fixture")
LISTED = {
    "tianhong-jianzhu": "Xinjiang Tianhong Jianzhu Co., Ltd.",  # 建筑 romanised
    "lvyuan-books": "Kashgar Lvyuan Bookstore",  # 书店 translated, 绿源 a brand
    "hengrui": "Taizhou Hengrui Garment Co., Ltd.",  # 台州: a prefecture, not a brand
    "hongtai-elec": "Shenzhen Hongtai Electronics Co., Ltd.",  # 市 left out
    "tianshan-cars": "Kashgar Tianshan Car Sales Co.",  # 汽车: car, not automotive
    "hongyuan": "大连宏远贸易有限公司",  # listed in Chinese only
    "hengda": "Taizhou Hengda Garment Co., Ltd.",  # another brand, same trade and city
    "hongda-romanised": "Changji Hongda Jianzhu Gongcheng Youxian Gongsi",  # all pinyin
}


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    entries = [(REF, ListEntry(key, "company", name)) for key, name in LISTED.items()]
    return Matcher.build(entries)


def _score(matcher: Matcher, name: str, entry_id: str) -> float:
    result = matcher.match(Query(id="q", name=name), review_threshold=0.0)
    return max((h.score for h in result.hits if h.entry_id == entry_id), default=0.0)


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("新疆天宏建筑有限公司", "tianhong-jianzhu"),  # the translated word's pinyin
        ("喀什绿源书店", "lvyuan-books"),  # a run cut at an everyday word
        ("台州恒瑞服装有限公司", "hengrui"),  # ...and at a place name
        ("深圳市宏泰电子有限公司", "hongtai-elec"),  # an administrative suffix set aside
        ("喀什天山汽车销售有限公司", "tianshan-cars"),  # another sense of a translated word
        ("Dalian Hongyuan Maoyi Youxian Gongsi", "hongyuan"),  # romanised, legal form too
    ],
)
def test_chinese_name_meets_its_mixed_english_listing(
    matcher: Matcher, query: str, entry_id: str
) -> None:
    assert _score(matcher, query, entry_id) >= DEFAULT_THRESHOLD


@pytest.mark.parametrize(
    ("query", "entry_id"),
    [
        ("新疆天宏建筑有限公司", "tianhong-jianzhu"),
        ("喀什天山汽车销售有限公司", "tianshan-cars"),
        ("昌吉宏达建筑工程有限公司", "hongda-romanised"),
    ],
)
def test_blocking_keeps_a_listing_that_romanises_the_trade_words(
    matcher: Matcher, query: str, entry_id: str
) -> None:
    """Screened as a user does (default review threshold, so the blocking stage prunes):
    the other spellings are keys too, and the quick estimate reads them."""
    result = matcher.match(Query(id="q", name=query))
    assert result.match and result.hits[0].entry_id == entry_id


def test_another_brand_in_the_same_trade_and_city_stays_apart(matcher: Matcher) -> None:
    assert _score(matcher, "台州恒瑞服装有限公司", "hengda") < DEFAULT_THRESHOLD
    assert _score(matcher, "Taizhou Hengda Garment", "hengrui") < DEFAULT_THRESHOLD


def test_the_explanation_names_the_other_spelling(matcher: Matcher) -> None:
    result = matcher.match(Query(id="q", name="新疆天宏建筑有限公司"))
    hit = next(h for h in result.hits if h.entry_id == "tianhong-jianzhu")
    overlap = next(f for f in hit.features if f.name == "name_token_overlap_weighted")
    assert "jianzhu" in overlap.detail and "construction" in overlap.detail


def test_readings_of_a_run_with_a_place_and_a_trade_word() -> None:
    texts = [k.text for k in name_keys("台州春博书店")]
    assert "taizhou chunbo shudian" in texts  # cut at the prefecture and at 书店
    cut = next(k for k in name_keys("台州春博书店") if k.text == "taizhou chunbo shudian")
    assert ("shudian", "bookstore") in cut.spelled
