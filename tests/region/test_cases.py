"""Table of addresses and records -> expected status, with a comment on each tricky row."""

from __future__ import annotations

import pytest

from flscreen.region import LocateQuery, locate
from flscreen.region.identifiers import uscc_check_char


def make_uscc(division: str, body: str = "MA77ABCD1") -> str:
    """A USCC with a correct check character, registered in ``division``."""
    first17 = "91" + division + body
    return first17 + uscc_check_char(first17)


XJ_USCC = make_uscc("650100")  # Ürümqi
SH_USCC = make_uscc("310115")  # Shanghai Pudong

ADDRESS_CASES: list[tuple[str, str | None, str]] = [
    # --- Xinjiang, Chinese order, any script ---
    ("新疆维吾尔自治区喀什地区莎车县", None, "xinjiang"),
    ("新疆維吾爾自治區烏魯木齊市天山區", None, "xinjiang"),  # traditional characters
    ("乌鲁木齐市天山区解放南路１２号", None, "xinjiang"),  # full-width digits
    ("和田地区墨玉县", None, "xinjiang"),
    ("新疆生产建设兵团第八师一四三团", None, "xinjiang"),  # XPCC division + regiment
    ("一四三团", None, "xinjiang"),  # a numbered regiment alone is distinctive
    ("阿拉尔市", None, "xinjiang"),  # XPCC city
    # --- Xinjiang, English order (street first, region last) ---
    ("Shache County, Kashgar Prefecture, Xinjiang", None, "xinjiang"),
    ("No. 8 Beijing Road, Yarkand, Kashgar", None, "xinjiang"),  # Beijing Road is a street
    (
        "Kashgar Economic Development Zone, Shenzhen Industrial Park, Kashgar, Xinjiang",
        None,
        "xinjiang",
    ),  # pairing-assistance park named after Shenzhen
    ("Wulumuqi Shi, Xinjiang Weiwuer Zizhiqu", None, "xinjiang"),  # toneless pinyin
    # pairing-assistance parks named after the provinces that fund them
    ("Shanghai Industrial Park, Kashgar", None, "xinjiang"),
    ("Guangdong Industrial Park, Shufu County, Kashgar, Xinjiang", None, "xinjiang"),
    ("喀什地区疏附县广东工业园", None, "xinjiang"),
    ("Shanghai Industrial Park, Songjiang, Shanghai", None, "elsewhere"),  # no Xinjiang place
    ("Ürümqi", None, "xinjiang"),  # with diacritics
    ("Urumqі", None, "xinjiang"),  # Cyrillic і homoglyph
    ("Uru\u200bmqi", None, "xinjiang"),  # zero-width space inside the word
    ("XUAR", None, "xinjiang"),
    ("Sinkiang", None, "xinjiang"),
    ("East Turkistan", None, "xinjiang"),
    ("Karakax County, Hotan", None, "xinjiang"),  # Uyghur-Latin name
    ("Moyu, Hetian", None, "xinjiang"),  # pinyin names support each other
    ("143rd Regiment, Shihezi", None, "xinjiang"),
    ("143 Tuan, 8th Agricultural Division", None, "xinjiang"),
    ("Aksu City, Xinjiang", None, "xinjiang"),
    ("Ghulja", None, "xinjiang"),
    ("Khorgos, Ili, Xinjiang", None, "xinjiang"),
    ("Aksu, Aksu", None, "xinjiang"),  # city then prefecture: the Chinese address form
    ("Korla, Bayingolin Mongol Autonomous Prefecture", None, "xinjiang"),
    ("农一师阿拉尔", None, "xinjiang"),  # 1st Agricultural Division, Aral
    ("Nong Yi Shi, Alaer", None, "xinjiang"),
    ("Wu Lu Mu Qi Shi Tian Shan Qu", None, "xinjiang"),  # pinyin syllables apart
    ("KASHGAR,XINJIANG", None, "xinjiang"),
    ("URUMQISHI", None, "xinjiang"),  # suffix glued onto the name
    ("قەشقەر شەھىرى", None, "xinjiang"),  # Uyghur in Arabic script: Kashgar city
    ("ئۈرۈمچى، شىنجاڭ", None, "xinjiang"),  # Ürümchi, Xinjiang
    ("ئاقسۇ", None, "unknown"),  # Aqsu alone: weak in any script
    ("新 疆 乌 鲁 木 齐 市", None, "xinjiang"),  # spaces between characters
    ("No. 8 XINJIANGLU, QINGDAO", None, "elsewhere"),  # glued street suffix
    # --- Streets and buildings named after Xinjiang places, elsewhere ---
    ("上海市静安区乌鲁木齐中路100号", None, "elsewhere"),  # Urumqi Middle Road, Shanghai
    ("上海市乌鲁木齐北路", None, "elsewhere"),
    ("No. 5 Urumqi North Road, Jing'an District, Shanghai", None, "elsewhere"),
    ("Wulumuqi Zhonglu, Shanghai", None, "elsewhere"),  # joined pinyin street suffix
    ("Xinjiang Road, Shanghai", None, "elsewhere"),
    ("山东省青岛市市北区新疆路8号", None, "elsewhere"),  # 新疆路 in Qingdao
    ("青岛市新疆路", None, "elsewhere"),
    ("Hetian Road, Zhabei, Shanghai", None, "elsewhere"),
    ("上海市长宁区伊犁路", None, "elsewhere"),  # Yili Road, Shanghai
    ("Yili Road, Changning District, Shanghai", None, "elsewhere"),
    ("苏州市和田玉专卖店", None, "elsewhere"),  # Hotan jade shop in Suzhou
    # --- Namesakes ---
    ("Aksu, Kazakhstan", None, "elsewhere"),
    ("Aksu, Pavlodar Region", "Kazakhstan", "elsewhere"),
    ("Altai Krai, Russia", None, "elsewhere"),
    ("Barnaul, Altai", "Russia", "elsewhere"),
    ("Inner Mongolia Yili Industrial Group, Hohhot", None, "elsewhere"),  # the dairy
    ("内蒙古呼和浩特市伊利工业园区", None, "elsewhere"),  # 伊利 is not 伊犁
    ("广东省汕尾市陆河县河田镇", None, "elsewhere"),  # 河田 Hetian town
    ("Hetian Town, Luhe County, Shanwei, Guangdong", None, "elsewhere"),
    ("Hetian Town, Guangdong", None, "elsewhere"),  # a province beats an ambiguous word
    ("Xinji City, Hebei Province", None, "elsewhere"),  # Xinji is not Xinjiang
    ("河北省辛集市", None, "elsewhere"),
    ("Xinjiang County, Yuncheng, Shanxi", None, "elsewhere"),  # 新绛县 reads Xinjiang
    ("Bole, Addis Ababa, Ethiopia", None, "elsewhere"),
    ("兵庫県朝来市和田山町", None, "elsewhere"),  # Japanese: 和田 is Wada, 県 is Japanese
    ("東京都千代田区和田ビル", None, "elsewhere"),  # katakana ビル (building)
    ("東京都中野区和田", None, "elsewhere"),  # Wada, Nakano: 東京都 is Japanese
    ("Khorgos Gateway, Almaty Region", "KZ", "elsewhere"),  # the dry port across the border
    ("Khorgos, Kazakhstan", None, "elsewhere"),
    ("Kashi, Varanasi, Uttar Pradesh, India", None, "elsewhere"),  # Kashi is also Varanasi
    ("Hami melon market, Fuzhou, Fujian", None, "elsewhere"),  # a product, not the place
    ("Xinjiang Hotel, Beijing", None, "elsewhere"),
    ("新疆驻京办事处, 北京市", None, "elsewhere"),  # Xinjiang's office in Beijing
    ("No.1 Hami Road, Changning District, Shanghai", None, "elsewhere"),
    ("第一师范大学", None, "unknown"),  # 第一师范 is a teachers' college, not 第一师
    ("集团总部", None, "unknown"),  # 集团 (group) is not a regiment
    # --- Too little to decide ---
    ("Bole", None, "unknown"),  # short, ambiguous token alone
    ("Aksu District", None, "unknown"),  # also a district of Almaty Region, Kazakhstan
    # a weak word used twice far apart is not a place named twice
    ("Greater Bay Biomedical Innocenter, Shenzhen Bay Laboratory", None, "elsewhere"),
    ("Altay Mining, Altay Road", None, "unknown"),
    ("Kashi City", None, "xinjiang"),  # a medium name with a fitting suffix decides
    ("Aksu", None, "unknown"),
    ("Altay", None, "unknown"),
    ("Xinjiang Road No. 5", None, "unknown"),  # a street with no city
    ("", None, "unknown"),
    ("Unit 5, 22 Long Street", None, "unknown"),
    # --- Elsewhere in China and abroad ---
    ("289 Jiefang West Road, Yuewang Industrial Zone, Shaowu City Fujian", None, "elsewhere"),
    ("广东省东莞市长安镇", None, "elsewhere"),
    ("昆山市和硕电子厂", None, "elsewhere"),  # a full county name outranks a 2-char brand
    ("Phnom Penh, Cambodia", None, "elsewhere"),
    ("Hebei District, Tianjin", None, "elsewhere"),
    # --- Country field ---
    ("Aksu", "Kazakhstan", "elsewhere"),  # country disables the weak namesake
    ("乌鲁木齐市", "China", "xinjiang"),
    ("Xinjiang", "Kazakhstan", "conflict"),  # a strong name against the country: review
]


