"""Text cleaning before any comparison: Unicode forms, invisible characters, look-alikes.

Each function is small and pure; dirty or empty input gives ``None`` or an empty
string, never an exception. Evasion tricks (zero-width spaces, full-width forms,
Cyrillic or Greek letters that look Latin) are undone here so that every later
step sees the name a human reader sees.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Characters that render as nothing (or as a plain space) but change a string's
# bytes: zero-width space/joiners, word joiner, BOM, soft hyphen, Mongolian vowel
# separator, bidi controls. Unicode category Cf covers most; listed for clarity.
_INVISIBLE = {
    "\u00ad",
    "\u034f",
    "\u061c",
    "\u115f",
    "\u1160",
    "\u17b4",
    "\u17b5",
    "\u180e",
    "\u3164",
    "\uffa0",
}

# Cyrillic and Greek letters that are visually identical (or nearly) to a Latin
# letter in common fonts. Source: Unicode confusables.txt (UTS #39), restricted to
# lower- and upper-case letters a reader takes for Latin.
HOMOGLYPHS: dict[str, str] = {
    # Cyrillic
    "а": "a",
    "в": "b",
    "е": "e",
    "ё": "e",
    "к": "k",
    "м": "m",
    "н": "h",
    "о": "o",
    "р": "p",
    "с": "c",
    "т": "t",
    "у": "y",
    "х": "x",
    "ѕ": "s",
    "і": "i",
    "ї": "i",
    "ј": "j",
    "ԁ": "d",
    "ɡ": "g",
    "һ": "h",
    "ԛ": "q",
    "ԝ": "w",
    "ү": "y",
    "А": "A",
    "В": "B",
    "Е": "E",
    "Ё": "E",
    "К": "K",
    "М": "M",
    "Н": "H",
    "О": "O",
    "Р": "P",
    "С": "C",
    "Т": "T",
    "У": "Y",
    "Х": "X",
    "Ѕ": "S",
    "І": "I",
    "Ї": "I",
    "Ј": "J",
    "Һ": "H",
    "Ԛ": "Q",
    "Ԝ": "W",
    "Ү": "Y",
    # Greek
    "α": "a",
    "ο": "o",
    "ρ": "p",
    "ν": "v",
    "ι": "i",
    "κ": "k",
    "τ": "t",
    "υ": "u",
    "χ": "x",
    "Α": "A",
    "Β": "B",
    "Ε": "E",
    "Ζ": "Z",
    "Η": "H",
    "Ι": "I",
    "Κ": "K",
    "Μ": "M",
    "Ν": "N",
    "Ο": "O",
    "Ρ": "P",
    "Τ": "T",
    "Υ": "Y",
    "Χ": "X",
}

_WORD_RE = re.compile(r"\w+", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")


def _is_invisible(ch: str) -> bool:
    if ch in _INVISIBLE:
        return True
    cat = unicodedata.category(ch)
    # Cf: format controls (ZWSP, ZWJ, BOM, bidi); Cc: controls other than whitespace.
    return cat == "Cf" or (cat == "Cc" and not ch.isspace())


def remove_invisible(text: str) -> str:
    """Drop characters that render as nothing (zero-width, bidi and other controls)."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(ch for ch in text if not _is_invisible(ch))


# A soft hyphen marks where a word may break: it sits inside a word, never between two.
_INSIDE_WORD = frozenset({"\u00ad"})


def _invisible_breaks(text: str) -> tuple[str, list[int]]:
    """``text`` without invisible characters, and the positions (in that text) where a
    run of them sat between two letters or digits: a word break."""
    out: list[str] = []
    breaks: list[int] = []
    n = len(text)
    i = 0
    while i < n:
        ch = text[i]
        if not _is_invisible(ch):
            out.append(ch)
            i += 1
            continue
        j = i
        run_inside = True
        while j < n and _is_invisible(text[j]):
            run_inside = run_inside and text[j] in _INSIDE_WORD
            j += 1
        before = out[-1] if out else ""
        after = text[j] if j < n else ""
        if (
            not run_inside
            and before.isalnum()
            and after.isalnum()
            and not (is_han(before) or is_han(after))
        ):
            breaks.append(len(out))
        i = j
    return "".join(out), breaks


def invisible_to_separator(text: str) -> str:
    """A format character between two letters or digits becomes a space, elsewhere nothing.

    "Sunrise\u200bTextile" renders as one run of letters but was typed (or made) as two
    words; reading it as one word would hide both. Where a zero-width character really
    sat inside a word ("Xin\u200bjiang"), the matcher reads the name both ways (see
    ``name_keys``). Between Chinese characters (no word spaces in Chinese) and at a
    soft hyphen, the character is only removed.
    """
    if text.isascii() and text.isprintable():
        return text
    plain, breaks = _invisible_breaks(text)
    return _insert_spaces(plain, breaks)


