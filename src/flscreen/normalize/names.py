"""Names of companies and people as comparable keys, whatever the script.

Every name becomes a tuple of tokens in one Latin key space:

- Latin text: NFKC, invisible characters out, homoglyphs folded, diacritics
  dropped, lower case, punctuation out, multi-word phrases joined, abbreviations
  and full forms mapped to one key (``Tech``/``Technology`` -> ``tech``), simple
  plurals folded, place-name variants mapped to one token
  (Hetian/Khotan/和田 -> ``hotan``), legal forms set aside.
- Chinese text: traditional to simplified (OpenCC), then segmented by longest
  match against reviewed dictionaries: legal forms (set aside), places
  (canonical token), industry words that translate (化学 -> ``chemical``);
  the characters between them (the brand, 字号) become one pinyin word, so
  新疆中泰化学股份有限公司 reads ``xinjiang zhongtai chemical``, the same key as
  "Xinjiang Zhongtai Chemical Co., Ltd.".

Pinyin is lossy (many characters share a syllable), so a pinyin key finds
candidates; the matcher says when a match rests on it. The original string is
kept in :class:`NameKey` for evidence.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml
from rapidfuzz import process
from rapidfuzz.distance import OSA

from flscreen.normalize.text import (
    ascii_word,
    clean_text,
    has_invisible,
    is_han,
    script_of,
    to_simplified,
)

# Token classes, in order of how much a token says about identity.
LEGAL = "legal"
FILLER = "filler"
PLACE = "place"
INDUSTRY = "industry"
BRAND = "brand"

CLASS_WEIGHTS: dict[str, float] = {
    LEGAL: 0.0,
    FILLER: 0.05,
    PLACE: 0.3,
    INDUSTRY: 0.5,
    BRAND: 1.0,
}

# Filler words that carry no letters of meaning at all; left out of compact keys.
STOPWORDS = frozenset({"and", "of", "the", "its", "in", "for", "a", "an", "to", "aka", "fka"})

_COMPOUND_SURNAMES = frozenset(
    {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "夏侯", "令狐", "司徒"}
)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The reviewed reference data the normaliser uses, loaded once."""

    legal_en: frozenset[str]
    abbreviations: dict[str, str]
    phrases: dict[tuple[str, ...], tuple[str, ...]]
    phrase_max: int
    places: dict[str, str]
    place_tokens: frozenset[str]
    industry: frozenset[str]
    filler: frozenset[str]
    zh: dict[str, tuple[str, str]]
    """Chinese word -> (kind, value): kind is legal, place, glossary, dictionary (the
    CC-CEDICT trade words) or brand."""
    zh_max: int


