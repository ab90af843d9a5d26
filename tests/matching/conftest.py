"""A small list of real-looking entries (names as the public lists spell them)."""

from __future__ import annotations

import pytest

from flscreen.matching import Matcher
from flscreen.model.lists import Identifier, ListEntry, ListVersionRef

UFLPA = ListVersionRef("uflpa", 3, "2026-09-01T00:00:00+00:00", "0" * 64, "fixture")
SDN = ListVersionRef("ofac-sdn", 7, "2026-09-01T00:00:00+00:00", "1" * 64, "fixture")

# A valid USCC made for these tests (check character computed per GB 32100-2015).
ZHONGTAI_USCC = "91650000228601591C"
OTHER_USCC = "91650100MA77ABCD1P"


def _company(
    entry_id: str, name: str, *aliases: str, **kw: object
) -> tuple[ListVersionRef, ListEntry]:
    return UFLPA, ListEntry(entry_id=entry_id, schema="company", name=name, aliases=aliases, **kw)  # type: ignore[arg-type]


def _person(entry_id: str, name: str, *aliases: str) -> tuple[ListVersionRef, ListEntry]:
    return SDN, ListEntry(
        entry_id=entry_id, schema="person", name=name, aliases=aliases, countries=("CN",)
    )


ENTRIES = [
    _company(
        "zhongtai",
        "Xinjiang Zhongtai Chemical Co., Ltd.",
        countries=("CN",),
        identifiers=(Identifier("uscc", ZHONGTAI_USCC),),
    ),
    _company("zhongtai-group", "Xinjiang Zhongtai Group Co. Ltd.", countries=("CN",)),
    _company(
        "hoshine-shanshan",
        "Hoshine Silicon Industry (Shanshan) Co., Ltd",
        "Hesheng Silicon Industry (Shanshan) Co.",
        countries=("CN",),
    ),
    _company("chenguang", "ChenGuang Biotech Group Co., Ltd.", countries=("CN",)),
    _company("east-hope", "Xinjiang East Hope Nonferrous Metals Co., Ltd.", countries=("CN",)),
    _company("daqo", "Xinjiang Daqo New Energy Co., Ltd.", countries=("CN",)),
    _company("jinchuan-xj", "Xinjiang Jinchuan Mining Industry Co.", countries=("CN",)),
    _company("tianshan-wool", "Xinjiang Tianshan Wool Textile Co. Ltd.", countries=("CN",)),
    _company("meixin", "Lop County Meixin Hair Products Co., Ltd.", countries=("CN",)),
    _company("taida", "Hetian Taida Apparel Co., Ltd.", countries=("CN",)),
    _company("huafu-aksu", "Aksu Huafu Color Spinning Co., Ltd.", countries=("CN",)),
    _company("camel", "Camel Group Co., Ltd.", countries=("CN",)),
    _company(
        "goens",
        "Xinjiang Goens Energy Technology Co., Ltd.",
        "Xinjiang GCL New Energy Material Technology Co., Ltd.",
        countries=("CN",),
    ),
    _company(
        "xpcc",
        "Xinjiang Production and Construction Corps",
        "XPCC",
        "Bingtuan",
        countries=("CN",),
    ),
    _company("vsetc", "No. 4 Vocational Skills Education Training Center (VSETC)"),
    # invented names for the evasion kinds of issue 12 (not list entries)
    _company("sunrise-textile", "Sunrise Textile Co., Ltd."),
    _company("sunrise-group", "Sunrise Group Co., Ltd."),
    _company(
        "tianhe-impex",
        "Urumqi Tianhe International Commercial Development Holding Import and Export Co., Ltd.",
    ),
    _company("baiyun-mfg", "Baiyun Manufacturing Industrial Group Co., Ltd."),
    _company("western-cotton", "Xinjiang Western Cotton Textile Co., Ltd."),
    _company("xibu-energy", "Xibu Energy Co., Ltd."),  # a firm that transliterates 西部
    _company("beijing-liuyun", "Beijing Liuyun Machinery Co., Ltd."),
    _company("hetian-jinxiu", "Hetian Jinxiu Carpet Industry Co., Ltd."),
    _company("dandong-haiyang", "Dandong Haiyang Seafood Trading Co., Ltd."),
    _company("bright-sail", "Bright Sail HK Limited"),
    _company("sino-korea", "Sino-Korea Friendship Cooperation Corporation"),
    _company("hebei-jimian", "Hebei Jimian Textile Group Co., Ltd."),
    _company("china-cotton-textile", "China Cotton Textile Group Co., Ltd."),
    _person("li-yuping", "LI, Yuping"),
    _person("zhao-exiang", "ZHAO, Exiang"),
    _person("zhu-hailun", "ZHU, Hailun"),
    _person("chen-quanguo", "CHEN, Quanguo"),
    _person("chen-mingguo", "CHEN, Mingguo"),
    _person("wang-junzheng", "WANG, Junzheng"),
]


@pytest.fixture(scope="session")
def matcher() -> Matcher:
    return Matcher.build(ENTRIES)
