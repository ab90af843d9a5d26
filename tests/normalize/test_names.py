"""Name keys: one Latin key space for every script and spelling."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from flscreen.normalize.names import (
    BRAND,
    FILLER,
    INDUSTRY,
    LEGAL,
    PLACE,
    acronyms,
    name_key,
    name_keys,
    normalize_name,
    token_class,
)

KEYS = [
    ("Xinjiang Zhongtai Chemical Co., Ltd.", "xinjiang zhongtai chemical"),
    ("新疆中泰化学股份有限公司", "xinjiang zhongtai chemical"),  # pinyin brand + glossary
    ("新疆中泰化學股份有限公司", "xinjiang zhongtai chemical"),  # traditional script
    ("Hesheng Silicon Industry (Shanshan) Co.", "hesheng silicon ind shanshan"),
    (
        "合盛硅业(鄯善)有限公司",
        "hesheng silicon ind shanshan",
    ),  # 硅业 = silicon industry, 鄯善 a place
    ("Xinjiang Nonferrous Metals Industry Group", "xinjiang nonferrous metal ind"),
    ("Xinjiang Non-Ferrous Metal Industries", "xinjiang nonferrous metal ind"),  # hyphen, plural
    ("XINJIANG ZHONGTAI CHEM CO LTD", "xinjiang zhongtai chemical"),  # abbreviation
    ("Sichuan Jingweida Tech Grp", "sichuan jingweida tech"),  # Tech = Technology, Grp = legal
    ("Sichuan Jingweida Technology Group Co., Ltd.", "sichuan jingweida tech"),
    ("Hetian Taida Apparel", "hotan taida garment"),  # Hetian -> hotan
    ("Khotan Taida Apparel", "hotan taida garment"),  # Khotan -> hotan
    ("和田泰达服饰", "hotan taida garment"),  # 和田 place, 服饰 apparel
    ("Ürümqi Steel", "urumqi steel"),  # diacritics
    ("Wulumuqi Steel", "urumqi steel"),  # pinyin of 乌鲁木齐
    ("Kashi Cotton", "kashgar cotton"),
    ("Akesu Cotton", "aksu cotton"),
    ("ZHU, Hailun", "zhu hailun"),
    ("Shanghai M&G Stationery", "shanghai mg stationery"),  # M&G stays one brand word
    ("Import & Export Trading Co.", "impex trading"),  # filler, kept with ~0 weight
    ("Co., Ltd.", "co ltd"),  # nothing but legal words: kept so it still compares with itself
]


@pytest.mark.parametrize(("raw", "key"), KEYS)
def test_normalize_name(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


def test_brand_table_gives_a_second_key() -> None:
    keys = name_keys("合盛硅业(鄯善)有限公司")
    assert [k.text for k in keys] == [
        "hesheng silicon ind shanshan",
        "hoshine silicon ind shanshan",  # 合盛 = Hoshine, the company's own brand
    ]
    assert keys[1].brand_variant == "合盛"


def test_chinese_person_name() -> None:
    assert normalize_name("朱海仑", person=True) == "zhu hailun"
    assert normalize_name("欧阳海", person=True) == "ouyang hai"  # compound surname


def test_translations_are_recorded() -> None:
    key = name_key("新疆中泰化学股份有限公司")
    assert key is not None
    assert ("化学", "chemical") in key.translations
    assert ("中泰", "zhongtai") in key.translations
    assert key.legal == ("股份有限公司",)
    assert key.script == "han"


@pytest.mark.parametrize(
    ("token", "cls"),
    [
        ("zhongtai", BRAND),
        ("chemical", INDUSTRY),
        ("xinjiang", PLACE),
        ("hotan", PLACE),
        ("ltd", LEGAL),
        ("group", LEGAL),
        ("trading", FILLER),
        ("no", FILLER),  # "No. 4 ..." (YAML would read a bare no as false)
    ],
)
def test_token_class(token: str, cls: str) -> None:
    assert token_class(token) == cls


def test_acronyms() -> None:
    key = name_key("Xinjiang Production and Construction Corps")
    assert key is not None
    assert "xpcc" in acronyms(key.words)
    vsetc = name_key("No. 4 Vocational Skills Education Training Center (VSETC)")
    assert vsetc is not None
    assert "vsetc" in acronyms(vsetc.tokens)


@pytest.mark.parametrize("dirty", [None, 3, "", "   ", "\u200b", "!!!", "()"])
def test_dirty_input_gives_none(dirty: object) -> None:
    assert normalize_name(dirty) is None
    assert name_keys(dirty) == []


LATIN_NAME = st.text(
    alphabet=st.characters(categories=["Lu", "Ll", "Nd", "Zs", "Pd", "Po", "Ps", "Pe"]),
    max_size=40,
)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_never_raises(text: str) -> None:
    name_keys(text)
    name_keys(text, person=True)


@given(LATIN_NAME)
@settings(max_examples=300, deadline=None)
def test_idempotent_on_latin(text: str) -> None:
    once = normalize_name(text)
    if once is not None:
        assert normalize_name(once) == once


WORDS = st.lists(
    st.sampled_from(
        ["zhongtai", "chemical", "xinjiang", "hotan", "textile", "tianshan", "wool", "meixin"]
    ),
    min_size=1,
    max_size=5,
)


@settings(deadline=None)
@given(WORDS, st.sampled_from(["Co., Ltd.", "Company Limited", "Group Co", "Ltd", "LLC", ""]))
def test_legal_form_never_changes_the_key(words: list[str], legal: str) -> None:
    name = " ".join(w.title() for w in words)
    assert normalize_name(f"{name} {legal}") == normalize_name(name)


@settings(deadline=None)
@given(WORDS)
def test_script_independent_keys_for_evasion(words: list[str]) -> None:
    """Full-width, zero-width and Cyrillic twins give the key of the plain name.

    A zero-width character between two words reads as the space it stands for
    ("Sunrise\u200bTextile" is two words); one inside a word splits it, and the
    matcher's boundary-tolerant alignment joins it again (tests/matching).
    """
    name = " ".join(w.title() for w in words)
    full_width = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in name)
    zero_width = "\u200b".join(w.title() for w in words)
    cyrillic = name.replace("a", "а").replace("o", "о").replace("e", "е")
    plain = normalize_name(name)
    assert normalize_name(full_width) == plain
    assert normalize_name(zero_width) == plain
    assert normalize_name(cyrillic) == plain


PAIRS_ZH_EN = [
    # (Chinese name, Latin name) pairs whose keys must be equal: reviewed readings
    ("新疆中泰化学股份有限公司", "Xinjiang Zhongtai Chemical Co., Ltd."),
    ("阿克苏华孚色纺有限公司", "Aksu Huafu Color Spinning Co., Ltd."),
    ("新疆天山毛纺织股份有限公司", "Xinjiang Tianshan Wool Textile Co. Ltd."),
    ("新疆生产建设兵团", "Xinjiang Production Construction"),
]


@pytest.mark.parametrize(("zh", "en"), PAIRS_ZH_EN)
def test_chinese_and_latin_share_a_key(zh: str, en: str) -> None:
    assert normalize_name(zh) == normalize_name(en)


@pytest.mark.parametrize(
    ("typo", "key"),
    [
        ("Zhongtai Grop Co", "zhongtai"),  # group, a legal word, with a letter missing
        ("Zhongtai Chemcial", "zhongtai chemical"),  # swapped letters in an industry word
        ("Hebei Suguo Interational Trade", "hebei suguo intl trade"),
        ("Kashgr Taida", "kashgar taida"),  # a place one letter off Kashgar
        ("Hepian Taida", "hepian taida"),  # but valid pinyin is a name of its own, not Hetian
        ("Ghongtai Group", "ghongtai"),  # first letters are never corrected
    ],
)
def test_typos_in_vocabulary_words_are_corrected(typo: str, key: str) -> None:
    assert normalize_name(typo) == key


BRAND_CHARS = (
    "华泰中天兴盛达宏鑫源恒金信嘉德利丰安隆瑞美通力昌星光明"
    "阳春荣富祥永益众正康健博创远航凯辉腾飞龙凤鹏程锦绣豪峰汇聚盈佳晨曦"
)
PLACES_ZH_EN = [("新疆", "Xinjiang"), ("和田", "Hetian"), ("喀什", "Kashi"), ("上海", "Shanghai")]
TRADES_ZH_EN = [
    ("纺织", "Textile"),
    ("化工", "Chemical"),
    ("硅业", "Silicon Industry"),
    ("服饰", "Apparel"),
]


@settings(deadline=None, max_examples=200)
@given(
    st.text(alphabet=BRAND_CHARS, min_size=2, max_size=3),
    st.sampled_from(PLACES_ZH_EN),
    st.sampled_from(TRADES_ZH_EN),
    st.sampled_from([("有限公司", "Co., Ltd."), ("股份有限公司", "Company Limited")]),
)
def test_chinese_company_names_key_like_their_english_names(
    brand: str,
    place: tuple[str, str],
    trade: tuple[str, str],
    legal: tuple[str, str],
) -> None:
    """新疆华泰纺织有限公司 and 'Xinjiang Huatai Textile Co., Ltd.' share one key, for any brand
    that is not itself a dictionary word (通信 would read as 'communication')."""
    from pypinyin import lazy_pinyin

    from flscreen.normalize.names import vocabulary

    assume(not any(w in brand for w in vocabulary().zh if len(w) > 1))

    latin_brand = "".join(lazy_pinyin(brand)).capitalize()
    zh = f"{place[0]}{brand}{trade[0]}{legal[0]}"
    en = f"{place[1]} {latin_brand} {trade[1]} {legal[1]}"
    assert normalize_name(zh) == normalize_name(en)