def _read_csv(name: str) -> list[dict[str, str]]:
    text = resources.files("flscreen.resources").joinpath("matching", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


def _read_yaml(name: str) -> Any:
    text = resources.files("flscreen.resources").joinpath("matching", name).read_text("utf-8")
    return yaml.safe_load(text)


@functools.cache
def vocabulary() -> Vocabulary:
    """Load the reviewed tables under ``resources/matching`` (once per process)."""
    legal = _read_yaml("legal_forms.yml")
    classes = _read_yaml("token_classes.yml")
    abbreviations = {r["variant"]: r["canonical"] for r in _read_csv("abbreviations.csv")}
    phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
    for row in _read_csv("phrases.csv"):
        phrases[tuple(row["phrase"].split())] = tuple(row["canonical"].split())
    places: dict[str, str] = {}
    zh: dict[str, tuple[str, str]] = {}
    for row in _read_csv("places.csv"):
        canonical = row["canonical"]
        places[canonical] = canonical
        for variant in row["variants"].split("|"):
            words = tuple(variant.split())
            if len(words) == 1:
                places[words[0]] = canonical
            elif words:
                phrases[words] = (canonical,)
        zh[row["zh"]] = ("place", canonical)
    for row in _read_csv("glossary_zh_en.csv"):
        zh.setdefault(row["zh"], ("glossary", row["en"]))
    for row in _read_csv("glossary_cedict.csv"):
        # generated from CC-CEDICT (scripts/build_glossary_cedict.py); the reviewed
        # tables above win
        zh.setdefault(row["zh"], ("dictionary", row["en"]))
    for word in legal["chinese"]:
        zh[word] = ("legal", word)
    for row in _read_csv("brands.csv"):
        zh.setdefault(row["zh"], ("brand", row["latin"]))
    return Vocabulary(
        legal_en=frozenset(legal["english"]),
        abbreviations=abbreviations,
        phrases=phrases,
        phrase_max=max(len(p) for p in phrases),
        places=places,
        place_tokens=frozenset(places.values()),
        industry=frozenset(classes["industry"]),
        filler=frozenset(classes["filler"]),
        zh=zh,
        zh_max=max(len(w) for w in zh),
    )


@dataclass(frozen=True, slots=True)
class NameKey:
    """A name read into comparable tokens, with a note of everything done to it."""

    original: str
    tokens: tuple[str, ...]
    """Core tokens (legal forms removed) in the Latin key space."""
    legal: tuple[str, ...] = ()
    """Legal-form words set aside (Co, Ltd, 有限公司 ...)."""
    script: str = "latin"
    """'latin', 'han', 'mixed' or 'other' (of the original)."""
    translations: tuple[tuple[str, str], ...] = ()
    """(Chinese, key) pairs: glossary translations, places and pinyin readings used."""
    brand_variant: str | None = None
    """The Chinese brand word replaced by its company's Latin brand, when this key is one."""
    words: tuple[str, ...] = ()
    """Every Latin-space word in order, legal forms included (for acronyms: XPCC)."""
    glossary: tuple[tuple[str, str], ...] = ()
    """(Chinese, English) industry words translated by the reviewed glossary (化学, chemical)."""
    respaced: str | None = None
    """The query as re-spaced before reading, when its word boundaries were moved back to
    where the list's words have them ("AccessoriesC o." -> "Accessories Co.")."""
    spelled: tuple[tuple[str, str], ...] = ()
    """(token, word as written) for every Latin word its token rewrote (Hetian -> hotan,
    Industry -> ind, a typo corrected): a misspelling of the word as written is compared
    with it, not with the token it was rewritten to. A Chinese word read in translation
    has its pinyin here (construction=jianzhu): a firm may romanise it instead."""
    legal_guesses: tuple[str, ...] = ()
    """Words as written that only a typo correction made legal forms ("Cooperatizn" read
    as cooperative): they may be a misspelt word of the list name instead."""

    @property
    def text(self) -> str:
        """The core tokens as one string: what the index stores."""
        return " ".join(self.tokens)

    @property
    def compact(self) -> str:
        return compact_of(self.tokens)

    @property
    def spelled_text(self) -> str:
        """``spelled`` as one string ("hotan=hetian ind=industry"): what the index stores."""
        return " ".join(f"{tok}={word}" for tok, word in self.spelled)


def read_spelled(text: str) -> dict[str, tuple[str, ...]]:
    """Token -> words as written, from :attr:`NameKey.spelled_text`."""
    out: dict[str, tuple[str, ...]] = {}
    for part in text.split():
        tok, _, word = part.partition("=")
        out[tok] = (*out.get(tok, ()), word)
    return out


def compact_of(tokens: tuple[str, ...] | list[str]) -> str:
    """Tokens joined without spaces or stopwords: spacing and 'and/of' never matter."""
    return "".join(t for t in tokens if t not in STOPWORDS)


def token_class(token: str) -> str:
    """Which class a key-space token belongs to (brand, industry, place, filler, legal)."""
    return _token_class(token)


@functools.lru_cache(maxsize=262144)
def _token_class(token: str) -> str:
    voc = vocabulary()
    if token in voc.legal_en:
        return LEGAL
    if token in STOPWORDS or token in voc.filler:
        return FILLER
    if token in voc.place_tokens:
        return PLACE
    if token in voc.industry:
        return INDUSTRY
    if token.isdigit():
        return INDUSTRY
    return BRAND


_APOSTROPHES = re.compile(r"['’‘`´]")
_AMP_INITIALS = re.compile(r"\b([a-z0-9])\s*&\s*([a-z0-9])\b")
_HYPHEN_INSIDE = re.compile(r"(?<=[a-z0-9])[-‐‑–](?=[a-z0-9])")
_ALNUM = re.compile(r"[a-z0-9]+")


def _stem(token: str) -> str:
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 4 and token.endswith("s") and not token.endswith(("ss", "us", "is")):
        return token[:-1]
    return token


@functools.cache
def pinyin_syllables() -> frozenset[str]:
    """Toneless Hanyu Pinyin syllables (resources/matching/pinyin_syllables.txt)."""
    text = resources.files("flscreen.resources").joinpath("matching", "pinyin_syllables.txt")
    lines = text.read_text("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@functools.cache
def english_words() -> frozenset[str]:
    """English words (pyspellchecker's frequency dictionary, from OpenSubtitles and
    SCOWL; MIT): loaded on first use, a tenth of a second."""
    from spellchecker import SpellChecker  # 0.15 s: only when a first letter differs

    return frozenset(SpellChecker(language="en", distance=1).word_frequency.keys())


@functools.lru_cache(maxsize=65536)
def is_word(word: str) -> bool:
    """True when ``word`` reads as a word of a language (English, or pinyin syllables):
    another name may be spelt so. A non-word is no other name: it is a misspelling
    (the non-word / real-word distinction of spelling correction, Kukich 1992)."""
    return is_pinyin(word) or word in english_words()


@functools.lru_cache(maxsize=262144)
def is_pinyin(word: str) -> bool:
    """True when ``word`` splits entirely into pinyin syllables (zhongtai, hailun).

    A syllable starting with a vowel counts only at the start: inside a word
    pinyin marks it with an apostrophe (Xi'an), so 'zhongtia' is not zhong-ti-a.
    """
    if not word.isalpha() or not word.isascii():
        return False
    syllables = pinyin_syllables()
    n = len(word)
    ok = [True] + [False] * n
    for end in range(1, n + 1):
        for start in range(max(0, end - 6), end):
            if ok[start] and word[start:end] in syllables:
                if start > 0 and word[start] in "aeo":
                    continue
                ok[end] = True
                break
    return ok[n]


def _deletions(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]


@functools.cache
def _typo_index() -> dict[str, frozenset[str]]:
    """Deletion index (SymSpell) over the reviewed vocabulary of 5+ letters: legal forms,
    filler, industry words, abbreviation full forms and place variants (second
    deletions too for words of 8+ letters, which may carry two typos)."""
    voc = vocabulary()
    words = (
        set(voc.abbreviations)
        | set(voc.legal_en)
        | set(voc.filler)
        | set(voc.industry)
        | {p for p in voc.places if len(p) >= 6}
    )
    index: dict[str, set[str]] = {}
    for w in words:
        if len(w) >= 5 and w.isalpha():
            dels = {w, *_deletions(w)}
            if len(w) >= TWO_TYPO_LEN:
                dels |= {d2 for d in _deletions(w) for d2 in _deletions(d)}
            for d in dels:
                index.setdefault(d, set()).add(w)
    return {k: frozenset(v) for k, v in index.items()}


def _vocabulary_typo(word: str) -> str | None:
    """The one vocabulary word ``word`` is a single typo of (edit, swap, extra or missing
    letter, first letter kept), e.g. 'corproation' -> 'corporation', or two typos of
    when the word is 8+ letters (one may be at the start: 'ecnhology'); None if none
    or several."""
    if len(word) < 4 or not word.isalpha():
        return None
    voc = vocabulary()
    index = _typo_index()
    found: set[str] = set()
    for probe in {word, *_deletions(word)}:
        found |= index.get(probe, frozenset())
    hits = {
        w
        for w in found
        if w[0] == word[0] and OSA.distance(word, w, score_cutoff=1) <= 1 and w != word
    }
    if not hits and len(word) >= TWO_TYPO_LEN - 1:
        # two typos in a long word ("indutrila" for industrial): deletions of the word
        # against the second deletions the index holds
        for probe in {d2 for d in _deletions(word) for d2 in (d, *_deletions(d))}:
            found |= index.get(probe, frozenset())
        hits = {
            w
            for w in found
            if len(w) >= TWO_TYPO_LEN
            and OSA.distance(word, w, score_cutoff=2) <= 2
            and w != word
            and (
                w[0] == word[0]
                or (len(word) >= TWO_TYPO_LEN and not is_pinyin(word) and w not in voc.places)
            )
        }  # one may be at the start of an 8+ letter word ("ecnhology"; devices is not
        # services), unless it reads as pinyin or the word is a place
    if not hits and len(word) >= 5:
        # the first two letters swapped ("ocmpany", "ilmited")
        swapped = word[1] + word[0] + word[2:]
        hits = {w for w in index.get(swapped, frozenset()) if w == swapped}
    if not hits and len(word) >= 4:
        # the first letter dropped ("iotechnology", "roup") or one added in front
        # ("ltechnology": a space shifted from the word before)
        hits = {w for w in index.get(word, frozenset()) if w[1:] == word}
        if len(word) >= 6:
            hits |= {w for w in index.get(word[1:], frozenset()) if w == word[1:]}
    if not hits and len(word) >= 5 and not is_pinyin(word):
        # the first letter mistyped ("pimited", "froup", "cactory"): not a place, whose
        # neighbours by one first letter are other places
        hits = {
            w
            for w in index.get(word[1:], frozenset())
            if len(w) == len(word) and w[1:] == word[1:] and w not in voc.places
        }
    if len({exact_token(w) for w in hits}) == 1:
        return min(hits)  # several spellings of one word (technology, tecnology; holding,
        # holdings)
    return None


TWO_TYPO_LEN = 8
"""Reviewed words from this length up are recognised through two typos."""


def index_canonical(word: str) -> str:
    """The canonical form a reviewed word maps to (its abbreviation key or itself)."""
    return vocabulary().abbreviations.get(word, word)


@functools.lru_cache(maxsize=262144)
def canonical_token(word: str) -> str:
    """One Latin word to its key: abbreviation/full form, plural and place variant folded,
    a single typo in a vocabulary word (legal form, industry, place) corrected."""
    return _canonical(word, fix_typos=True)


@functools.lru_cache(maxsize=65536)
def exact_token(word: str) -> str:
    """One Latin word to its key as :func:`canonical_token` does, but with no typo
    corrected: what the word is when it is spelled right."""
    return _canonical(word, fix_typos=False)


def _canonical(word: str, fix_typos: bool) -> str:
    voc = vocabulary()
    if word in voc.places:
        return voc.places[word]
    if word in voc.abbreviations:
        return voc.abbreviations[word]
    stemmed = _stem(word)
    if stemmed != word:
        if stemmed in voc.abbreviations:
            return voc.abbreviations[stemmed]
        if stemmed in voc.places:
            return voc.places[stemmed]
    known = (
        stemmed in voc.legal_en
        or stemmed in voc.filler
        or stemmed in voc.industry
        or stemmed in STOPWORDS
    )
    if fix_typos and not known:
        fixed = _vocabulary_typo(word) or _vocabulary_typo(stemmed)
        if fixed is not None and is_pinyin(word) and (fixed in voc.places or len(word) < 6):
            # a valid pinyin word is a name in its own right (yumian is not yutian), unless
            # it is a long misspelling of a legal or trade word (limite for limited)
            fixed = None
        if fixed is not None:
            return _canonical(fixed, fix_typos=False)
        short = None if is_pinyin(word) else _contraction(word) or _contraction(stemmed)
        if short is not None:
            return _canonical(short, fix_typos=False)
    return stemmed


_VOWELS = frozenset("aeiou")


@functools.cache
def _full_forms() -> dict[str, tuple[str, ...]]:
    """Reviewed trade words of 6+ letters by first letter (abbreviation full forms,
    industry and legal words): what a vowel-dropping contraction may stand for."""
    voc = vocabulary()
    words = (
        {w for w, c in voc.abbreviations.items() if len(w) >= 6 and w != c}
        | {w for w in voc.industry if len(w) >= 6}
        | {w for w in voc.legal_en if len(w) >= 6}
    )
    out: dict[str, list[str]] = {}
    for w in sorted(words):
        if w.isalpha():
            out.setdefault(w[0], []).append(w)
    return {k: tuple(v) for k, v in out.items()}


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@functools.lru_cache(maxsize=65536)
def _contraction(word: str) -> str | None:
    """The one reviewed trade word that ``word`` contracts the way trade records do
    (first letter kept, vowels dropped, letters in order: Engy -> energy, Hldg ->
    holding, Coml -> commercial); None when it contracts none or several.

    Only 3-5 letter words that end as the full word ends, with no vowel after the
    first letter, qualify, so a name (Gant, Thit, Pyon, Chol) is never taken for one.
    """
    if not (3 <= len(word) <= 5) or not word.isalpha() or not word.isascii():
        return None
    if any(ch in _VOWELS for ch in word[1:]) or is_pinyin(word):
        return None
    voc = vocabulary()
    found: set[str] = set()
    full: dict[str, str] = {}
    for w in _full_forms().get(word[0], ()):
        if word[-1] == w[-1] and _is_subsequence(word[1:-1], w[1:-1]):
            key = voc.abbreviations.get(w, w)
            found.add(key)
            full[key] = w
    if len(found) != 1:
        return None
    return full[next(iter(found))]


def _apply_phrases(words: list[str]) -> list[str]:
    voc = vocabulary()
    out: list[str] = []
    i = 0
    n = len(words)
    while i < n:
        for size in range(min(voc.phrase_max, n - i), 1, -1):
            repl = voc.phrases.get(tuple(words[i : i + size]))
            if repl is not None:
                out.extend(repl)
                i += size
                break
        else:
            out.append(words[i])
            i += 1
    return out


def latin_words(text: str) -> list[str]:
    """Lower-case ASCII words of a Latin (or other non-Han) segment, phrases joined."""
    text = _APOSTROPHES.sub("", text.lower())
    text = _AMP_INITIALS.sub(r"\1\2", text)
    text = text.replace("&", " and ")
    text = _HYPHEN_INSIDE.sub("", text)
    words: list[str] = []
    for raw in text.split():
        for word in _ALNUM.findall(ascii_word(raw).lower()):
            words.append(word)
    return _apply_phrases(words)


ADMIN_SUFFIXES = frozenset({"省", "市", "县", "区"})
"""Administrative suffixes of Chinese place names: province, city, county, district."""


@functools.cache
def everyday_words() -> dict[str, tuple[str, ...]]:
    """Everyday Chinese words (HSK 3.0, 2-4 characters) -> the single English words of
    their first senses (resources/matching/words_cedict.csv, from CC-CEDICT)."""
    out: dict[str, tuple[str, ...]] = {}
    for row in _read_csv("words_cedict.csv"):
        words = [s for s in row["senses"].split("|") if s.isalpha() and s.isascii()]
        out[row["zh"]] = tuple(dict.fromkeys(w.lower() for w in words))
    return out


@functools.cache
def division_names() -> frozenset[str]:
    """Chinese names of every division of China (the region engine's gazetteer, full and
    short: 台州市, 台州), for cutting a run of unread characters at a place."""
    text = resources.files("flscreen.resources").joinpath("gazetteer", "divisions.csv")
    names: set[str] = set()
    for row in csv.DictReader(text.read_text("utf-8").splitlines()):
        names.update(n for n in (row["name"], row["short"]) if len(n) >= 2)
    return frozenset(names)


def _cut_run(run: str) -> list[str]:
    """A run of characters no table reads, cut at the everyday words and place names
    in it (backward maximum matching, as :func:`_segment_han`): 路畅机电 -> 路畅 | 机电,
    台州春博 -> 台州 | 春博. The characters between words stay together: they are a
    brand's syllables."""
    words, places = everyday_words(), division_names()
    out: list[str] = []
    rest: list[str] = []
    end = len(run)
    while end > 0:
        for size in range(min(6, end), 1, -1):
            piece = run[end - size : end]
            if (size <= 4 and piece in words) or piece in places:
                if rest:
                    out.append("".join(reversed(rest)))
                    rest = []
                out.append(run[end - size : end])
                end -= size
                break
        else:
            rest.append(run[end - 1])
            end -= 1
    if rest:
        out.append("".join(reversed(rest)))
    return out[::-1]


@functools.lru_cache(maxsize=131072)
def pinyin_word(han: str) -> str:
    """Toneless pinyin of a run of Chinese characters as one word (中泰 -> zhongtai)."""
    from pypinyin import lazy_pinyin

    return "".join(p for p in lazy_pinyin(han, errors="ignore") if p.isalnum()).lower()


def _segment_han(
    text: str, use_brands: bool, use_dictionary: bool = True
) -> list[tuple[str, str, str]]:
    """Backward maximum matching: (kind, chinese, value); kind legal/place/glossary/brand/run.

    Matching from the end finds the suffix words Chinese company names are built
    from (industry, legal form) before the brand, so 紫金矿业 reads 紫金 | 矿业, not
    紫 | 金矿 | 业 as a forward pass would.
    """
    voc = vocabulary()
    out: list[tuple[str, str, str]] = []
    run: list[str] = []
    end = len(text)
    while end > 0:
        hit: tuple[str, str, str] | None = None
        for size in range(min(voc.zh_max, end), 0, -1):
            word = text[end - size : end]
            entry = voc.zh.get(word)
            if entry is None:
                continue
            kind, value = entry
            if (kind == "brand" and not use_brands) or (
                kind == "dictionary" and not use_dictionary
            ):
                continue
            hit = (kind, word, value)
            break
        if hit is None:
            run.append(text[end - 1])
            end -= 1
            continue
        if run:
            out.append(("run", "".join(reversed(run)), ""))
            run = []
        out.append(hit)
        end -= len(hit[1])
    if run:
        out.append(("run", "".join(reversed(run)), ""))
    out.reverse()
    if len(out) > 1 and out[0][:2] == ("run", "中") and out[1][0] in ("glossary", "dictionary"):
        # 中 leading a trade word abbreviates 中国, as state firms name themselves
        # (中棉 China Cotton, 中纺 China Textile); 中泰 (no trade word) stays a brand
        out[0] = ("glossary", "中", voc.zh["中国"][1])
    return out


def _join_lone(segments: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """A lone character left between words read is a brand's syllable, and brands are
    mostly two characters: the one-character translated word beside it (棉 cotton, 金
    gold, also as the head of a longer word: 棉|纺织 of 棉纺织) is read as the brand's
    other syllable, so 豫棉 is the brand Yumian as well as "Yu Cotton" (the caller keeps
    the other reading beside this one)."""
    zh_words = vocabulary().zh
    translated = ("glossary", "dictionary")
    out = list(segments)
    for i, (kind, zh, _) in enumerate(out):
        if kind != "run" or len(zh) != 1:
            continue
        for k in (i + 1, i - 1):
            if not 0 <= k < len(out) or out[k][0] not in translated:
                continue
            word = out[k][1]
            syllable, rest = (word[0], word[1:]) if k > i else (word[-1], word[:-1])
            rest_entry = zh_words.get(rest) if rest else None
            if rest and (rest_entry is None or rest_entry[0] not in translated):
                continue  # the word's other characters are no word of their own
            brand = ("run", zh + syllable if k > i else syllable + zh, "")
            tail = [(rest_entry[0], rest, rest_entry[1])] if rest_entry else []
            a, b = sorted((i, k))
            out[a : b + 1] = [brand, *tail] if k > i else [*tail, brand]
            return _join_lone(out)
    return out


def _han_person(text: str) -> list[str]:
    """A Chinese personal name as surname + given name in pinyin (朱海仑 -> zhu hailun)."""
    cut = 2 if text[:2] in _COMPOUND_SURNAMES else 1
    if len(text) <= cut:
        return [pinyin_word(text)]
    return [pinyin_word(text[:cut]), pinyin_word(text[cut:])]


def _segments(text: str) -> list[tuple[bool, str]]:
    """Split into alternating (is_han, segment) runs."""
    if text.isascii():
        return [(False, text)]
    out: list[tuple[bool, str]] = []
    buf: list[str] = []
    state: bool | None = None
    for ch in text:
        han = is_han(ch)
        if state is None or han == state:
            buf.append(ch)
            state = han
            continue
        out.append((state, "".join(buf)))
        buf = [ch]
        state = han
    if buf and state is not None:
        out.append((state, "".join(buf)))
    return out


@functools.cache
def _split_vocabulary() -> frozenset[str]:
    """Reviewed words of 4+ letters a run-together word may end or start with."""
    voc = vocabulary()
    words = voc.legal_en | voc.industry | voc.filler | set(voc.abbreviations) | set(voc.places)
    return frozenset(w for w in words if len(w) >= 4 and w.isalpha())


@functools.lru_cache(maxsize=65536)
def split_joined(word: str) -> tuple[str, ...]:
    """A word run together with a reviewed word, cut in two ("camelgroup" -> camel group,
    "zhongtaichemical" -> zhongtai chemical); the word itself when it is not one.

    The longest reviewed word at the end is tried first, then at the start; the other
    part keeps 3+ letters. Pinyin words and reviewed words are never cut.
    """
    if len(word) < 6 or not word.isalpha() or is_pinyin(word) or _known_word(word):
        return (word,)
    vocab = _split_vocabulary()
    for cut in range(3, len(word) - 3):
        if word[cut:] in vocab:
            return (word[:cut], word[cut:])
    for legal in ("co", "ltd", "inc", "llc", "corp"):
        # a short legal form run on ("MineCo"): only after a word of 4+ letters
        if word.endswith(legal) and len(word) - len(legal) >= 4:
            return (word[: -len(legal)], legal)
    for cut in range(len(word) - 3, 3, -1):
        if word[:cut] in vocab:
            return (word[:cut], word[cut:])
    return (word,)


def _known_word(word: str) -> bool:
    voc = vocabulary()
    return (
        word in voc.legal_en
        or word in voc.industry
        or word in voc.filler
        or word in voc.abbreviations
        or word in voc.places
        or _stem(word) in voc.abbreviations
    )


@dataclass(slots=True)
class _Reading:
    """What :func:`_build` collects while it reads a name, segment by segment."""

    split: bool = False
    tokens: list[str] = field(default_factory=list)
    legal: list[str] = field(default_factory=list)
    translations: list[tuple[str, str]] = field(default_factory=list)
    glossary: list[tuple[str, str]] = field(default_factory=list)
    ordered: list[str] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    spelled: dict[tuple[str, str], None] = field(default_factory=dict)
    guesses: list[str] = field(default_factory=list)
    brand_used: str | None = None

    def add_latin(self, words: list[str]) -> None:
        if self.split:
            words = [part for w in words for part in split_joined(w)]
        for word in words:
            tok = canonical_token(word)
            self.raw.append(word)
            self.ordered.append(tok)
            if _token_class(tok) == LEGAL:
                self.legal.append(tok)
                if len(word) >= 5 and _token_class(exact_token(word)) != LEGAL:
                    self.guesses.append(word)
            else:
                self.tokens.append(tok)
                for as_written in (word, _stem(word)):  # "Commodities", and "commodity"
                    if as_written != tok and as_written.isalpha():
                        self.spelled[(tok, as_written)] = None

    def add_run(self, zh: str, cut: bool) -> None:
        """Characters no table reads, in pinyin: folded like the same word in Latin
        script (益利 -> yili -> ili, as "Yili" is), so a key never depends on the script
        it came in; cut at everyday words and places when ``cut``."""
        for piece in _cut_run(zh) if cut else [zh]:
            word = pinyin_word(piece)
            word = canonical_token(word) if word else word
            if not word:
                continue
            self.tokens.append(word)
            self.ordered.append(word)
            self.translations.append((piece, word))
            # an everyday word's senses are its other spellings (书店 shudian, or
            # bookstore): a firm may translate it
            for sense in everyday_words().get(piece, ()):
                if sense != word:
                    self.spelled[(word, sense)] = None

    def add_translated(self, kind: str, zh: str, value: str) -> None:
        """A word a table reads (place, brand, glossary, dictionary) as its Latin value."""
        if kind == "brand":
            self.brand_used = zh
        elif kind in ("glossary", "dictionary"):
            self.glossary.append((zh, value))
        self.translations.append((zh, value))
        first = len(self.tokens)
        self.add_latin(latin_words(value))
        if kind not in ("glossary", "dictionary"):
            return
        # a firm's English name may romanise the word instead (建筑 as Jianzhu, not
        # Construction) or translate it otherwise (汽车 car, not automotive): its pinyin
        # and its other senses are the token's other spellings
        others = (pinyin_word(zh), *everyday_words().get(zh, ()))
        added = self.tokens[first:]
        for tok in added:
            for other in others if len(added) == 1 else others[:1]:
                if other and other != tok:
                    self.spelled[(tok, other)] = None

    def add_han(self, segments: list[tuple[str, str, str]], cut_runs: bool) -> None:
        previous = ""
        for kind, zh, value in segments:
            after_place, previous = previous in ("place", "run"), kind
            if kind == "legal" or (after_place and zh in ADMIN_SUFFIXES):
                # an administrative suffix after a place (深圳市, 黄岛区) is what English
                # listings leave out ("Shenzhen ..."): set aside, as legal forms are
                self.legal.append(zh)
            elif kind == "run":
                self.add_run(zh, cut_runs)
            else:
                self.add_translated(kind, zh, value)


def _build(
    original: str,
    cleaned: str,
    person: bool,
    use_brands: bool,
    split: bool = False,
    use_dictionary: bool = True,
    join_lone: bool = False,
    cut_runs: bool = False,
) -> NameKey:
    r = _Reading(split=split)
    for han, segment in _segments(cleaned):
        if not han:
            r.add_latin(latin_words(segment))
            continue
        simplified = to_simplified(segment)
        if person:
            words = _han_person(simplified)
            r.translations.append((simplified, " ".join(words)))
            r.tokens.extend(words)
            r.ordered.extend(words)
            continue
        segments = _segment_han(simplified, use_brands, use_dictionary)
        r.add_han(_join_lone(segments) if join_lone else segments, cut_runs)
    # Once more over the canonical words: a corrected typo can complete a phrase
    # ("Import & Eport" -> import and export -> impex).
    tokens = _apply_phrases(r.tokens if person else _misspelt_connectives(r.tokens))
    if not person:
        _misspelt_legal_tail(r.ordered, r.raw, tokens, r.legal)
    if not tokens and r.legal:
        # A name that is nothing but legal words ("Group Co., Ltd.") keeps them,
        # so it can still be compared with itself.
        tokens = [t for t in r.legal if t.isascii()] or [pinyin_word(t) for t in r.legal]
    return NameKey(
        original=original,
        tokens=tuple(tokens),
        legal=tuple(r.legal),
        script=script_of(cleaned),
        translations=tuple(r.translations),
        brand_variant=r.brand_used,
        words=tuple(r.ordered),
        glossary=tuple(r.glossary),
        spelled=tuple(r.spelled),
        legal_guesses=tuple(r.guesses),
    )


@functools.cache
def _short_legal() -> tuple[str, ...]:
    """Legal-form words of 2-4 letters (co, ltd, inc, corp, llc ...): a misspelling of one
    of these is only recognisable from its place at the end of a name."""
    return tuple(sorted(w for w in vocabulary().legal_en if 2 <= len(w) <= 4 and w.isalpha()))


@functools.lru_cache(maxsize=4096)
def _long_legal_typo(word: str) -> bool:
    """True when ``word`` is two typos from a legal form of 7+ letters (Limutef, Ilmiteg,
    Comopnay, Klimeited for Limited, Company), not the legal form itself with letters
    before or after it (HKLimited is a place run into one: the re-cut reads it), and no
    word itself: at the end of a name that is a legal form, as one typo is
    (canonical_token corrects those); no brand or name is spelt so."""
    if len(word) < 5 or not word.isalpha():
        return False
    near = process.extract(word, _long_legal(), scorer=OSA.distance, score_cutoff=2, limit=None)
    if any(abs(len(w) - len(word)) <= 2 and w not in word for w, _, _ in near):
        return not is_word(word)
    return False


@functools.cache
def _long_legal() -> tuple[str, ...]:
    """Legal-form words of 7+ letters (limited, company, corporation ...)."""
    return tuple(sorted(w for w in vocabulary().legal_en if len(w) >= 7 and w.isalpha()))


_STRONG_LEGAL = frozenset({"ltd", "inc", "llc", "plc", "corp", "pte", "pvt", "jsc", "bhd"})
"""Legal forms no name word is one letter away from by chance (unlike co, sa or ag)."""


def _near_legal(word: str, token: str, after_legal: bool, company: bool) -> bool:
    """True when ``word`` (as written; ``token`` its key) reads as a misspelt legal form:
    Ld, Lte, tLd, Lt, Ltr, atd, or 'o'/'C' for Co at the very end of a company name.
    One edit from a legal form, not itself a reviewed word, and not a pinyin syllable
    unless a legal form follows it or it is a letter or two in a company's name."""
    if not word.isalpha() or not word.isascii():
        return False
    if len(word) >= 6:
        return _long_legal_typo(word)
    if word in STOPWORDS or (_token_class(token) != BRAND and token == word):
        return False
    if word in vocabulary().abbreviations or word in vocabulary().places:
        return False
    short = len(word) <= 2
    if is_pinyin(word) and not after_legal and not (short and company):
        return False
    near = [
        w
        for w in _short_legal()
        if abs(len(word) - len(w)) <= 1 and OSA.distance(word, w, score_cutoff=1) <= 1
    ]
    if not near:
        return False
    # a signal that this is a company, unless a 3+ letter word is one letter off a
    # legal form no name comes near (Nic for Inc, Ltr for Ltd)
    strong = not short and any(w in _STRONG_LEGAL for w in near)
    return strong or after_legal or company


def _misspelt_connectives(tokens: list[str]) -> list[str]:
    """ "and" misspelt between two words of a company's name ("Import Anxd Export",
    "Science Adn Technology", "M Nd S"): read as "and", so a phrase it belongs to still
    joins and the word weighs nothing, as "and" does. Only a non-word one typo from
    "and" (first letter kept or dropped), never first or last (ANZ Bank is a bank)."""
    out = list(tokens)
    for i in range(1, len(out) - 1):
        word = out[i]
        if word == "and" or not word.isalpha() or not 2 <= len(word) <= 4:
            continue
        near = (word[0] == "a" or word == "nd") and OSA.distance(word, "and", score_cutoff=1) <= 1
        if near and not is_word(word):
            out[i] = "and"
    return out


def _misspelt_legal_tail(
    ordered: list[str], raw: list[str], tokens: list[str], legal: list[str]
) -> None:
    """Move misspelt legal forms at the end of a company name from ``tokens`` to ``legal``
    (in place): they then weigh nothing, as the legal forms they stand for. Only in a
    name that says it is a company (another legal form, a trade word) or just before a
    legal form: "Jong Sam" is a person, "Zhongtai Chemical Sam" a typo."""
    if len(raw) != len(ordered):
        return  # Chinese segments in between: their legal forms are read exactly
    after_legal = False
    company = bool(legal) or any(
        _token_class(t) in (INDUSTRY, FILLER) and t not in STOPWORDS for t in tokens
    )
    moved: list[str] = []
    for word, tok in zip(reversed(raw), reversed(ordered), strict=True):
        if _token_class(tok) == LEGAL:
            after_legal = True
            continue
        if _near_legal(word, tok, after_legal, company):
            moved.append(tok)
            after_legal = True
            continue
        break
    for tok in moved:
        if len(tokens) > 1 and tokens[-1] == tok:
            tokens.pop()
            legal.append(tok)


@functools.cache
def _dictionary_words() -> frozenset[str]:
    return frozenset(w for w, (kind, _) in vocabulary().zh.items() if kind == "dictionary")


@functools.cache
def _brand_words() -> tuple[str, ...]:
    return tuple(w for w, (kind, _) in vocabulary().zh.items() if kind == "brand")


def _has_cut(key: NameKey) -> bool:
    """Whether a reading's runs of unread characters hold an everyday word to cut at."""
    return any(
        len(zh) >= 3 and tok == canonical_token(pinyin_word(zh)) and len(_cut_run(zh)) > 1
        for zh, tok in key.translations
    )


def name_keys(text: object, person: bool = False, resegment: bool = False) -> list[NameKey]:
    """Every key a name reads as: one, or two when a Chinese brand has a Latin brand name.

    ``person=True`` reads Chinese script as surname + given name and skips the
    company dictionaries. ``resegment=True`` (for queries) adds the reading with words
    run together with a reviewed word cut apart (see :func:`split_joined`). Dirty input
    (not a string, nothing left after cleaning) gives an empty list.
    """
    if not isinstance(text, str):
        return []
    cleaned = clean_text(text)
    if cleaned is None:
        return []
    first = _build(text, cleaned, person, use_brands=False)
    keys = [first] if first.tokens else []
    if has_invisible(text):
        # Read both ways: an invisible character between letters is a word break
        # ("Sunrise\u200bTextile") or a spike inside one word ("Gro\u200bup").
        joined = clean_text(text, invisible_breaks=False)
        if joined is not None and joined != cleaned:
            other = _build(text, joined, person, use_brands=False)
            if other.tokens and all(other.tokens != k.tokens for k in keys):
                keys.append(other)
    if not person and not _dictionary_words().isdisjoint(zh for zh, _ in first.glossary):
        # a dictionary word may be part of a transliterated name (东方 in Dongfang
        # Electric, East Hope elsewhere): the reading in pinyin is kept beside it
        plain = _build(text, cleaned, person, use_brands=False, use_dictionary=False)
        if plain.tokens and all(plain.tokens != k.tokens for k in keys):
            keys.append(plain)
    if not person and not cleaned.isascii() and _has_cut(first):
        # unread characters holding everyday words (路畅机电: a brand and a trade word)
        cut = _build(text, cleaned, person, use_brands=False, cut_runs=True)
        if cut.tokens and all(cut.tokens != k.tokens for k in keys):
            keys.append(cut)
    if not person and first.glossary and not cleaned.isascii():
        # a one-character trade word beside a lone character may be the brand's syllable
        lone = _build(text, cleaned, person, use_brands=False, join_lone=True)
        if lone.tokens and all(lone.tokens != k.tokens for k in keys):
            keys.append(lone)
    if (
        not person
        and not cleaned.isascii()
        and any(b in to_simplified(cleaned) for b in _brand_words())
    ):
        second = _build(text, cleaned, person, use_brands=True)
        if second.brand_variant is not None and second.tokens and second.tokens != first.tokens:
            keys.append(second)
    if resegment and not person:
        # words run together with a legal form or trade word ("CamelGroup"): read cut too
        for key in list(keys):
            if any(len(split_joined(w)) > 1 for w in key.words):
                cut = _build(text, cleaned, person, use_brands=False, split=True)
                if cut.tokens and all(cut.tokens != k.tokens for k in keys):
                    keys.append(cut)
                break
    return keys


def name_key(text: object, person: bool = False) -> NameKey | None:
    """The main key of a name (see :func:`name_keys`), or ``None`` for dirty input."""
    keys = name_keys(text, person=person)
    return keys[0] if keys else None


def normalize_name(text: object, person: bool = False) -> str | None:
    """A name's core tokens as one string (``None`` if nothing is left): the match key."""
    key = name_key(text, person=person)
    return key.text if key is not None else None


_ACRONYM_SKIP = frozenset({"co", "ltd", "limited", "inc", "llc", "plc"})


def acronym(tokens: tuple[str, ...] | list[str]) -> str | None:
    """Initials of a name's meaningful words (XPCC, VSETC), or None under three words.

    Filler words (and, of, no, county...), digits and Co./Ltd. are skipped; other
    legal words count (the C of Corps in XPCC).
    """
    words = [
        t
        for t in tokens
        if t not in _ACRONYM_SKIP and not t.isdigit() and _token_class(t) != FILLER
    ]
    if len(words) < 3:
        return None
    return "".join(w[0] for w in words)


def acronyms(words: tuple[str, ...] | list[str]) -> set[str]:
    """Acronyms a name may go by: its initials, also without a trailing acronym
    it already carries ("... Training Center (VSETC)")."""
    out = {a for a in (acronym(words), acronym(words[:-1])) if a}
    return out
