"""A resolved division agrees with every division the address names; park words name none."""

from __future__ import annotations

import pytest

from flscreen.region import LocateQuery, locate
from flscreen.region.gazetteer import Division, load

# Words every city has; a few townships are registered under them bare
# (于田县's and 阿拉尔市's 工业园区, 阿克苏市's 经济技术开发区).
ZH_PARKS = ("工业园区", "经济技术开发区", "开发区", "高新技术产业开发区", "产业园", "特色产业园区")
LATIN_PARKS = (
    "Industrial Park",
    "Economic and Technological Development Zone",
    "Development Zone",
    "Gongye Yuanqu",
)


def _located(address: str) -> Division | None:
    loc = locate(LocateQuery(id="r", address=address))
    return load().divisions.get(loc.division_code) if loc.division_code else None


def _xinjiang_counties() -> list[tuple[Division, Division]]:
    gaz = load()
    return [
        (d, gaz.divisions[d.parent])
        for d in sorted(gaz.divisions.values(), key=lambda d: d.code)
        if d.level == "county" and d.xinjiang
    ]


def test_county_under_its_prefecture_with_a_park_word_comes_back_as_that_county() -> None:
    """Every Xinjiang county, with its prefecture (and the region in one form) and a park
    word: the answer is the county or one of its own townships, never the region
    alone nor another city's park. 51 of these 324 failed before."""
    wrong: list[str] = []
    for i, (county, parent) in enumerate(_xinjiang_counties()):
        park = ZH_PARKS[i % len(ZH_PARKS)]
        for address in (
            f"新疆{parent.name}{county.name}{park}",
            f"{parent.name}{county.name}{ZH_PARKS[(i + 1) % len(ZH_PARKS)]}",
            f"{parent.name}{county.name}",
        ):
            got = _located(address)
            if got is None or county.code not in got.lineage:
                wrong.append(f"{address} -> {got.display if got else None}")
    assert len(_xinjiang_counties()) > 100
    assert wrong == []


def test_latin_county_with_a_park_phrase_comes_back_as_that_county() -> None:
    """The same in English order ("Gongye Yuanqu" is also 垣曲县's pinyin); these held
    before the park words were set apart, and must keep holding."""
    wrong: list[str] = []
    checked = 0
    for i, (county, parent) in enumerate(_xinjiang_counties()):
        if not county.latin or not parent.latin:
            continue
        first, second = LATIN_PARKS[i % 4], LATIN_PARKS[(i + 1) % 4]
        if parent.level == "province":  # an XPCC city (Huyanghe) or one directly under it
            forms = (f"{first}, {county.latin}, Xinjiang", f"{county.latin} {second}, Xinjiang")
        else:
            forms = (
                f"{first}, {county.latin} County, {parent.latin} Prefecture, Xinjiang",
                f"{county.latin} {second}, {parent.latin}, Xinjiang",
            )
        for address in forms:
            checked += 1
            got = _located(address)
            if got is None or county.code not in got.lineage:
                wrong.append(f"{address} -> {got.display if got else None}")
    assert checked > 50
    assert wrong == []


@pytest.mark.parametrize(
    ("address", "code"),
    [
        # 和田 and a park word: 和田地区, not 于田县's 工业园区 (a park in another county).
        ("新疆和田工业园区", "653200"),
        ("和田地区工业园区", "653200"),
        # The region and a park word: the region, not a park somewhere in it.
        ("新疆工业园区", "650000"),
        # Korla's development zone is not Aksu's (阿克苏市's township is named 经济技术开发区).
        ("新疆巴州库尔勒市经济技术开发区", "652801"),
        ("新疆阿克苏地区库车市经济技术开发区", "652902"),
        # The park of the city the address names is that city's park.
        ("新疆阿拉尔市工业园区", "659002402"),
        # "Gongye Yuanqu" is an industrial park, not 垣曲县 (Yuanqu County) ...
        ("Yuncheng Gongye Yuanqu, Yuncheng, Shanxi", "140800"),
        # ... which it still is when the text says so.
        ("Yuanqu County, Yuncheng, Shanxi", "140827"),
        ("Yuanqu, Yuncheng, Shanxi", "140827"),
    ],
)
def test_division_named(address: str, code: str) -> None:
    got = _located(address)
    assert got is not None
    assert got.code == code, got.display


@pytest.mark.parametrize(
    "address", [*ZH_PARKS, *LATIN_PARKS, "Gongye Yuanqu Kaifaqu", "西工业园区", "工业园区街道"]
)
def test_a_park_word_alone_is_no_place(address: str) -> None:
    loc = locate(LocateQuery(id="r", address=address))
    assert loc.status == "unknown"
    assert loc.division_code is None
    assert not [s for s in loc.signals if s.in_xinjiang is not None]