@pytest.mark.parametrize(("address", "country", "expected"), ADDRESS_CASES)
def test_address_cases(address: str, country: str | None, expected: str) -> None:
    loc = locate(LocateQuery("t", address=address, country=country))
    assert loc.status == expected, [s.detail for s in loc.signals]
    assert loc.in_xinjiang == {"xinjiang": True, "elsewhere": False}.get(expected)


RECORD_CASES: list[tuple[dict[str, str], str, bool]] = [
    # USCC registered in Ürümqi, nothing else
    ({"registration_id": XJ_USCC}, "xinjiang", False),
    # Shanghai address with a Xinjiang USCC: a conflict for review, never a guess
    ({"address": "上海市浦东新区张江路1号", "registration_id": XJ_USCC}, "conflict", False),
    # A USCC with a wrong check character is not trusted
    ({"registration_id": XJ_USCC[:-1] + ("0" if XJ_USCC[-1] != "0" else "1")}, "unknown", False),
    ({"address": "Shanghai", "registration_id": SH_USCC}, "elsewhere", False),
    # a former code (吐鲁番地区 652100 before 2015) still places the registration
    ({"registration_id": make_uscc("652101")}, "xinjiang", False),
    # XPCC registration authority (66xxxx)
    ({"registration_id": make_uscc("660100")}, "xinjiang", True),
    # +86 and an area code 0991 (Ürümqi)
    ({"phone": "+86 991 1234567"}, "xinjiang", False),
    # a trunk-0 number without any China context could be any country's
    ({"phone": "0991-1234567"}, "unknown", False),
    ({"phone": "0991-1234567", "country": "CN"}, "xinjiang", False),
    # mobile numbers carry no region
    ({"phone": "+86 138 0013 8000"}, "unknown", False),
    # 834001 is Ranchi in India: a non-Chinese country disables the postal code
    ({"postal_code": "834001", "country": "India"}, "elsewhere", False),
    ({"postal_code": "830000", "country": "China"}, "xinjiang", False),
    ({"postal_code": "８３００００", "address": "新疆"}, "xinjiang", False),  # full-width
    # company names begin with their place of registration
    ({"name": "新疆华孚色纺有限公司"}, "xinjiang", False),
    ({"name": "华孚时尚（新疆）有限公司"}, "xinjiang", False),
    ({"name": "Hotan Taida Apparel Co., Ltd."}, "xinjiang", False),
    ({"name": "Xinjiang Production and Construction Corps"}, "xinjiang", True),
    ({"name": "Yili Zhuowan Garment Manufacturing Co"}, "unknown", False),  # Yili alone: weak
    ({"name": "新疆北新路桥集团股份有限公司"}, "xinjiang", False),  # 路桥 in a name is no street
    ({"name": "Tuo Li Shoes Factory"}, "unknown", False),  # pinyin brand equal to 托里
    ({"name": "和硕联合科技股份有限公司"}, "unknown", False),  # Pegatron: 和硕 is also a county
    # a Xinjiang name inside the company name is a hint; with an address it decides
    ({"name": "SDIC Xinjiang Lithium Industry Co., Ltd."}, "unknown", False),
    (
        {"name": "SDIC Xinjiang Lithium Industry Co., Ltd.", "phone": "0991 1234567"},
        "xinjiang",
        False,
    ),
    ({"name": "Shanghai Xinjiang Restaurant", "address": "Shanghai"}, "elsewhere", False),
    ({"name": "和硕电子", "address": "江苏省昆山市"}, "elsewhere", False),
    # a company named after another province can run a plant in Xinjiang
    (
        {"name": "Sichuan Yongxiang Co Ltd", "address": "Fukang, Changji, Xinjiang"},
        "xinjiang",
        False,
    ),
    ({"name": "Inner Mongolia Yili Industrial Group", "address": "Hohhot"}, "elsewhere", False),
    # country field naming the region
    ({"country": "Xinjiang"}, "xinjiang", False),
    # several weak signals that agree add up
    ({"address": "Aksu", "phone": "0997 2345678", "postal_code": "843000"}, "xinjiang", False),
]