def _insert_spaces(text: str, positions: list[int]) -> str:
    if not positions:
        return text
    parts = []
    last = 0
    for p in positions:
        parts.append(text[last:p])
        last = p
    parts.append(text[last:])
    return " ".join(parts)


def _is_latin_letter(ch: str) -> bool:
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z") or ("\u00c0" <= ch <= "\u024f")


def _fold_word(word: str, latin_context: bool) -> str:
    """Replace look-alikes in one word when the word reads as Latin.

    A word that mixes Latin letters with Cyrillic/Greek look-alikes is an evasion
    (or a typing accident); so is a word made only of look-alikes among Latin
    words. A genuine Russian or Greek name (no Latin around it) is left alone.
    """
    if not any(ch in HOMOGLYPHS for ch in word):
        return word
    has_latin = any(_is_latin_letter(ch) for ch in word)
    only_lookalikes = all(ch in HOMOGLYPHS or not ch.isalpha() for ch in word)
    if has_latin or (only_lookalikes and latin_context):
        return "".join(HOMOGLYPHS.get(ch, ch) for ch in word)
    return word


def fold_homoglyphs(text: str) -> str:
    """Turn Cyrillic/Greek letters that imitate Latin ones back into Latin, word by word."""
    if text.isascii():
        return text
    latin_context = any(_is_latin_letter(ch) for ch in text)
    return _WORD_RE.sub(lambda m: _fold_word(m.group(0), latin_context), text)


def has_invisible(text: str) -> bool:
    """True when ``text`` holds a character that renders as nothing."""
    return not (text.isascii() and text.isprintable()) and any(_is_invisible(ch) for ch in text)


def clean_text(text: object, invisible_breaks: bool = True) -> str | None:
    """NFKC (full-width to ASCII), invisible characters out (a space where they sit
    between two letters, unless ``invisible_breaks`` is False), homoglyphs folded,
    whitespace collapsed; ``None`` for non-strings and strings with nothing left."""
    if not isinstance(text, str):
        return None
    out = unicodedata.normalize("NFKC", text)
    if out.isascii() and out.isprintable():
        breaks: list[int] = []
    else:
        out, breaks = _invisible_breaks(out)
    # look-alikes are judged on whole words as a reader sees them (no breaks yet);
    # folding keeps every position, so the breaks still fall where they were
    out = fold_homoglyphs(out)
    if invisible_breaks:
        out = _insert_spaces(out, breaks)
    out = _SPACE_RE.sub(" ", out).strip()
    return out or None


def is_han(ch: str) -> bool:
    """True for CJK unified ideographs (the characters of Chinese names)."""
    o = ord(ch)
    return (
        0x4E00 <= o <= 0x9FFF
        or 0x3400 <= o <= 0x4DBF
        or 0x20000 <= o <= 0x2EBEF
        or 0xF900 <= o <= 0xFAFF
        or o == 0x3007
    )


def has_han(text: str) -> bool:
    return not text.isascii() and any(is_han(ch) for ch in text)


def script_of(text: str) -> str:
    """'han', 'latin', 'mixed' (Han and Latin letters) or 'other' (neither, or another script)."""
    if text.isascii():
        return "latin"
    han = latin = other = False
    for ch in text:
        if not ch.isalpha():
            continue
        if is_han(ch):
            han = True
        elif ch.isascii() or _is_latin_letter(ch):
            latin = True
        else:
            other = True
    if han and latin:
        return "mixed"
    if han:
        return "han"
    if latin:
        return "latin"
    return "other" if other else "latin"


# Variant forms that OpenCC's t2s leaves alone but that mean the same in company
# names (Taiwan/HK usage): 矽 is 硅 (silicon).
_EXTRA_SIMPLIFY = str.maketrans({"矽": "硅"})


@functools.cache
def _opencc() -> object:
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """Traditional Chinese characters to simplified (OpenCC t2s), leaving other text as is."""
    if not has_han(text):
        return text
    converter = _opencc()
    out: str = converter.convert(text)  # type: ignore[attr-defined]
    return out.translate(_EXTRA_SIMPLIFY)


@functools.lru_cache(maxsize=65536)
def ascii_word(word: str) -> str:
    """A Latin word without diacritics (Ürümqi -> Urumqi); other scripts transliterated."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFKD", word)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    if stripped.isascii():
        return stripped
    from rigour.text import ascii_text

    out: str = ascii_text(stripped)
    return out