@pytest.mark.parametrize(("fields", "expected", "xpcc"), RECORD_CASES)
def test_record_cases(fields: dict[str, str], expected: str, xpcc: bool) -> None:
    loc = locate(LocateQuery("r", **fields))
    assert loc.status == expected, [(s.kind, s.detail) for s in loc.signals]
    assert loc.xpcc is xpcc


def test_every_signal_is_listed_with_the_evidence() -> None:
    loc = locate(
        LocateQuery(
            "f1",
            address="新疆喀什地区莎车县",
            phone="0998-1234567",
            postal_code="844700",
            registration_id=make_uscc("653125"),
            name="莎车县棉业有限公司",
        )
    )
    assert loc.status == "xinjiang"
    assert loc.division_code == "653125"
    assert "莎车县" in (loc.division_name or "")
    kinds = [s.kind for s in loc.signals]
    assert kinds.count("address") == 1
    assert {"uscc", "phone", "postal_code", "name"} <= set(kinds)
    assert all(s.detail for s in loc.signals)
    # More agreeing evidence gives more confidence: scores keep a spread.
    weaker = locate(LocateQuery("f2", address="新疆喀什地区莎车县"))
    assert 0.5 < weaker.confidence < loc.confidence < 1.0


def test_street_is_reported_but_not_counted() -> None:
    loc = locate(LocateQuery("s", address="上海市静安区乌鲁木齐中路100号"))
    street = [s for s in loc.signals if "named after" in s.detail]
    assert street and street[0].in_xinjiang is None
    assert loc.division_code == "310106"


def test_to_dict_matches_the_cli_contract() -> None:
    data = locate(LocateQuery("c", address="Kashgar, Xinjiang")).to_dict()
    assert list(data) == [
        "id",
        "in_xinjiang",
        "status",
        "confidence",
        "division_code",
        "division_name",
        "xpcc",
        "signals",
    ]
    assert set(data["signals"][0]) == {"kind", "value", "detail"}
